/**
 * Replay: the learning curve of the understand → decide → learn loop, simulated in memory.
 *
 * A workspace model starts from K labelled examples per intent; a labelled stream is then replayed as
 * tickets in order, `ticketsPerDay` to a simulated day. Each ticket is classified, the decision policy
 * decides (default autonomy settings but a conservative starting threshold), a simulated customer accepts
 * a correct answer or reopens a wrong one, and every label the loop learns (confirmed answers, agents'
 * labels on reopened and handed-off tickets) updates the model online. Once a simulated day, as the
 * product's sweep does, the thresholds are tuned ({@link planThresholds}, with handed-off tickets as
 * evidence) and, when due, the model is retrained on all its labels and promoted through the window guard
 * ({@link retrainWithGuard}). Nothing is written to a database, and there is no knowledge base: every
 * intent has an auto answer playbook and retrieval is taken as perfect.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { AutonomySettingsSchema } from '../domain/settings.js';
import { readLabelledFile } from '../nlp/eval.js';
import { IntentClassifier, type LabelledExample } from '../nlp/intent/index.js';
import { rng } from '../nlp/intent/numeric.js';
import { detectLanguage } from '../nlp/language.js';
import { analyseSentiment } from '../nlp/sentiment.js';
import { asksForHuman, decide, thresholdFor } from '../pipeline/stages/policy.js';
import { heldExamples, RETRAIN_SPAN, retrainDue, retrainWithGuard, type WindowLabel } from './retrain-guard.js';
import { LearningSettingsSchema, planThresholds, type ThresholdSample } from './thresholds.js';

/** What the replay output says about how it was produced. */
export const REPLAY_NOTE =
  'in-memory simulation of the understand/decide/learn loop (no tickets are written to a database); ' +
  'no knowledge base: every intent has an auto answer playbook and retrieval counts as perfect (retrievalScore 1), ' +
  "and with no answer check to stand in for the threshold the classifier's confidence must reach it; " +
  'a resolved ticket is accepted when the predicted intent equals its label, else reopened; agents confirm the ' +
  'label of every other ticket; ' +
  "every label updates the model online (without the per-label guard window); once a simulated day the sweep's " +
  'work runs: ' +
  "thresholds tuned by planThresholds (answers and handed-off tickets with an agent's label as evidence) and, " +
  'when due, ' +
  'a retrain on all labels promoted through the window guard (the live side rebuilt from its last training without ' +
  'the window; instantly: the product runs it as a background job ' +
  'while the old model serves)';

export const ReplayOptionsSchema = z.object({
  /** Labelled examples per intent the model starts from. */
  seedPerIntent: z.number().int().min(1).default(10),
  /** Tickets per block of the learning curve. */
  block: z.number().int().min(1).default(500),
  /** Shuffle the stream with this seed (files sorted by label make a stream of one intent at a time); null keeps file
   * order. */
  shuffleSeed: z.number().int().nullable().default(null),
  /** Tickets per simulated day (the sweep tunes thresholds and checks for a due retrain once a day). */
  ticketsPerDay: z.number().int().min(1).default(200),
  /** The workspace's default threshold at the start: conservative, as the model has seen only the seed. */
  startThreshold: z.number().min(0).max(1).default(0.97),
  /** The tuner's success target (`learning.targetSuccess`); null keeps the workspace default. */
  targetSuccess: z.number().min(0.5).max(0.999).nullable().default(null),
  /** Retrain in the background when due (`learning.retrainMinLabels`, `learning.retrainGrowth`). */
  retrain: z.boolean().default(true),
});
export type ReplayOptions = z.infer<typeof ReplayOptionsSchema> & { onProgress?: (message: string) => void };

/** One block of the learning curve. */
export const ReplayBlockSchema = z.object({
  /** 1-based index of the block's first ticket in the stream. */
  from: z.number().int(),
  tickets: z.number().int(),
  /** Share of the block's tickets whose top intent equals the label. */
  accuracy: z.number(),
  /** Tickets resolved by the assistant and accepted, over the block's tickets. */
  autoResolutionRate: z.number(),
  /** Wrong answers among the block's autonomous answers; null when the assistant answered none. */
  wrongAnswerRate: z.number().nullable(),
  autonomousAnswers: z.number().int(),
  /** Per-intent thresholds in force at the end of the block, over every known intent. */
  thresholds: z.object({ mean: z.number(), min: z.number() }),
});
export type ReplayBlock = z.infer<typeof ReplayBlockSchema>;

/** One background retrain of the replay. */
export const ReplayRetrainSchema = z.object({
  /** Tickets streamed before it ran. */
  afterTickets: z.number().int(),
  status: z.enum(['promoted', 'rejected']),
  examples: z.number().int(),
  window: z.number().int(),
  /** Live model's accuracy on the window when the tickets arrived, and the candidate's. */
  before: z.number().nullable(),
  after: z.number().nullable(),
  /** The promoted model's second calibration map, fitted on the window (null when none was fitted). */
  recalibration: z.object({ slope: z.number(), intercept: z.number(), n: z.number().int() }).nullable().default(null),
  seconds: z.number(),
});

