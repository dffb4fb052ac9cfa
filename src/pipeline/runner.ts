import { and, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { autonomyOf } from '../domain/settings.js';
import { AI_ANSWERED, DRAFT_PREFIX } from '../domain/tags.js';
import { agentRoom, planAssignment, type AgentRoom } from '../routing/apply.js';
import { routeStage } from '../routing/stage.js';
import { slaTargets } from '../sla/state.js';
import { notFound } from '../domain/errors.js';
import { getAccounts } from '../people/accounts.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent, withEventBatch } from '../services/events.js';
import { addMessage } from '../tickets/add-message.js';
import { getTicketsWithMessages } from '../tickets/get-ticket.js';
import { updateTicket } from '../tickets/update-ticket.js';
import { getWorkspace } from '../people/workspaces.js';
import { inScopeOf, loadOnce, readConfigVersion, withConfigVersion } from '../store/config-cache.js';
import { bulkInsert, bulkUpdate } from '../store/bulk.js';
import type { Database, DbOrTx } from '../store/db.js';
import { decisions, ticketColumns, tickets, type TicketRow } from '../store/schema.js';
import type { RoutingPort, RoutingSnapshot } from '../routing/port.js';
import { decideStage, resolveStage, retrieveStage } from './decide.js';
import { applyEnrichment, enrichStage } from './enrich.js';
import { syncAccountFromCrm } from './sync-account.js';
import type { Enrichment } from './enrichment.js';
import type { PipelineInput, PipelinePorts, PipelineTrigger, Stage, StageOutcome, TicketAction } from './types.js';
import type { AssignAction } from '../routing/apply.js';
import { understandStage } from './understand.js';

/** The stages in order. */
export const DEFAULT_STAGES: Stage[] = [enrichStage, understandStage, retrieveStage, decideStage, resolveStage, routeStage];



export interface RunnerDeps {
  database: Database;
  /**
   * The stages' ports, or how to make them over a database handle: a run then gets ports that read through
   * its own handle, and so see configuration at its version (`withConfigVersion`).
   */
  ports: PipelinePorts | ((db: DbOrTx) => PipelinePorts);
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

/** One pipeline job: the ticket, why it runs, and the run's id (a retried job keeps it). */
export interface PipelineJobRef {
  workspaceId: string;
  ticketId: string;
  trigger: PipelineTrigger;
  runId: string;
}

/** A ticket's fields a run changes, written with the batch's others (`bulkUpdate`). */
type TicketUpdate = { id: string } & Partial<typeof tickets.$inferInsert>;

/** A run whose stages ran, before its decision record and actions are written. */
interface DecidedRun {
  job: PipelineJobRef;
  input: PipelineInput;
  outcomes: Record<string, StageOutcome>;
  records: (typeof decisions.$inferInsert)[];
  failedStage: string | null;
  actions: TicketAction[];
}

/** Another delivery of the same job wrote part of this run's record: the run counts as decided elsewhere. */
class PartiallyDecided extends Error {}

const emptyRun = (runId: string): PipelineRun => ({ runId, outcomes: {}, failedStage: null, records: [] });
const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
const runKey = (ticketId: string, runId: string) => `${ticketId}/${runId}`;

/**
 * Loads what the stages read for several tickets of a workspace in a fixed number of statements: the tickets,
 * their messages, customers, accounts, and each customer's latest tickets (the history, at most 20 besides
 * the ticket itself). Tickets that do not exist are absent.
 */
async function loadInputs(ctx: Ctx, jobs: PipelineJobRef[]): Promise<Map<string, PipelineInput>> {
  const found = await getTicketsWithMessages(ctx, jobs.map((j) => j.ticketId));
  const customerIds = [...new Set([...found.values()].flatMap((f) => (f.customer ? [f.customer.id] : [])))];
  const ranked = ctx.db
    .select({
      id: tickets.id,
      customerId: tickets.customerId,
      subject: tickets.subject,
      status: tickets.status,
      intent: tickets.intent,
      createdAt: tickets.createdAt,
      reopenCount: tickets.reopenCount,
      tags: tickets.tags,
      rank: sql<number>`row_number() over (partition by ${tickets.customerId} order by ${tickets.createdAt} desc)`.as('rank'),
    })
    .from(tickets)
    .where(and(eq(tickets.workspaceId, ctx.workspaceId), inArray(tickets.customerId, customerIds)))
    .as('ranked');
  const [accountsById, historyRows, workspace] = await Promise.all([
    getAccounts(ctx, [...found.values()].flatMap((f) => (f.customer?.accountId ? [f.customer.accountId] : []))),
    customerIds.length ? ctx.db.select().from(ranked).where(lte(ranked.rank, 21)) : Promise.resolve([]),
    getWorkspace(ctx.db, ctx.workspaceId),
  ]);
  historyRows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const settings = autonomyOf(workspace.settings);
  const now = ctx.now();
  const inputs = new Map<string, PipelineInput>();
  for (const job of jobs) {
    const f = found.get(job.ticketId);
    if (!f) continue;
    const history = f.customer
      ? historyRows
          .filter((h) => h.customerId === f.customer!.id && h.id !== job.ticketId)
          .slice(0, 20)
          .map(({ customerId: _c, rank: _r, ...h }) => h)
      : [];
    const account = f.customer?.accountId ? (accountsById.get(f.customer.accountId) ?? null) : null;
    inputs.set(job.ticketId, { workspaceId: ctx.workspaceId, trigger: job.trigger, ticket: f.ticket, messages: f.messages, customer: f.customer, account, history, settings, now });
  }
  return inputs;
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

/**
 * The routing port of one batch: the workspace's snapshot is read once, and each assignment decided in the
 * batch counts towards the agent's load (and last assignment) for the tickets routed after it, as if each
 * had been applied before the next was routed. `exclusive` runs the route stages one at a time.
 */
function batchRouting(port: RoutingPort, now: () => Date): { port: RoutingPort; exclusive<T>(fn: () => Promise<T>): Promise<T>; assigned(action: TicketAction): void } {
  const snapshots = new Map<string, Promise<RoutingSnapshot>>();
  let chain: Promise<unknown> = Promise.resolve();
  return {
    port: {
      snapshot: (workspaceId) => loadOnce(snapshots, workspaceId, () => port.snapshot(workspaceId)),
      accountOwner: (workspaceId, account) => port.accountOwner(workspaceId, account),
    },
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const result = chain.then(fn);
      chain = result.catch(() => undefined);
      return result;
    },
    assigned(action) {
      const agentId = action.type === 'assign' ? action.agentId : null;
      if (!agentId) return;
      for (const [workspaceId, snapshot] of snapshots) {
        snapshots.set(
          workspaceId,
          snapshot.then((s) => ({ ...s, agents: s.agents.map((a) => (a.id === agentId ? { ...a, load: a.load + 1, lastAssignedAt: now() } : a)) })),
        );
      }
    },
  };
}

/**
 * The enrichment sources, built once for the tickets of a batch: the tickets then ask them together, and the
 * sources answer them in a few statements.
 */
function sharedSources(sources: PipelinePorts['enrichmentSources']): PipelinePorts['enrichmentSources'] {
  if (!sources) return sources;
  const built = new Map<string, ReturnType<typeof sources>>();
  return (workspaceId) => loadOnce(built, workspaceId, () => sources(workspaceId));
}

/** Runs the stages on one ticket: each stage's outcome and record, and the actions to apply. */
async function decideRun(
  deps: RunnerDeps,
  ports: PipelinePorts,
  routing: ReturnType<typeof batchRouting>,
  stages: Stage[],
  job: PipelineJobRef,
  loaded: PipelineInput,
): Promise<DecidedRun> {
  const now = deps.now ?? (() => new Date());
  let input = loaded;
  const outcomes: Record<string, StageOutcome> = {};
  const records: (typeof decisions.$inferInsert)[] = [];
  let failedStage: string | null = null;
  for (const stage of stages) {
    const started = performance.now();
    const runStage = () => withTimeout(stage.run(input, outcomes, ports), deps.stageTimeoutMs ?? 10_000, stage.name);
    try {
      // Routing reads the agents' loads: tickets of a batch are routed one after another.
      const outcome =
        stage.name === 'route'
          ? await routing.exclusive(async () => {
              const o = await runStage();
              for (const a of o.actions ?? []) routing.assigned(a);
              return o;
            })
          : await runStage();
      outcomes[stage.name] = outcome;
      // Later stages see the account and page as enrichment found them.
      if (stage.name === 'enrich') input = applyEnrichment(input, outcome.result as Enrichment);
      records.push({ workspaceId: job.workspaceId, ticketId: job.ticketId, runId: job.runId, stage: stage.name, ok: true, result: outcome.result, modelVersion: outcome.modelVersion ?? null, durationMs: performance.now() - started, createdAt: now() });
    } catch (err) {
      failedStage = stage.name;
      const message = err instanceof Error ? err.message : String(err);
      records.push({ workspaceId: job.workspaceId, ticketId: job.ticketId, runId: job.runId, stage: stage.name, ok: false, result: { error: message }, durationMs: performance.now() - started, createdAt: now() });
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
  return { job, input, outcomes, records, failedStage, actions };
}

/**
 * Applies the stages' actions to a ticket (its row locked by the caller) as the assistant. The ticket's own
 * fields (intent, priority with its SLA targets, tags, the status a hand-off opens, team and assignee) are
 * written in one update; actions that go through other services (a reply, an account) run in order after it.
 * An assignment takes its place from `room`, the batch's count of the agents' room. The last update is added
 * to `updates`, which the caller writes for the whole batch.
 */
async function applyActions(ctx: Ctx, locked: TicketRow | undefined, run: DecidedRun, room: AgentRoom, updates: TicketUpdate[]): Promise<void> {
  // The ticket may have been closed while the stages ran: a closed ticket is not touched.
  if (!locked || locked.status === 'closed') return;
  const ticketId = locked.id;
  let row = locked;
  let set: Partial<typeof tickets.$inferInsert> = {};
  // `last`: the ticket's remaining fields join the batch's update (`updates`) rather than being written now.
  const flush = async (last = false) => {
    if (set.priority) Object.assign(set, await slaTargets(ctx, run.input.account?.tier ?? null, set.priority, row.createdAt, row.slaPausedMinutes));
    if (Object.keys(set).length) {
      if (last) updates.push({ id: ticketId, ...set });
      else await ctx.db.update(tickets).set(set).where(eq(tickets.id, ticketId));
    }
    row = { ...row, ...set } as TicketRow;
    set = {};
  };
  const handOff = async (reason: string, detail: string) => {
    await appendEvent(ctx, 'ticket.handed_off', ticketId, { reason, detail });
    if ((set.status ?? row.status) !== 'new') return;
    Object.assign(set, { status: 'open', updatedAt: ctx.now() });
    await appendEvent(ctx, 'ticket.status_changed', ticketId, { from: 'new', to: 'open' });
  };
  for (const action of run.actions) {
    switch (action.type) {
      case 'set_intent':
        // An agent's label wins over the model's guess.
        if (row.intent && row.intentConfidence === null) break;
        Object.assign(set, { intent: action.intent, intentConfidence: action.confidence });
        if (row.intent !== action.intent) await appendEvent(ctx, 'ticket.intent_changed', ticketId, { from: row.intent, to: action.intent, confidence: action.confidence });
        break;
      case 'set_priority':
        if ((set.priority ?? row.priority) === action.priority) break;
        await appendEvent(ctx, 'ticket.priority_changed', ticketId, { from: set.priority ?? row.priority, to: action.priority });
        set.priority = action.priority;
        break;
      case 'add_tags':
        set.tags = [...new Set([...(set.tags ?? row.tags), ...action.tags])];
        break;
      case 'hand_off':
        await handOff(action.reason, action.detail);
        break;
      case 'auto_resolve':
        await flush();
        await addMessage(ctx, ticketId, { text: action.text, html: action.html ?? undefined, visibility: 'public', attachments: [] }, assistant);
        await updateTicket(ctx, ticketId, { status: 'resolved', tags: [...new Set([...row.tags, AI_ANSWERED])] });
        break;
      case 'assign': {
        // Someone assigned the ticket while the stages ran: their choice stands.
        if ((set.assigneeId ?? row.assigneeId) !== null) break;
        const planned = await planAssignment(ctx, { ...row, ...set }, action as AssignAction, room, 'handed_off');
        Object.assign(set, planned.set);
        break;
      }
      case 'sync_account':
        await flush();
        await syncAccountFromCrm(ctx, action);
        break;
      case 'draft': {
        await flush();
        const { ticket } = await addMessage(ctx, ticketId, { text: `${DRAFT_PREFIX}${action.text}`, visibility: 'internal', attachments: [] }, assistant);
        row = { ...row, ...ticket };
        await handOff('shadow_mode', 'the assistant drafted a reply for a human to approve');
        break;
      }
    }
  }
  await flush(true);
}

/**
 * Writes the decision records of several runs and applies their actions in one transaction, with their
 * events in one statement. Returns the runs that were decided here: a run whose record another delivery of
 * the same job already wrote (one that expired while it ran) is not applied again, so a ticket is never
 * decided twice. Throws `PartiallyDecided` when such a record is only partly there.
 */
async function commitRuns(deps: RunnerDeps, ctx: Ctx, runs: DecidedRun[]): Promise<Set<DecidedRun>> {
  return ctx.db.transaction(async (rawTx) => {
    // The transaction reads configuration as the run does (from memory at the run's version).
    const tx = inScopeOf(rawTx, ctx.db);
    const txCtx = { ...ctx, db: tx };
    const inserted = await bulkInsert(tx, decisions, runs.flatMap((r) => r.records), {
      onConflictDoNothing: true,
      returning: { ticketId: decisions.ticketId, runId: decisions.runId, stage: decisions.stage },
    });
    const written = new Map<string, number>();
    for (const r of inserted) written.set(runKey(r.ticketId, r.runId), (written.get(runKey(r.ticketId, r.runId)) ?? 0) + 1);
    const decided = new Set<DecidedRun>();
    for (const run of runs) {
      const n = written.get(runKey(run.job.ticketId, run.job.runId)) ?? 0;
      if (n === new Set(run.records.map((r) => r.stage)).size) decided.add(run);
      else if (n > 0) throw new PartiallyDecided(`run ${run.job.runId} was partly decided by another delivery`);
    }
    if (!decided.size) return decided;
    // Rows are locked in one order, so concurrent batches on a server never deadlock on each other's tickets.
    const rows = await tx
      .select(ticketColumns)
      .from(tickets)
      .where(and(eq(tickets.workspaceId, ctx.workspaceId), inArray(tickets.id, [...decided].map((r) => r.job.ticketId))))
      .orderBy(tickets.id)
      .for('update');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const room = await agentRoom(txCtx, [...decided].flatMap((r) => r.actions.flatMap((a) => (a.type === 'assign' && a.agentId ? [a.agentId] : []))));
    const updates: TicketUpdate[] = [];
    // The runs' events are written together at the end (one statement instead of one each).
    await withEventBatch(txCtx, async (batchCtx) => {
      for (const run of decided) {
        await applyActions(batchCtx, byId.get(run.job.ticketId), run, room, updates);
        await appendEvent(batchCtx, run.failedStage ? 'pipeline.failed' : 'pipeline.completed', run.job.ticketId, {
          runId: run.job.runId,
          trigger: run.job.trigger,
          failedStage: run.failedStage,
          stages: run.records.map((r) => r.stage),
        });
      }
      // The tickets' own fields, in one statement per set of changed columns.
      await bulkUpdate(tx, tickets, updates);
    });
    return decided;
  });
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
  const [result] = await runPipelineBatch(deps, [{ workspaceId, ticketId, trigger, runId }], opts);
  if (result instanceof Error) throw result;
  return result!;
}

/**
 * Runs the pipeline on several tickets together (the jobs a worker fetched at once), with the same outcome as
 * running them one after another: their inputs are read in a few set-based statements, their stages run side
 * by side (routing one ticket at a time), and their records and actions are written in one transaction, which
 * falls back to one transaction per run when it fails, so one bad run never fails the others. A ticket that
 * appears twice runs again after its first run was written. Returns each job's run, or the error it failed with.
 */
export async function runPipelineBatch(deps: RunnerDeps, jobs: PipelineJobRef[], opts: { dryRun?: boolean } = {}): Promise<(PipelineRun | Error)[]> {
  const results: (PipelineRun | Error)[] = new Array(jobs.length);
  // Waves of distinct tickets per workspace, in order.
  const waves = new Map<string, number[][]>();
  jobs.forEach((job, i) => {
    const list = waves.get(job.workspaceId) ?? [];
    const wave = list.find((w) => !w.some((k) => jobs[k]!.ticketId === job.ticketId));
    if (wave) wave.push(i);
    else list.push([i]);
    waves.set(job.workspaceId, list);
  });
  for (const [workspaceId, list] of waves) {
    for (const wave of list) {
      try {
        // Configuration (settings, rules, teams, playbooks, the knowledge base's fingerprint) is read from
        // memory while the workspace's configuration version is the one read here.
        const version = await readConfigVersion(deps.database.db, workspaceId);
        const db = withConfigVersion(deps.database.db, workspaceId, version);
        const runs = await runWave(deps, db, workspaceId, wave.map((i) => jobs[i]!), opts);
        wave.forEach((i, k) => (results[i] = runs[k]!));
      } catch (err) {
        for (const i of wave) results[i] = asError(err);
      }
    }
  }
  return results;
}

/** PostgreSQL's codes for a transaction it rolled back to break a deadlock or a serialization conflict. */
const CONFLICT_CODES = new Set(['40P01', '40001']);
const conflictCode = (err: unknown): string | undefined => {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONFLICT_CODES.has(code)) return code;
  }
  return undefined;
};

/**
 * Runs a commit's transaction again when PostgreSQL rolled it back to break a deadlock (another run of the same
 * ticket, e.g. a duplicate delivery, held a row it needed): the whole transaction was undone, so running it
 * again is safe. Other errors, and a third conflict, go to the caller.
 */
async function retryOnConflict<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !conflictCode(err)) throw err;
    }
  }
}

