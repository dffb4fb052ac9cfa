import { and, asc, desc, eq, inArray, isNotNull, isNull, ne } from 'drizzle-orm';
import { DeskmindError } from '../domain/errors.js';
import { evaluateExamples, readLabelledFile } from '../nlp/eval.js';
import type { LabelledExample } from '../nlp/intent/index.js';
import { starterExamples } from '../nlp/taxonomy.js';
import type { IntentModels } from '../pipeline/intent-port.js';
import { messages, tickets } from '../store/schema.js';
import type { Ctx } from './context.js';

/**
 * The workspace's human-labelled tickets as training examples: tickets whose intent was set by a
 * person (imported with a label, or relabelled by an agent) — never the assistant's own guesses,
 * which carry a model confidence. The text is the subject and the customer's first message.
 */
export async function labelledTicketExamples(ctx: Ctx, limit = 100_000, opts: { only?: string; except?: string } = {}): Promise<LabelledExample[]> {
  return (await labelledTickets(ctx, limit, opts)).map(({ text, label }) => ({ text, label }));
}

/** {@link labelledTicketExamples} with each ticket's id, newest label first. */
export async function labelledTickets(ctx: Ctx, limit = 100_000, opts: { only?: string; except?: string } = {}): Promise<(LabelledExample & { id: string })[]> {
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
  if (rows.length === 0) return [];
  // The first customer message of the tickets chosen only (never of every labelled ticket), a chunk at a time.
  const first = new Map<string, string>();
  for (let i = 0; i < rows.length; i += 1000) {
    const ids = rows.slice(i, i + 1000).map((r) => r.id);
    const msgs = await ctx.db
      .select({ ticketId: messages.ticketId, text: messages.bodyText })
      .from(messages)
      .where(and(eq(messages.workspaceId, ctx.workspaceId), eq(messages.authorType, 'customer'), inArray(messages.ticketId, ids)))
      .orderBy(asc(messages.createdAt), asc(messages.id));
    for (const m of msgs) if (!first.has(m.ticketId)) first.set(m.ticketId, m.text);
  }
  return rows.map((r) => ({ id: r.id, text: `${r.subject}\n${first.get(r.id) ?? ''}`.trim(), label: r.intent! }));
}

/** Where training examples come from. */
export interface TrainingSources {
  tickets: boolean;
  file?: { path: string; textColumn: string; labelColumn: string } | undefined;
  starter: boolean;
}

/** Gathers labelled examples from the workspace's tickets, a file and the starter taxonomy. */
export async function gatherTrainingExamples(ctx: Ctx, sources: TrainingSources): Promise<{ examples: LabelledExample[]; counts: Record<string, number> }> {
  const examples: LabelledExample[] = [];
  const counts: Record<string, number> = {};
  const add = (name: string, rows: LabelledExample[]) => {
    counts[name] = rows.length;
    examples.push(...rows);
  };
  if (sources.tickets) add('tickets', await labelledTicketExamples(ctx));
  if (sources.file) add('file', readLabelledFile(sources.file.path, sources.file.textColumn, sources.file.labelColumn));
  if (sources.starter) add('starter', starterExamples().map(({ text, label }) => ({ text, label })));
  return { examples, counts };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Trains the workspace's intent classifier on `examples` and stores it as the next version. With 50 or
 * more examples, 15% is held out first for an honest accuracy and calibration report.
 */
export async function trainWorkspaceIntents(models: IntentModels, workspaceId: string, examples: LabelledExample[], counts: Record<string, number>) {
  const labels = new Set(examples.map((e) => e.label)).size;
  if (labels < 2) throw new DeskmindError('validation_failed', 'Training needs labelled examples of at least two intents');
  const shuffled = [...examples].sort((a, b) => hash(a.text) - hash(b.text));
  const cut = Math.max(1, Math.floor(shuffled.length * 0.15));
  const heldOut = examples.length >= 50 ? evaluateExamples(shuffled.slice(cut), shuffled.slice(0, cut)) : null;
  const { version, seconds } = await models.train(workspaceId, examples, { sources: counts, heldOut });
  return { workspaceId, model: 'intent', version, examples: examples.length, labels, sources: counts, trainSeconds: seconds, heldOut };
}
