import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerReplay, type ReplayCliOptions } from '../cli/commands/replay.js';
import { replay, ReplayResultSchema, shuffled, takeSeed, type ReplayResult } from './replay.js';
import type { LabelledExample } from '../nlp/intent/index.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each intent has many distinct words, so a tiny seed misses most of them and the stream teaches them. */
const INTENTS: Record<string, string[]> = {
  refund: [
    'refund',
    'money back',
    'reimburse',
    'chargeback',
    'repayment',
    'return my payment',
    'credit back',
    'compensation',
    'rebate',
    'refunded',
  ],
  password: [
    'password',
    'log in',
    'login',
    'sign in',
    'locked out',
    'reset link',
    'credentials',
    'two factor code',
    'passcode',
    'username',
  ],
  shipping: [
    'parcel',
    'delivery',
    'shipment',
    'courier',
    'tracking number',
    'package',
    'dispatch',
    'postage',
    'shipped',
    'arrive',
  ],
  invoice: [
    'invoice',
    'receipt',
    'billing statement',
    'vat number',
    'tax document',
    'bill',
    'pdf of my bill',
    'billing address',
    'company details on the invoice',
    'proforma',
  ],
};
const TEMPLATES = [
  'how do I get my {w} sorted',
  'question about {w} please',
  'can you help with {w} today',
  'I need help: {w}',
  'what is the status of my {w}',
  '{w} not working for me, thanks',
];

function synthetic(n: number, seed: number): LabelledExample[] {
  const r = rng(seed);
  const labels = Object.keys(INTENTS);
  return Array.from({ length: n }, () => {
    const label = labels[Math.floor(r() * labels.length)]!;
    const words = INTENTS[label]!;
    const w = words[Math.floor(r() * words.length)]!;
    return { text: TEMPLATES[Math.floor(r() * TEMPLATES.length)]!.replace('{w}', w), label };
  });
}

describe('replay (learning curve)', () => {
  let result: ReplayResult;
  const seed = synthetic(40, 1);
  const stream = synthetic(400, 2);
  const test = synthetic(200, 3);

  it('takes the first K examples of each intent as the seed', () => {
    const { seed: s, rest } = takeSeed(seed, 2);
    expect(s).toHaveLength(8);
    expect(new Set(s.map((e) => e.label)).size).toBe(4);
    expect(s.length + rest.length).toBe(seed.length);
  });

  it('prints blocks whose accuracy rises as the model learns from the stream', () => {
    result = replay(seed, stream, test, { seedPerIntent: 2, block: 100 });
    expect(() => ReplayResultSchema.parse(result)).not.toThrow();
    expect(result.curve).toHaveLength(4);
    expect(result.curve.map((b) => b.from)).toEqual([1, 101, 201, 301]);
    expect(result.curve.every((b) => b.tickets === 100)).toBe(true);
    expect(result.curve.at(-1)!.accuracy).toBeGreaterThan(result.curve[0]!.accuracy);
    expect(result.rows).toEqual({ seed: 8, stream: 400, test: 200, intents: 4 });
    expect(result.final.testAccuracy).toBeGreaterThan(0.9);
    expect(result.batchTestAccuracy).toBeGreaterThan(0.9);
    expect(result.note).toMatch(/no tickets are written to a database/);
  });

  it(
    "runs the sweep's work once a simulated day: a background retrain through the guard, thresholds from the " +
      'start level',
    () => {
      // 400 tickets at 200 a day: the sweep runs once, before ticket 201, with 208 labels against 8 trained on;
      // the newest tenth of the labels is the window
      expect(result.retrains).toEqual([
        expect.objectContaining({ afterTickets: 200, status: 'promoted', examples: 208, window: 20 }),
      ]);
      expect(result.settings).toEqual({ startThreshold: 0.97, targetSuccess: 0.95, ticketsPerDay: 200, retrain: true });
      expect(result.curve[0]!.thresholds).toEqual({ mean: 0.97, min: 0.97 });
      const online = replay(seed, stream, test, { seedPerIntent: 2, block: 100, retrain: false });
      expect(online.retrains).toEqual([]);
    },
  );

  it('computes the wrong-answer rate over autonomous answers only', () => {
    for (const b of result.curve) {
      expect(b.autonomousAnswers).toBeLessThanOrEqual(b.tickets);
      // accepted + wrong answers = autonomous answers
      const accepted = Math.round(b.autoResolutionRate * b.tickets);
      if (b.autonomousAnswers === 0) expect(b.wrongAnswerRate).toBeNull();
      else expect(b.wrongAnswerRate! * b.autonomousAnswers + accepted).toBeCloseTo(b.autonomousAnswers, 6);
      expect(b.thresholds.min).toBeLessThanOrEqual(b.thresholds.mean);
    }
    expect(result.final.autoResolutionRate).toBe(result.curve.at(-1)!.autoResolutionRate);
    expect(result.final.wrongAnswerRate).toBe(result.curve.at(-1)!.wrongAnswerRate);
  });

  it('shuffles the stream reproducibly when asked', () => {
    const sorted = [...stream].sort((a, b) => a.label.localeCompare(b.label));
    expect(shuffled(sorted, 5)).toEqual(shuffled(sorted, 5));
    expect(shuffled(sorted, 5)).not.toEqual(sorted);
    const r = replay(seed, sorted.slice(0, 120), test.slice(0, 20), { seedPerIntent: 2, block: 60, shuffleSeed: 5 });
    expect(r.note).toMatch(/stream shuffled \(seed 5\)/);
    expect(result.note).toMatch(/stream in file order/);
  });

  it('stops at the end of the stream with a short last block', () => {
    const r = replay(seed, stream.slice(0, 150), test.slice(0, 20), { seedPerIntent: 2, block: 100 });
    expect(r.curve.map((b) => [b.from, b.tickets])).toEqual([
      [1, 100],
      [101, 50],
    ]);
  });
});