/** Runs one wave of distinct tickets of a workspace, reading through `db` (scoped to the configuration version). */
async function runWave(deps: RunnerDeps, db: DbOrTx, workspaceId: string, jobs: PipelineJobRef[], opts: { dryRun?: boolean }): Promise<(PipelineRun | Error)[]> {
  const now = deps.now ?? (() => new Date());
  // A dry run (replay) decides again but neither replies, calls actions nor writes anything.
  const stages = (deps.stages ?? DEFAULT_STAGES).filter((s) => !opts.dryRun || s.name !== 'resolve');
  const ctx: Ctx = { db, workspaceId, actor: assistant, now };
  const results: (PipelineRun | Error)[] = jobs.map((j) => emptyRun(j.runId));
  // A retried job whose run already finished does nothing again.
  const done = new Set<string>();
  if (!opts.dryRun) {
    const rows = await ctx.db
      .selectDistinct({ ticketId: decisions.ticketId, runId: decisions.runId })
      .from(decisions)
      .where(and(inArray(decisions.ticketId, jobs.map((j) => j.ticketId)), inArray(decisions.runId, jobs.map((j) => j.runId))));
    for (const r of rows) done.add(runKey(r.ticketId, r.runId));
  }
  const todo = jobs.filter((j) => !done.has(runKey(j.ticketId, j.runId)));
  const inputs = await loadInputs(ctx, todo);
  const own = typeof deps.ports === 'function' ? deps.ports(db) : deps.ports;
  const routing = batchRouting(own.routing, now);
  const ports: PipelinePorts = { ...own, routing: routing.port, enrichmentSources: sharedSources(own.enrichmentSources) };
  const decided = await Promise.all(
    jobs.map(async (job, k): Promise<DecidedRun | null> => {
      if (done.has(runKey(job.ticketId, job.runId))) return null;
      const input = inputs.get(job.ticketId);
      if (!input) {
        results[k] = notFound('Ticket', job.ticketId);
        return null;
      }
      if (input.ticket.status === 'closed' && !opts.dryRun) return null;
      return decideRun(deps, ports, routing, stages, job, input);
    }),
  );
  const runs = decided.filter((r): r is DecidedRun => r !== null);
  const finished = (run: DecidedRun): PipelineRun => ({
    runId: run.job.runId,
    outcomes: run.outcomes,
    failedStage: run.failedStage,
    records: run.records.map(({ stage, ok, result, modelVersion, durationMs }) => ({ stage, ok, result, modelVersion, durationMs })),
  });
  const indexOf = new Map(jobs.map((j, k) => [j, k]));
  if (opts.dryRun) {
    for (const run of runs) results[indexOf.get(run.job)!] = finished(run);
    return results;
  }
  if (!runs.length) return results;
  const record = (run: DecidedRun, committed: Set<DecidedRun>) => {
    if (committed.has(run)) results[indexOf.get(run.job)!] = finished(run);
  };
  try {
    const committed = await retryOnConflict(() => commitRuns(deps, ctx, runs));
    for (const run of runs) record(run, committed);
  } catch (err) {
    const failed = (run: DecidedRun, e: unknown) => {
      if (!(e instanceof PartiallyDecided)) results[indexOf.get(run.job)!] = asError(e);
    };
    if (runs.length === 1) failed(runs[0]!, err);
    // One transaction per run: a run that fails alone fails its own job only.
    else
      for (const run of runs) {
        try {
          record(run, await retryOnConflict(() => commitRuns(deps, ctx, [run])));
        } catch (own) {
          failed(run, own);
        }
      }
  }
  return results;
}
