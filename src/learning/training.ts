import { and, desc, eq, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import { evaluateExamples, readLabelledFile } from '../nlp/eval.js';
import type { LabelledExample } from '../nlp/intent/index.js';
import { IntentClassifier } from '../nlp/intent/index.js';
import { type SentenceVectors, stratifiedSplit } from '../nlp/intent/model.js';
import { STARTER_TAXONOMY, starterExamples } from '../nlp/taxonomy.js';
import type { IntentModels } from '../pipeline/ports/intent-port.js';
import { tickets } from '../store/schema.js';
import { intentArticles } from '../store/repos/intent-memory.js';
import type { SentenceVectorsOf } from './sentence-vectors.js';
import { articlePhrases, articleStatements } from '../nlp/intent/memory.js';
import type { Ctx } from '../store/ctx.js';
import { firstCustomerMessages } from '../store/repos/messages.js';
import { allocateSample, describeSample, TRAINING_SAMPLE_MAX, type LabelSample } from './label-sample.js';

/**
 * The workspace's human-labelled tickets as training examples: tickets whose intent was set by a
 * person (imported with a label, or relabelled by an agent) — never the assistant's own guesses,
 * which carry a model confidence. The text is the subject and the customer's first message.
 */
export async function labelledTicketExamples(
  ctx: Ctx,
  limit = 100_000,
  opts: { only?: string; except?: string } = {},
): Promise<LabelledExample[]> {
  return (await labelledTickets(ctx, limit, opts)).map(({ text, label }) => ({ text, label }));
}

/** {@link labelledTicketExamples} with each ticket's id, newest label first. */
export async function labelledTickets(
  ctx: Ctx,
  limit = 100_000,
  opts: { only?: string; except?: string } = {},
): Promise<(LabelledExample & { id: string })[]> {
  const rows = await ctx.db
    .select({ id: tickets.id, subject: tickets.subject, intent: tickets.intent })
    .from(tickets)
    .where(
      and(
        eq(tickets.workspaceId, ctx.workspaceId),
        isNotNull(tickets.intent),
        isNull(tickets.intentConfidence),
        opts.only ? eq(tickets.id, opts.only) : undefined,
        opts.except ? ne(tickets.id, opts.except) : undefined,
      ),
    )
    .orderBy(desc(tickets.updatedAt))
    .limit(limit);
  return withFirstMessages(ctx, rows);
}

/** Labelled tickets as examples: the subject and the first customer message (read for these tickets only). */
async function withFirstMessages(
  ctx: Ctx,
  rows: { id: string; subject: string; intent: string | null }[],
): Promise<(LabelledExample & { id: string })[]> {
  if (rows.length === 0) return [];
  const first = await firstCustomerMessages(
    ctx.db,
    ctx.workspaceId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ id: r.id, text: `${r.subject}\n${first.get(r.id) ?? ''}`.trim(), label: r.intent! }));
}

/**
 * A sample of the workspace's human-labelled tickets ({@link labelledTickets}' labels) of at most `max`, stratified
 * by intent ({@link allocateSample}: rare intents whole, the others their newest tickets), read with bounded
 * queries: one count per intent, then each intent's newest tickets from the (workspace, intent, created) index.
 * Memory and time stay bounded by `max`, whether the workspace holds 10k labels or 1M. Oldest first.
 */
export async function labelledTicketSample(
  ctx: Ctx,
  max = TRAINING_SAMPLE_MAX,
): Promise<{ examples: (LabelledExample & { id: string })[]; sample: LabelSample }> {
  const human = and(
    eq(tickets.workspaceId, ctx.workspaceId),
    isNotNull(tickets.intent),
    isNull(tickets.intentConfidence),
  );
  const countRows = await ctx.db
    .select({ intent: tickets.intent, n: sql<number>`count(*)::int` })
    .from(tickets)
    .where(human)
    .groupBy(tickets.intent);
  const counts = new Map(countRows.map((r) => [r.intent!, Number(r.n)]));
  const allocation = allocateSample(counts, max);
  const sample = describeSample(counts, allocation, max);
  if (!allocation.size) return { examples: [], sample };
  const { rows } = (await ctx.db.execute(
    sql`select t.id, t.subject, t.intent, t.created_at from
          unnest(${sql.param([...allocation.keys()])}::text[], ${sql.param([...allocation.values()])}::int[])
            as q(intent, n)
        cross join lateral (
          select id, subject, intent, created_at from ${tickets}
          where workspace_id = ${ctx.workspaceId} and intent = q.intent and intent_confidence is null
          order by created_at desc, id desc limit q.n
        ) t
        order by t.created_at, t.id`,
  )) as unknown as { rows: { id: string; subject: string; intent: string }[] };
  return { examples: await withFirstMessages(ctx, rows), sample };
}

