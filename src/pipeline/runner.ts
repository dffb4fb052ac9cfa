import { and, desc, eq, ne } from 'drizzle-orm';
import { autonomyOf } from '../domain/settings.js';
import { AI_ANSWERED, DRAFT_PREFIX } from '../domain/tags.js';
import { applyAssignment } from '../routing/apply.js';
import { routeStage } from '../routing/stage.js';
import { applySla } from '../sla/state.js';
import { getAccount } from '../services/accounts.js';
import type { Ctx } from '../services/context.js';
import { appendEvent, withEventBatch } from '../services/events.js';
import { addMessage, getTicketWithMessages, updateTicket } from '../services/tickets.js';
import { getWorkspace } from '../services/workspaces.js';
import { readConfigVersion, withConfigVersion } from '../store/config-cache.js';
import type { Database } from '../store/db.js';
import { decisions, tickets } from '../store/schema.js';
import { decideStage, resolveStage, retrieveStage } from './decide.js';
import { applyEnrichment, enrichStage } from './enrich.js';
import { syncAccountFromCrm } from './sync-account.js';
import type { Enrichment } from './enrichment.js';
import type { PipelineInput, PipelinePorts, PipelineTrigger, Stage, StageOutcome, TicketAction } from './types.js';
import { understandStage } from './understand.js';

/** The stages in order. */
export const DEFAULT_STAGES: Stage[] = [enrichStage, understandStage, retrieveStage, decideStage, resolveStage, routeStage];



export interface RunnerDeps {
  database: Database;
  ports: PipelinePorts;
  stages?: Stage[];
  now?: () => Date;
  /** Longest a stage may take before it counts as failed (the ticket then goes to a human). */
  stageTimeoutMs?: number;
}

export interface PipelineRun {
  runId: string;
  outcomes: Record<string, StageOutcome>;
  failedStage: string | null;
  /** The decision record of the run, stage by stage. */
  records: { stage: string; ok: boolean; result: Record<string, unknown>; modelVersion?: string | null | undefined; durationMs?: number | undefined }[];
}

const assistant = { type: 'assistant' as const, id: null };
const ALREADY_DECIDED = new Error('this run was already decided');

async function loadInput(ctx: Ctx, ticketId: string, trigger: PipelineTrigger): Promise<PipelineInput> {
  const { ticket, messages, customer } = await getTicketWithMessages(ctx, ticketId);
  const account = customer?.accountId ? await getAccount(ctx, customer.accountId).catch(() => null) : null;
  const history = customer
    ? await ctx.db
        .select({ id: tickets.id, subject: tickets.subject, status: tickets.status, intent: tickets.intent, createdAt: tickets.createdAt, reopenCount: tickets.reopenCount, tags: tickets.tags })
        .from(tickets)
        .where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.customerId, customer.id), ne(tickets.id, ticketId)))
        .orderBy(desc(tickets.createdAt))
        .limit(20)
    : [];
  const settings = autonomyOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
  return { workspaceId: ctx.workspaceId, trigger, ticket, messages, customer, account, history, settings, now: ctx.now() };
}