describe('deskmind replay (argument parsing)', () => {
  /** Parses argv with the real command definition; returns the options the action receives. */
  function parse(args: string[]): ReplayCliOptions {
    const program = new Command().exitOverride();
    registerReplay(program);
    const cmd = program.commands.find((c) => c.name() === 'replay')!;
    cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    let seen: ReplayCliOptions | undefined;
    cmd.action((opts: ReplayCliOptions) => {
      seen = opts;
    });
    program.parse(['replay', ...args], { from: 'user' });
    return seen!;
  }

  it('applies the defaults', () => {
    expect(parse(['--seed', 's.csv', '--stream', 'x.csv', '--test', 't.csv'])).toEqual({
      seed: 's.csv',
      stream: 'x.csv',
      test: 't.csv',
      seedPerIntent: 10,
      textColumn: 'text',
      labelColumn: 'label',
      block: 500,
      ticketsPerDay: 200,
      startThreshold: 0.97,
      retrain: true,
      json: false,
    });
  });

  it('reads every option', () => {
    const o = parse([
      '--seed',
      's',
      '--stream',
      'x',
      '--test',
      't',
      '--seed-per-intent',
      '5',
      '--text-column',
      'q',
      '--label-column',
      'category',
      '--block',
      '50',
      '--json',
    ]);
    expect(o).toMatchObject({ seedPerIntent: 5, textColumn: 'q', labelColumn: 'category', block: 50, json: true });
    expect(parse(['--seed', 's', '--stream', 'x', '--test', 't', '--shuffle', '7']).shuffle).toBe(7);
    expect(
      parse([
        '--seed',
        's',
        '--stream',
        'x',
        '--test',
        't',
        '--start-threshold',
        '0.9',
        '--target-success',
        '0.98',
        '--tickets-per-day',
        '50',
        '--no-retrain',
      ]),
    ).toMatchObject({
      startThreshold: 0.9,
      targetSuccess: 0.98,
      ticketsPerDay: 50,
      retrain: false,
    });
    expect(() => parse(['--seed', 's', '--stream', 'x', '--test', 't', '--target-success', '0.3'])).toThrow(
      /from 0.5 to 1/,
    );
  });

  it('rejects missing files and bad numbers', () => {
    expect(() => parse(['--seed', 's', '--stream', 'x'])).toThrow(/--test/);
    expect(() => parse(['--seed', 's', '--stream', 'x', '--test', 't', '--block', '0'])).toThrow(/positive integer/);
    expect(() => parse(['--seed', 's', '--stream', 'x', '--test', 't', '--seed-per-intent', 'ten'])).toThrow(
      /positive integer/,
    );
  });

  it('says in its help that it is an in-memory simulation', () => {
    const program = new Command();
    registerReplay(program);
    expect(program.commands[0]!.helpInformation().replace(/\s+/g, ' ')).toMatch(
      /in-memory simulation .*writes nothing to a database/,
    );
  });
});
