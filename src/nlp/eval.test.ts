import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerEval } from '../cli/commands/eval.js';
import { EvalResultSchema, evaluateIntentFiles, readLabelledFile } from './eval.js';
import { tinyDataset } from './intent/fixtures.test-data.js';

const dir = mkdtempSync(join(tmpdir(), 'deskmind-eval-'));
const data = tinyDataset();
const train = data.filter((_, i) => i % 4 !== 0);
const test = data.filter((_, i) => i % 4 === 0);
const csv = (rows: { text: string; label: string }[], labelCol = 'label') =>
  `text,${labelCol}\n` + rows.map((r) => `"${r.text.replace(/"/g, '""')}",${r.label}`).join('\n') + '\n';
writeFileSync(join(dir, 'train.csv'), csv(train, 'category'));
writeFileSync(join(dir, 'test.csv'), csv(test, 'category'));
writeFileSync(join(dir, 'train.jsonl'), train.map((r) => JSON.stringify(r)).join('\n'));
const oosTest = [...test, { text: 'what is the weather on mars today', label: 'oos' }, { text: 'recommend a good pizza recipe', label: 'oos' }];
writeFileSync(join(dir, 'test-oos.jsonl'), oosTest.map((r) => JSON.stringify(r)).join('\n'));

describe('intent evaluation', () => {
  it('reads CSV and JSONL with custom columns', () => {
    expect(readLabelledFile(join(dir, 'train.csv'), 'text', 'category')).toEqual(train);
    expect(readLabelledFile(join(dir, 'train.jsonl'))).toEqual(train);
    expect(() => readLabelledFile(join(dir, 'train.csv'))).toThrow(/label/);
  });

  it('evaluates a train/test pair and reports every metric', () => {
    const r = evaluateIntentFiles(join(dir, 'train.csv'), join(dir, 'test.csv'), { labelColumn: 'category' });
    EvalResultSchema.parse(r);
    expect(r.accuracy).toBeGreaterThan(0.7);
    expect(r.macroF1).toBeGreaterThan(0.6);
    expect(r.ece).toBeGreaterThanOrEqual(0);
    expect(r.coverage98.threshold).toBeGreaterThanOrEqual(r.coverage95.threshold);
    expect(r.oosRecall).toBeNull();
    expect(r.inScopeAccuracy).toBeNull();
    expect(r.testRows).toBe(test.length);
    expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
  });

  it('measures out-of-scope recall with an oos label', () => {
    const r = evaluateIntentFiles(join(dir, 'train.jsonl'), join(dir, 'test-oos.jsonl'), { oosLabel: 'oos' });
    expect(r.oosRecall).not.toBeNull();
    expect(r.inScopeAccuracy).not.toBeNull();
    expect(r.oosRecall!).toBeGreaterThanOrEqual(0.5);
  });

  it('CLI `eval intents --json` prints exactly one JSON object', async () => {
    const program = new Command('deskmind').exitOverride();
    registerEval(program);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      const args = ['eval', 'intents', '--train', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'), '--label-column', 'category'];
      await program.parseAsync(['node', 'deskmind', ...args, '--json']);
      const json = JSON.parse(out.join(''));
      expect(Object.keys(json)).toEqual(expect.arrayContaining(['accuracy', 'macroF1', 'ece', 'coverage95', 'coverage98', 'oosRecall', 'inScopeAccuracy', 'trainSeconds', 'latencyMs']));
      out.length = 0;
      await program.parseAsync(['node', 'deskmind', ...args]);
      expect(out.join('')).toMatch(/accuracy\s+\d+\.\d+%/);
      expect(out.join('')).toMatch(/coverage @98% prec\./);
    } finally {
      spy.mockRestore();
    }
  });
});