function withTimeout<T>(promise: Promise<T>, ms: number, stage: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stage ${stage} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Hands a ticket to a human: a `ticket.handed_off` event with the reason, and a new ticket becomes open. */
async function handOff(ctx: Ctx, ticketId: string, reason: string, detail: string): Promise<void> {
  await appendEvent(ctx, 'ticket.handed_off', ticketId, { reason, detail });
  const opened = await ctx.db
    .update(tickets)
    .set({ status: 'open', updatedAt: ctx.now() })
    .where(and(eq(tickets.id, ticketId), eq(tickets.status, 'new')))
    .returning({ id: tickets.id });
  if (opened.length) await appendEvent(ctx, 'ticket.status_changed', ticketId, { from: 'new', to: 'open' });
}

/** Applies the stages' actions to the ticket as the assistant. */
async function applyActions(ctx: Ctx, ticketId: string, actions: TicketAction[]): Promise<void> {
  const [row] = await ctx.db.select().from(tickets).where(and(eq(tickets.workspaceId, ctx.workspaceId), eq(tickets.id, ticketId))).for('update');
  // The ticket may have been closed while the stages ran: a closed ticket is not touched.
  if (!row || row.status === 'closed') return;
  for (const action of actions) {
    switch (action.type) {
      case 'set_intent':
        // An agent's label wins over the model's guess.
        if (row.intent && row.intentConfidence === null) break;
        await ctx.db.update(tickets).set({ intent: action.intent, intentConfidence: action.confidence }).where(eq(tickets.id, ticketId));
        if (row.intent !== action.intent) await appendEvent(ctx, 'ticket.intent_changed', ticketId, { from: row.intent, to: action.intent, confidence: action.confidence });
        break;
      case 'set_priority':
        if (row.priority === action.priority) break;
        await ctx.db.update(tickets).set({ priority: action.priority }).where(eq(tickets.id, ticketId));
        await appendEvent(ctx, 'ticket.priority_changed', ticketId, { from: row.priority, to: action.priority });
        await applySla(ctx, ticketId);
        break;
      case 'add_tags': {
        const tags = [...new Set([...row.tags, ...action.tags])];
        await ctx.db.update(tickets).set({ tags }).where(eq(tickets.id, ticketId));
        break;
      }
      case 'hand_off':
        await handOff(ctx, ticketId, action.reason, action.detail);
        break;
      case 'auto_resolve': {
        const assistant = { type: 'assistant' as const, id: null };
        await addMessage(ctx, ticketId, { text: action.text, html: action.html ?? undefined, visibility: 'public', attachments: [] }, assistant);
        await updateTicket(ctx, ticketId, { status: 'resolved', tags: [...new Set([...row.tags, AI_ANSWERED])] });
        break;
      }
      case 'assign':
        await applyAssignment(ctx, ticketId, action, { expectAssignee: null });
        break;
      case 'sync_account':
        await syncAccountFromCrm(ctx, action);
        break;
      case 'draft':
        await addMessage(ctx, ticketId, { text: `${DRAFT_PREFIX}${action.text}`, visibility: 'internal', attachments: [] }, { type: 'assistant', id: null });
        await handOff(ctx, ticketId, 'shadow_mode', 'the assistant drafted a reply for a human to approve');
        break;
    }
  }
}

/**
 * Runs the pipeline on one ticket. Each stage's result is stored in the decision record (once per run and
 * stage, so a retried job does not duplicate it). A failing stage stops the AI path and hands the ticket to
 * a human with the error in the record: a ticket is never lost or stuck.
 */
export async function runPipeline(
  deps: RunnerDeps,
  workspaceId: string,
  ticketId: string,
  trigger: PipelineTrigger,
  runId: string,
  opts: { dryRun?: boolean } = {},
): Promise<PipelineRun> {
  // Configuration (settings, rules, teams, playbooks, the knowledge base's fingerprint) is read from memory
  // while the workspace's configuration version is the one read here.
  const version = await readConfigVersion(deps.database.db, workspaceId);
  return withConfigVersion(workspaceId, version, () => run(deps, workspaceId, ticketId, trigger, runId, opts));
}

async function run(
  deps: RunnerDeps,
  workspaceId: string,
  ticketId: string,
  trigger: PipelineTrigger,
  runId: string,
  opts: { dryRun?: boolean },
): Promise<PipelineRun> {
  const now = deps.now ?? (() => new Date());
  // A dry run (replay) decides again but neither replies, calls actions nor writes anything.
  const stages = (deps.stages ?? DEFAULT_STAGES).filter((s) => !opts.dryRun || s.name !== 'resolve');
  const ctx: Ctx = { db: deps.database.db, workspaceId, actor: assistant, now };
  if (!opts.dryRun) {
    // A retried job whose run already finished does nothing again.
    const done = await deps.database.db.select({ id: decisions.id }).from(decisions).where(and(eq(decisions.ticketId, ticketId), eq(decisions.runId, runId))).limit(1);
    if (done.length) return { runId, outcomes: {}, failedStage: null, records: [] };
  }
  let input = await loadInput(ctx, ticketId, trigger);
  if (input.ticket.status === 'closed' && !opts.dryRun) return { runId, outcomes: {}, failedStage: null, records: [] };

  const outcomes: Record<string, StageOutcome> = {};
  const records: (typeof decisions.$inferInsert)[] = [];
  let failedStage: string | null = null;
  for (const stage of stages) {
    const started = performance.now();
    try {
      const outcome = await withTimeout(stage.run(input, outcomes, deps.ports), deps.stageTimeoutMs ?? 10_000, stage.name);
      outcomes[stage.name] = outcome;
      // Later stages see the account and page as enrichment found them.
      if (stage.name === 'enrich') input = applyEnrichment(input, outcome.result as Enrichment);
      records.push({ workspaceId, ticketId, runId, stage: stage.name, ok: true, result: outcome.result, modelVersion: outcome.modelVersion ?? null, durationMs: performance.now() - started, createdAt: now() });
    } catch (err) {
      failedStage = stage.name;
      const message = err instanceof Error ? err.message : String(err);
      records.push({ workspaceId, ticketId, runId, stage: stage.name, ok: false, result: { error: message }, durationMs: performance.now() - started, createdAt: now() });
      break;
    }
  }
  const actions = Object.values(outcomes).flatMap((o) => o.actions ?? []);
  if (failedStage) {
    // Keep what was understood (intent, priority) but hand the ticket to a human.
    const kept = actions.filter((a) => a.type !== 'hand_off');
    actions.length = 0;
    actions.push(...kept, { type: 'hand_off', reason: 'ai_error', detail: `stage ${failedStage} failed` });
  }
  const summary = records.map(({ stage, ok, result, modelVersion, durationMs }) => ({ stage, ok, result, modelVersion, durationMs }));
  if (opts.dryRun) return { runId, outcomes, failedStage, records: summary };
  const decided = await deps.database.db
    .transaction(async (tx) => {
      const txCtx = { ...ctx, db: tx };
      const inserted = await tx.insert(decisions).values(records).onConflictDoNothing().returning({ id: decisions.id });
      // Another delivery of the same job (one that expired while it ran) decided this run first: its actions
      // stand, and this one's are rolled back, so a ticket is never decided twice.
      if (inserted.length < new Set(records.map((r) => r.stage)).size) throw ALREADY_DECIDED;
      // The run's events are written together at the end (one statement instead of one each).
      await withEventBatch(txCtx, async (batchCtx) => {
        await applyActions(batchCtx, ticketId, actions);
        await appendEvent(batchCtx, failedStage ? 'pipeline.failed' : 'pipeline.completed', ticketId, { runId, trigger, failedStage, stages: records.map((r) => r.stage) });
      });
      return true;
    })
    .catch((err: unknown) => {
      if (err === ALREADY_DECIDED) return false;
      throw err;
    });
  if (!decided) return { runId, outcomes: {}, failedStage: null, records: [] };
  return { runId, outcomes, failedStage, records: summary };
}