/** Where training examples come from. */
export interface TrainingSources {
  tickets: boolean;
  file?: { path: string; textColumn: string; labelColumn: string } | undefined;
  starter: boolean;
  /** What the workspace's published articles say they answer, as examples of the intents they are written for. */
  articles?: boolean | undefined;
}

/** A workspace whose own labels name at least this many intents outside the starter taxonomy has its own taxonomy. */
export const OWN_TAXONOMY_MIN_LABELS = 5;

/**
 * What becomes of the starter taxonomy beside the workspace's own labels. With a taxonomy of its own (at least
 * `OWN_TAXONOMY_MIN_LABELS` intents outside the starter's, and at least half of its labels), the starter's
 * intents are retired — except those the workspace labels too, whose phrasings are merged into its examples: a
 * SaaS starter's `other` or `outage` trained beside a shop's intents only takes the shop's questions away from
 * them. Otherwise (a few labels of its own, or the starter's ids) both are used together.
 */
export function starterPolicy(own: LabelledExample[]): {
  use: 'all' | 'shared';
  kept: string[];
  retired: string[];
  reason: string;
} {
  const starterIds = new Set(STARTER_TAXONOMY.map((i) => i.id));
  const ownLabels = new Set(own.map((e) => e.label));
  const outside = [...ownLabels].filter((l) => !starterIds.has(l));
  if (outside.length >= OWN_TAXONOMY_MIN_LABELS && outside.length * 2 >= ownLabels.size) {
    const kept = [...starterIds].filter((id) => ownLabels.has(id));
    return {
      use: 'shared',
      kept,
      retired: [...starterIds].filter((id) => !ownLabels.has(id)),
      reason:
        `the workspace labels ${outside.length} intents of its own: the starter intents it does not use are ` +
        `retired`,
    };
  }
  return {
    use: 'all',
    kept: [...starterIds],
    retired: [],
    reason: outside.length
      ? `${outside.length} intents of its own (fewer than ${OWN_TAXONOMY_MIN_LABELS}): trained beside the starter ` +
        `taxonomy`
      : 'the starter taxonomy',
  };
}

/**
 * What the workspace's published articles say they answer — titles, headings and the questions in their bodies
 * (`articlePhrases`) — as examples of the intent each article is written for (its first): a workspace with
 * articles and few labels then recognises paraphrases of the questions its articles answer. An article of
 * several intents teaches its first only: the same phrase under two labels teaches neither.
 */
export async function articleExamples(ctx: Ctx): Promise<LabelledExample[]> {
  const docs = await intentArticles(ctx.db, ctx.workspaceId);
  return docs.flatMap((d) => [
    ...articlePhrases(d.title, d.body).map((text) => ({ text, label: d.intents[0]! })),
    ...articleStatements(d.body).map((text) => ({ text, label: d.intents[0]!, calibrate: false })),
  ]);
}

/** Gathers labelled examples from the workspace's tickets, a file and the starter taxonomy (see `starterPolicy`). */
export async function gatherTrainingExamples(
  ctx: Ctx,
  sources: TrainingSources,
): Promise<{
  examples: LabelledExample[];
  counts: Record<string, number>;
  starter: ReturnType<typeof starterPolicy> | null;
  /** What the sample of the workspace's labelled tickets kept ({@link labelledTicketSample}); null without them. */
  sample: LabelSample | null;
}> {
  const examples: LabelledExample[] = [];
  const counts: Record<string, number> = {};
  const add = (name: string, rows: LabelledExample[]) => {
    counts[name] = rows.length;
    examples.push(...rows);
  };
  let sample: LabelSample | null = null;
  if (sources.tickets) {
    const read = await labelledTicketSample(ctx);
    sample = read.sample;
    add(
      'tickets',
      read.examples.map(({ text, label }) => ({ text, label })),
    );
  }
  if (sources.file) add('file', readLabelledFile(sources.file.path, sources.file.textColumn, sources.file.labelColumn));
  if (sources.articles) add('articles', await articleExamples(ctx));
  const policy = sources.starter ? starterPolicy(examples) : null;
  if (policy) {
    const kept = new Set(policy.kept);
    add(
      'starter',
      starterExamples()
        .filter((e) => kept.has(e.label))
        .map(({ text, label }) => ({ text, label })),
    );
  }
  return { examples, counts, starter: policy, sample };
}

/** Share of correctly classified held-out labels the workspace's out-of-scope confidence must keep in scope. */
export const OOS_KEEP_CORRECT = 0.95;
/** Held-out share of the customer's labels used to fit it. */
const OOS_PROBE_SHARE = 0.2;

/**
 * The out-of-scope decision of a workspace with its own taxonomy, fitted on its own labels: a probe model is
 * trained on 80% of them and the remaining 20% are classified; the confidence returned is the highest that
 * keeps `OOS_KEEP_CORRECT` of the correctly classified ones in scope. A small, fine-grained taxonomy has close
 * neighbours (cancel vs change an order), whose competition the classifier's generic threshold reads as "none
 * of them". The pipeline then counts a prediction at or above it as in scope (`inScopeByWorkspace`); the
 * answer itself still needs the playbook's confidence threshold. Null when there are too few labels.
 */
