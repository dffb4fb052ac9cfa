import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerEval } from '../cli/commands/eval.js';
import {
  coverageAt,
  EvalResultSchema,
  evaluateExamples,
  evaluateIntentFiles,
  holdoutSplit,
  MIN_HELD_OUT_OOS,
  oosAt,
  readLabelledFile,
  thresholdFor,
  type ScoredRow,
} from './eval.js';
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
const oosTest = [
  ...test,
  { text: 'what is the weather on mars today', label: 'oos' },
  { text: 'recommend a good pizza recipe', label: 'oos' },
];
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

  it(
    'measures out-of-scope recall with an oos label, and says when the train file has none to pick thresholds ' +
      'with',
    () => {
      const r = evaluateIntentFiles(join(dir, 'train.jsonl'), join(dir, 'test-oos.jsonl'), { oosLabel: 'oos' });
      expect(r.oosRecall).not.toBeNull();
      expect(r.inScopeAccuracy).not.toBeNull();
      expect(r.oosRecall!).toBeGreaterThanOrEqual(0.5);
      expect(r.oos).toMatchObject({ label: 'oos', heldOutOosRows: 0, thresholdsFromOos: false });
      expect(r.oos!.note).toMatch(/could not pick the thresholds with out-of-scope rows: the train file has none/);
    },
  );

  it(
    'scores out of scope on rows with known answers: a predicted out-of-scope label is a rejection at any ' +
      'threshold',
    () => {
      const row = (confidence: number, rejected: boolean, correct: boolean, outOfScope: boolean): ScoredRow => ({
        confidence,
        rejected,
        correct,
        outOfScope,
      });
      const rows: ScoredRow[] = [
        // in scope: 4 right (0.9, 0.8, 0.7, 0.4), 1 wrong (0.6), 1 predicted as the out-of-scope label (0.95)
        row(0.9, false, true, false),
        row(0.8, false, true, false),
        row(0.7, false, true, false),
        row(0.6, false, false, false),
        row(0.4, false, true, false),
        row(0.95, true, false, false),
        // out of scope: 2 predicted as the label (one at a high confidence), 1 under any sensible threshold, 1 at 0.85
        row(0.99, true, false, true),
        row(0.3, true, false, true),
        row(0.2, false, false, true),
        row(0.85, false, false, true),
      ];
      // at 0: every row not rejected is answered; the rejected ones still count as rejected
      expect(oosAt(rows, 0)).toEqual({ threshold: 0, recall: 2 / 4, inScopeAccuracy: 4 / 6 });
      expect(oosAt(rows, 0.65)).toEqual({ threshold: 0.65, recall: 3 / 4, inScopeAccuracy: 3 / 6 });
      expect(coverageAt(rows, 0.65)).toEqual({ coverage: 4 / 10, precision: 3 / 4, threshold: 0.65 });
      // answered at 0.7 and above: 0.9 ✓, 0.85 ✗ (out of scope), 0.8 ✓, 0.7 ✓ → precision 3/4; at 0.8: 2/3; at 0.9: 1/1
      expect(thresholdFor(rows, 0.75, 1, 0)).toBe(0.7);
      expect(thresholdFor(rows, 0.95, 1, 0)).toBe(0.9);
      expect(thresholdFor(rows, 0.95, 2, 0)).toBe(1.0001);
    },
  );

  it('holds out enough out-of-scope rows to pick thresholds with them (up to half of them)', () => {
    const labels = [
      ...Array.from({ length: 400 }, (_, i) => `in${i % 10}`),
      ...Array.from({ length: 60 }, () => 'oos'),
    ];
    const isOos = (l: string) => l === 'oos';
    const [fit, hold] = holdoutSplit(labels, isOos, 0.15, 3);
    expect(hold.filter((i) => isOos(labels[i]!)).length).toBe(MIN_HELD_OUT_OOS);
    expect(fit.length + hold.length).toBe(labels.length);
    expect(new Set([...fit, ...hold]).size).toBe(labels.length);
    const few = [...labels.slice(0, 400), ...Array.from({ length: 10 }, () => 'oos')];
    const [, hold2] = holdoutSplit(few, isOos, 0.15, 3);
    expect(hold2.filter((i) => isOos(few[i]!)).length).toBe(5);
    expect(holdoutSplit(labels, () => false, 0.15, 3)).toEqual(holdoutSplit(labels, () => false, 0.15, 3));
  });

  it('learns the out-of-scope label as a class and rejects texts predicted as it', () => {
    const oosTrain = [
      'what is the weather like on mars',
      'recommend a good pizza recipe',
      'who won the football game last night',
      'tell me a joke about cats',
      'what time is it in tokyo',
      'how tall is mount everest',
      'play some jazz music',
      'translate hello into french',
      'what is the capital of peru',
      'how many calories in an apple',
      'book me a table for two',
      'when is the next full moon',
    ];
    const rows = [
      ...train,
      ...oosTrain.flatMap((t) => [
        { text: t, label: 'oos' },
        { text: `${t} please`, label: 'oos' },
      ]),
    ];
    const r = evaluateExamples(
      rows,
      [
        ...test,
        { text: 'what is the weather like in paris', label: 'oos' },
        { text: 'tell me a joke about dogs', label: 'oos' },
      ],
      { oosLabel: 'oos', latencyRuns: 1 },
    );
    expect(r.oos!.heldOutOosRows).toBe(12);
    expect(r.oos!.note).toMatch(/too few \(12 could be held out; 20 needed\)/);
    expect(r.oos!.at95.recall).toBe(1);
    expect(r.oos!.at95.inScopeAccuracy).toBeGreaterThan(0.5);
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
      const args = [
        'eval',
        'intents',
        '--train',
        join(dir, 'train.csv'),
        '--test',
        join(dir, 'test.csv'),
        '--label-column',
        'category',
      ];
      await program.parseAsync(['node', 'deskmind', ...args, '--json']);
      const json = JSON.parse(out.join(''));
      expect(Object.keys(json)).toEqual(
        expect.arrayContaining([
          'accuracy',
          'macroF1',
          'ece',
          'coverage95',
          'coverage98',
          'oosRecall',
          'inScopeAccuracy',
          'trainSeconds',
          'latencyMs',
        ]),
      );
      out.length = 0;
      await program.parseAsync(['node', 'deskmind', ...args]);
      expect(out.join('')).toMatch(/accuracy\s+\d+\.\d+%/);
      expect(out.join('')).toMatch(/coverage @98% prec\./);
    } finally {
      spy.mockRestore();
    }
  });
});