export const ReplayResultSchema = z.object({
  note: z.string(),
  settings: z.object({
    startThreshold: z.number(),
    targetSuccess: z.number(),
    ticketsPerDay: z.number().int(),
    retrain: z.boolean(),
  }),
  rows: z.object({
    seed: z.number().int(),
    stream: z.number().int(),
    test: z.number().int(),
    intents: z.number().int(),
  }),
  curve: z.array(ReplayBlockSchema),
  final: z.object({
    /** The model after the stream, on the test file. */
    testAccuracy: z.number(),
    /** Over the last block. */
    autoResolutionRate: z.number(),
    /** Over the last block's autonomous answers. */
    wrongAnswerRate: z.number().nullable(),
  }),
  /** The same model trained at once on every seed and stream label, on the test file. */
  batchTestAccuracy: z.number(),
  retrains: z.array(ReplayRetrainSchema),
  seconds: z.number(),
});
export type ReplayResult = z.infer<typeof ReplayResultSchema>;

/** The first `k` examples of each label (file order) and the rest, in order. */
export function takeSeed(examples: LabelledExample[], k: number): { seed: LabelledExample[]; rest: LabelledExample[] } {
  const taken = new Map<string, number>();
  const seed: LabelledExample[] = [];
  const rest: LabelledExample[] = [];
  for (const e of examples) {
    const n = taken.get(e.label) ?? 0;
    if (n < k) {
      taken.set(e.label, n + 1);
      seed.push(e);
    } else rest.push(e);
  }
  return { seed, rest };
}

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffled<T>(items: T[], seed: number): T[] {
  const r = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Share of examples whose top intent is the label. */
export function testAccuracy(model: IntentClassifier, test: LabelledExample[]): number {
  if (test.length === 0) return 0;
  return test.filter((e) => model.predict(e.text).topIntent === e.label).length / test.length;
}

/**
 * Replays `stream` as tickets on a model trained on `seed` (K per intent of it) and scores the result
 * on `test`; see the module comment for the simulation.
 *
 * @example replay(seedRows, streamRows, testRows, { seedPerIntent: 10, block: 500 }).curve.at(-1)?.accuracy
 */
export function replay(
  seedRows: LabelledExample[],
  streamRows: LabelledExample[],
  test: LabelledExample[],
  options: Partial<ReplayOptions> = {},
): ReplayResult {
  const o: ReplayOptions = {
    ...ReplayOptionsSchema.parse(options),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const t0 = performance.now();
  const { seed } = takeSeed(seedRows, o.seedPerIntent);
  const stream = o.shuffleSeed === null ? streamRows : shuffled(streamRows, o.shuffleSeed);
  let model = IntentClassifier.train(seed);
  /** The live model as its last training left it (the retrain guard rebuilds it without the window's labels). */
  let base = IntentClassifier.fromBuffer(model.toBuffer());
  const settings = AutonomySettingsSchema.parse({ defaultThreshold: o.startThreshold });
  const learning = LearningSettingsSchema.parse(o.targetSuccess === null ? {} : { targetSuccess: o.targetSuccess });
  /** Evidence per intent, with the simulated day it came from (for the lookback). */
  const samples = new Map<string, (ThresholdSample & { day: number })[]>();
  const addSample = (intent: string, sample: ThresholdSample & { day: number }) => {
    const list = samples.get(intent);
    if (list) list.push(sample);
    else samples.set(intent, [sample]);
  };
  const playbook = { kind: 'answer' as const, mode: 'auto' as const, threshold: null };
  /** Recent human labels and whether the live model got them right on arrival (the retrain guard's window). */
  const recent: WindowLabel[] = [];
  let trainedOn = seed.length;
  const retrains: z.input<typeof ReplayRetrainSchema>[] = [];

  const curve: ReplayBlock[] = [];
  let blk = { correct: 0, accepted: 0, answers: 0, wrong: 0, n: 0 };
  const closeBlock = (from: number) => {
    const levels = model.labels.map((l) => thresholdFor(settings, l, null));
    curve.push({
      from,
      tickets: blk.n,
      accuracy: blk.correct / blk.n,
      autoResolutionRate: blk.accepted / blk.n,
      wrongAnswerRate: blk.answers ? blk.wrong / blk.answers : null,
      autonomousAnswers: blk.answers,
      thresholds: {
        mean: levels.reduce((a, b) => a + b, 0) / (levels.length || 1),
        min: levels.length ? Math.min(...levels) : settings.defaultThreshold,
      },
    });
    blk = { correct: 0, accepted: 0, answers: 0, wrong: 0, n: 0 };
  };

  /** The sweep's daily work: tune the thresholds on the lookback's evidence, and retrain when due. */
  const sweep = (day: number, ticketsSoFar: number) => {
    if (learning.enabled) {
      const inLookback = new Map(
        [...samples].map(([intent, list]) => [intent, list.filter((x) => day - x.day < learning.lookbackDays)]),
      );
      const plan = planThresholds({
        defaultThreshold: settings.defaultThreshold,
        intentThresholds: settings.intentThresholds,
        samples: inLookback,
        settings: learning,
      });
      settings.defaultThreshold = plan.defaultThreshold;
      settings.intentThresholds = plan.intentThresholds;
    }
    if (o.retrain && retrainDue(model.size, trainedOn, learning)) {
      o.onProgress?.(`retrain after ${ticketsSoFar} tickets on ${model.size} labels`);
      const live = { base, online: heldExamples(model).slice(base.size) };
      const r = retrainWithGuard(heldExamples(model), recent, {}, null, live);
      retrains.push({
        afterTickets: ticketsSoFar,
        status: r.status,
        examples: r.examples,
        window: r.window,
        before: r.before,
        after: r.after,
        recalibration: r.status === 'promoted' ? r.recalibration : null,
        seconds: r.seconds,
      });
      if (r.status === 'promoted') {
        model = r.model;
        base = IntentClassifier.fromBuffer(model.toBuffer());
      }
      trainedOn = model.size;
    }
  };

  stream.forEach((ticket, i) => {
    const day = Math.floor(i / o.ticketsPerDay);
    if (i > 0 && i % o.ticketsPerDay === 0) sweep(day, i);
    const intent = model.predict(ticket.text);
    const decision = decide({
      settings,
      language: detectLanguage(ticket.text, { supported: settings.languages }),
      intent,
      sentiment: analyseSentiment(ticket.text),
      text: ticket.text,
      tier: null,
      repeatContacts: 0,
      reopenCount: 0,
      aiReplies: 0,
      humanRequested: asksForHuman(ticket.text),
      playbook,
      retrievalScore: 1,
    });
    const right = intent.topIntent === ticket.label;
    blk.n++;
    if (right) blk.correct++;
    // no knowledge base, so no answer check to stand in for the threshold: the confidence itself must reach it
    if (decision.decision === 'resolve' && intent.intent && intent.confidence >= decision.threshold) {
      // the customer accepts a right answer and reopens a wrong one; the tuner learns the outcome
      blk.answers++;
      if (right) blk.accepted++;
      else blk.wrong++;
      addSample(intent.intent, { confidence: intent.confidence, success: right, day });
    } else if (intent.topIntent && learning.handoffEvidence) {
      // handed off: the agent's label says whether the prediction at this confidence was right
      addSample(intent.topIntent, { confidence: intent.confidence, success: right, day });
    }
    // confirmed answer, or the agent's label on a reopened or handed-off ticket
    model.update(ticket);
    recent.push({ ...ticket, liveRight: right });
    if (recent.length > 2 * RETRAIN_SPAN) recent.splice(0, recent.length - RETRAIN_SPAN);
    if (blk.n === o.block || i === stream.length - 1) {
      closeBlock(i + 2 - blk.n);
      const b = curve.at(-1)!;
      o.onProgress?.(
        `block from ${b.from}: accuracy ${b.accuracy.toFixed(3)}, auto ${b.autoResolutionRate.toFixed(3)}, wrong ` +
          `${b.wrongAnswerRate?.toFixed(4)}, threshold ${b.thresholds.mean.toFixed(3)}`,
      );
    }
  });

  const finalAccuracy = testAccuracy(model, test);
  const batchTestAccuracy = testAccuracy(IntentClassifier.train([...seed, ...stream]), test);
  const last = curve.at(-1);
  return ReplayResultSchema.parse({
    note:
      REPLAY_NOTE + (o.shuffleSeed === null ? '; stream in file order' : `; stream shuffled (seed ${o.shuffleSeed})`),
    settings: {
      startThreshold: o.startThreshold,
      targetSuccess: learning.targetSuccess,
      ticketsPerDay: o.ticketsPerDay,
      retrain: o.retrain,
    },
    rows: { seed: seed.length, stream: stream.length, test: test.length, intents: model.labels.length },
    curve,
    final: {
      testAccuracy: finalAccuracy,
      autoResolutionRate: last?.autoResolutionRate ?? 0,
      wrongAnswerRate: last?.wrongAnswerRate ?? null,
    },
    batchTestAccuracy,
    retrains,
    seconds: (performance.now() - t0) / 1000,
  });
}

/**
 * Reads the files and runs {@link replay}. When the seed and stream files are the same file, the
 * stream is what remains of it after the seed (so no ticket was seen in training).
 */
export function replayFiles(
  files: { seed: string; stream: string; test: string },
  options: Partial<ReplayOptions> & { textColumn?: string; labelColumn?: string } = {},
): ReplayResult {
  const read = (path: string) => readLabelledFile(path, options.textColumn ?? 'text', options.labelColumn ?? 'label');
  const o = ReplayOptionsSchema.parse(options);
  const seedRows = read(files.seed);
  const stream =
    resolve(files.seed) === resolve(files.stream) ? takeSeed(seedRows, o.seedPerIntent).rest : read(files.stream);
  return replay(seedRows, stream, read(files.test), {
    ...o,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