export function fitWorkspaceOos(
  examples: LabelledExample[],
  seed = 11,
  /** The examples' sentence vectors, when the model reads them: the probe then reads as the model does. */
  sentence: SentenceVectors | null = null,
): { confidence: number; heldOut: number; correct: number } | null {
  const labels = examples.map((e) => e.label);
  const [fitIdx, holdIdx] = stratifiedSplit(labels, OOS_PROBE_SHARE, seed);
  if (holdIdx.length < 20 || new Set(fitIdx.map((i) => labels[i])).size < 2) return null;
  const probe = IntentClassifier.train(
    fitIdx.map((i) => examples[i]!),
    {},
    sentence ? { encoderId: sentence.encoderId, vectors: fitIdx.map((i) => sentence.vectors[i]!) } : null,
  );
  const correct = holdIdx
    .map((i) => ({ p: probe.predict(examples[i]!.text, sentence?.vectors[i] ?? null), label: labels[i]! }))
    .filter(({ p, label }) => p.topIntent === label)
    .map(({ p }) => p.confidence)
    .sort((a, b) => a - b);
  if (correct.length < 10) return null;
  const confidence = correct[Math.floor(correct.length * (1 - OOS_KEEP_CORRECT))]!;
  return { confidence: Math.round(confidence * 1000) / 1000, heldOut: holdIdx.length, correct: correct.length };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * What `deskmind train` does: gathers the examples of `sources` ({@link gatherTrainingExamples}) and trains the
 * workspace's model on them ({@link trainWorkspaceIntents}), with their sentence vectors when given.
 */
export async function trainFromSources(
  ctx: Ctx,
  models: IntentModels,
  sources: TrainingSources,
  sentenceVectors: SentenceVectorsOf | null = null,
) {
  const { examples, counts, starter, sample } = await gatherTrainingExamples(ctx, sources);
  return trainWorkspaceIntents(models, ctx.workspaceId, examples, counts, starter, sample, sentenceVectors);
}

/**
 * Trains the workspace's intent classifier on `examples` and stores it as the next version. With 50 or
 * more examples, 15% is held out first for an honest accuracy and calibration report.
 */
export async function trainWorkspaceIntents(
  models: IntentModels,
  workspaceId: string,
  examples: LabelledExample[],
  counts: Record<string, number>,
  starter: ReturnType<typeof starterPolicy> | null = null,
  /** What the tickets' sample kept ({@link gatherTrainingExamples}), stored with the model. */
  sample: LabelSample | null = null,
  /** The examples' sentence vectors (`storedSentenceVectors`): the model also learns from them and reads each ticket's
   * vector (see `IntentClassifier.train`). Null: words alone. */
  sentenceVectors: SentenceVectorsOf | null = null,
) {
  const labels = new Set(examples.map((e) => e.label)).size;
  if (labels < 2)
    throw new DeskmindError('validation_failed', 'Training needs labelled examples of at least two intents');
  // One order for one set of examples: rows read back in another order (ties of a database sort) give the same model.
  const key = (e: LabelledExample) => `${e.label}\n${e.text}`;
  examples = [...examples].sort(
    (a, b) => hash(key(a)) - hash(key(b)) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
  const shuffled = [...examples].sort((a, b) => hash(a.text) - hash(b.text));
  const cut = Math.max(1, Math.floor(shuffled.length * 0.15));
  const heldOut = examples.length >= 50 ? evaluateExamples(shuffled.slice(cut), shuffled.slice(0, cut)) : null;
  // A taxonomy of its own (the starter's intents retired, or never included): the out-of-scope decision is fitted on
  // the customer's labels.
  const sentence = sentenceVectors ? await sentenceVectors(examples.map((e) => e.text)) : null;
  const own = starterPolicy(examples).use === 'shared' ? fitWorkspaceOos(examples, 11, sentence) : null;
  const starterReport = starter ? { use: starter.use, retired: starter.retired, reason: starter.reason } : null;
  const { version, seconds } = await models.train(
    workspaceId,
    examples,
    {
      sources: counts,
      sample,
      heldOut,
      starter: starterReport,
      outOfScope: own
        ? { ...own, rule: `keeps ${OOS_KEEP_CORRECT * 100}% of correctly classified held-out labels in scope` }
        : null,
      sentenceEncoder: sentence?.encoderId ?? null,
    },
    sentence,
  );
  return {
    workspaceId,
    model: 'intent',
    version,
    examples: examples.length,
    labels,
    sources: counts,
    sample,
    trainSeconds: seconds,
    heldOut,
    starter: starterReport,
    outOfScope: own,
  };
}
