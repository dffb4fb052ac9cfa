/**
 * Seeds the demo workspace's past (./history.ts) as the product would have lived it, a week at a time:
 * - every ticket goes through the pipeline's own stages (enrich, understand, retrieve, decide, resolve; not routing:
 *   who was on shift is not part of the past) with the intent model and the thresholds in force that week, so the
 *   assistant answers what its model and guardrails let it answer; a customer who writes back runs them again;
 * - what follows (confirmations, reopens, requests for a human, agents' labels and replies, CSAT, closing) is played
 *   by ./timeline.ts from whether the assistant understood the customer;
 * - the week is written in a few multi-row inserts (tickets, messages, timeline, decision records);
 * - every second week's end the threshold tuner runs (`tuneThresholds`, on that date), and every fourth week the
 *   intent model is retrained when due, judged by the retrain guard (`retrainWithGuard`), stored as the next version;
 * - over its last days, the anomaly scan runs every few hours on those dates (`detectAnomalies`);
 * - at its end, the sweep's topic clustering runs once, as of that day (`updateTopics` with the daily re-clustering):
 *   it reads only the topics window (30 days by default, whatever the length of the past), so it costs a couple of
 *   seconds; the Topics card and each topic's tickets have the past's topics from the first page view.
 * Online learning (a model version per label) is left out: the retrains carry the labels. The stages read the
 * ports through a memo (the same question under the same model and thresholds is classified, retrieved and composed
 * once), so two thousand tickets cost a few hundred of each.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Deskmind } from '../app.js';
import type { Account, Customer, Message, Ticket } from '../domain/schemas.js';
import { autonomyOf, type AutonomySettings } from '../domain/settings.js';
import { appendEvent } from '../events/timeline.js';
import { heldExamples, retrainDue, retrainWithGuard } from '../learning/retrain-guard.js';
import { guardWindow, trainedOnOf, versionMetrics } from '../learning/retrain.js';
import { getLearningSettings, tuneThresholds } from '../learning/thresholds.js';
import { labelledTicketExamples } from '../learning/training.js';
import { detectAnomalies } from '../insights/anomalies.js';
import { refreshBugReports } from '../insights/bug-reports.js';
import { dueAndMark, RECLUSTER_EVERY_MS } from '../insights/sweep.js';
import { updateTopics } from '../insights/topics.js';
import { getAccounts } from '../people/get-account.js';
import { listAgents } from '../people/list-agents.js';
import { resolveCustomerRefs } from '../people/resolve-customer-ref.js';
import { getWorkspace } from '../people/get-workspace.js';
import { INTENT_MODEL_KIND } from '../pipeline/ports/intent-port.js';
import { DEFAULT_STAGES } from '../pipeline/runner.js';
import { askText } from '../pipeline/stages/understand.js';
import { firstName } from '../resolution/template.js';
import type { EarlierResults, PipelineInput, PipelinePorts, PipelineTrigger, StageOutcome } from '../pipeline/types.js';
import { bulkInsert } from '../store/bulk.js';
import { systemActor, type Ctx } from '../store/ctx.js';
import { TICKET_SEARCH_INSERT } from '../tickets/ticket-rows.js';
import { decisions, events, messages, models, tickets } from '../store/schema.js';
import { rng } from '../nlp/intent/numeric.js';
import type { DemoTicket } from './history.js';
import { playTicket, type StagesRun, type TicketTimeline, type Who } from './timeline.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Every how many weeks the past's sweep tunes the thresholds, and checks whether a retrain is due. */
const TUNE_EVERY_WEEKS = 2;
const RETRAIN_EVERY_WEEKS = 4;
/** The past's anomaly scans: every few hours over its last days (older alerts are out of the anomaly list's reach). */
const SCAN_EVERY_MS = 6 * 3_600_000;
const SCAN_DAYS = 10;
/** The stages the past runs: all but routing. */
const STAGES = DEFAULT_STAGES.filter((s) => s.name !== 'route');

/** What seeding the past did: the figures the dashboards then read from the rows. */
export interface HistorySummary {
  tickets: number;
  answeredByAssistant: number;
  labelledByAgents: number;
  modelVersions: number[];
  thresholdChanges: number;
  anomalies: number;
  bugReports: number;
  /** Topics the past's tickets of the topics window form, and how many of those tickets they hold. */
  topics: number;
  clustered: number;
}

/** The ports with a memo: each distinct question is classified, retrieved and composed once per model version. */
function memoPorts(base: PipelinePorts, version: () => string): PipelinePorts {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) memo.set(key, (p = fn()));
    return p;
  };
  return {
    ...base,
    predictIntent: (ws, text, opts) => once(`i\0${version()}\0${text}`, () => base.predictIntent(ws, text, opts)),
    retrieve: (ws, query, o) => once(`r\0${query}\0${o.intent}\0${o.tier}\0${o.k}`, () => base.retrieve(ws, query, o)),
    playbook: (ws, intent) => once(`p\0${intent}`, () => base.playbook(ws, intent)),
    // A composed reply depends on who asks only through its greeting (the demo's questions name no one): it is
    // composed once per question and greets each customer by name.
    compose: async (input, playbook, passages, judge) => {
      const first = firstName(input.customer?.name) ?? 'there';
      const key =
        `c\0${askText(input)}\0${playbook.intent}\0${passages.map((p) => `${p.articleId}:${p.text.length}`)}\0` +
        `${judge.intentConfidence}\0${judge.threshold}`;
      const made = await once(key, async () => ({
        first,
        reply: await base.compose(input, playbook, passages, judge),
      }));
      if (!made.reply.ok || made.first === first) return made.reply;
      const greet = (s: string) => s.replace(`Hi ${made.first},`, `Hi ${first},`);
      return { ...made.reply, text: greet(made.reply.text), html: made.reply.html ? greet(made.reply.html) : null };
    },
    ...(base.enrichmentSources
      ? { enrichmentSources: (ws: string) => once(`e\0${ws}`, () => base.enrichmentSources!(ws)) }
      : {}),
  };
}

/** Runs the stages on one ticket as the runner does (a failing stage hands the ticket to a human). */
async function runStages(ports: PipelinePorts, loaded: PipelineInput): Promise<StagesRun> {
  let input = loaded;
  const outcomes: Record<string, StageOutcome | undefined> = {};
  const run: StagesRun = { runId: randomUUID(), records: [], actions: [] };
  for (const stage of STAGES) {
    try {
      const outcome = await stage.run(input, outcomes as EarlierResults, ports);
      outcomes[stage.name] = outcome;
      if (stage.overlay) input = stage.overlay(input, outcome.result as never);
      run.records.push({
        stage: stage.name,
        ok: true,
        result: outcome.result,
        modelVersion: outcome.modelVersion ?? null,
      });
      run.actions.push(...(outcome.actions ?? []));
    } catch (err) {
      run.records.push({
        stage: stage.name,
        ok: false,
        result: { error: err instanceof Error ? err.message : String(err) },
        modelVersion: null,
      });
      run.actions = run.actions.filter((a) => a.type !== 'hand_off');
      run.actions.push({ type: 'hand_off', reason: 'ai_error', detail: `stage ${stage.name} failed` });
      break;
    }
  }
  return run;
}

/** A past ticket's earlier state as the stages read it. */
interface Past {
  id: string;
  row: DemoTicket;
  customer: Customer;
  account: Account | null;
}

function pipelineInput(
  workspaceId: string,
  p: Past,
  t: TicketTimeline | null,
  history: PipelineInput['history'],
  settings: AutonomySettings,
  trigger: PipelineTrigger,
): PipelineInput {
  const now = t?.at ?? p.row.createdAt;
  const ticket: Ticket = {
    id: p.id,
    subject: p.row.subject,
    status: t?.state.status ?? 'new',
    priority: t?.priority ?? 'normal',
    channel: p.row.channel,
    customerId: p.customer.id,
    assigneeId: null,
    teamId: null,
    intent: t?.intent ?? null,
    intentConfidence: t?.intentConfidence ?? null,
    tags: t?.tags ?? p.row.tags,
    pageContext: p.row.pageContext,
    externalId: p.row.externalId,
    firstResponseAt: t?.state.firstResponseAt ?? null,
    resolvedAt: t?.state.resolvedAt ?? null,
    closedAt: null,
    snoozedUntil: null,
    reopenCount: t?.state.reopenCount ?? 0,
    lastMessageAt: t?.lastMessageAt ?? now,
    createdAt: p.row.createdAt,
    updatedAt: now,
  };
  const msgs: Message[] = (
    t?.messages ?? [{ author: 'customer', visibility: 'public', text: p.row.text, at: now }]
  ).map((m, i) => ({
    id: randomUUID(),
    ticketId: p.id,
    authorType: m.author,
    authorId: m.author === 'customer' ? p.customer.id : null,
    visibility: m.visibility,
    text: m.text,
    html: null,
    attachments: [],
    pageContext: i === 0 ? p.row.pageContext : null,
    createdAt: m.at,
  }));
  return {
    workspaceId,
    trigger,
    ticket,
    messages: msgs,
    customer: p.customer,
    account: p.account,
    history,
    settings,
    now,
  };
}

/** Writes one week of played tickets in a few multi-row statements. */
async function writeWeek(ctx: Ctx, played: { past: Past; t: TicketTimeline; agentId: string | null }[]): Promise<void> {
  const actor = (by: Who, past: Past, agentId: string | null) =>
    by === 'customer'
      ? { actorType: 'customer' as const, actorId: past.customer.id }
      : by === 'agent'
        ? { actorType: 'agent' as const, actorId: agentId }
        : { actorType: by, actorId: null };
  const messageIds = played.map(({ t }) => t.messages.map(() => randomUUID()));
  await bulkInsert(
    ctx.db,
    tickets,
    played.map(({ past, t, agentId }) => ({
      id: past.id,
      workspaceId: ctx.workspaceId,
      subject: past.row.subject,
      channel: past.row.channel,
      priority: t.priority,
      tags: t.tags,
      customerId: past.customer.id,
      assigneeId: t.messages.some((m) => m.author === 'agent') ? agentId : null,
      pageContext: past.row.pageContext,
      externalId: past.row.externalId,
      intent: t.intent,
      intentConfidence: t.intentConfidence,
      ...t.state,
      lastMessageAt: t.lastMessageAt,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      searchText: t.messages
        .filter((m) => m.visibility === 'public')
        .map((m) => m.text)
        .join('\n'),
    })),
    TICKET_SEARCH_INSERT,
  );
  await bulkInsert(
    ctx.db,
    messages,
    played.flatMap(({ past, t, agentId }, i) =>
      t.messages.map((m, j) => ({
        id: messageIds[i]![j]!,
        workspaceId: ctx.workspaceId,
        ticketId: past.id,
        authorType: m.author,
        authorId: m.author === 'customer' ? past.customer.id : m.author === 'agent' ? agentId : null,
        visibility: m.visibility,
        bodyText: m.text,
        bodyHtml: null,
        attachments: [],
        pageContext: j === 0 ? past.row.pageContext : null,
        createdAt: m.at,
      })),
    ),
  );
  await bulkInsert(
    ctx.db,
    events,
    played.flatMap(({ past, t, agentId }, i) =>
      t.events.map((e) => ({
        workspaceId: ctx.workspaceId,
        ticketId: past.id,
        type: e.type,
        ...actor(e.by, past, agentId),
        data:
          e.type === 'ticket.created'
            ? { ...e.data, customerId: past.customer.id }
            : e.message !== undefined
              ? { messageId: messageIds[i]![e.message]!, ...e.data }
              : e.data,
        createdAt: e.at,
      })),
    ),
  );
  await bulkInsert(
    ctx.db,
    decisions,
    played.flatMap(({ past, t }) =>
      t.records.map((r) => ({
        workspaceId: ctx.workspaceId,
        ticketId: past.id,
        runId: r.runId,
        stage: r.stage,
        ok: r.ok,
        result: r.result,
        modelVersion: r.modelVersion,
        createdAt: r.at,
      })),
    ),
  );
}

/** The agent who answers an intent's tickets: the billing agent for billing, the technical one for technical work. */
function agentFor(intent: string, byEmail: Map<string, string>): string | null {
  const email = intent.startsWith('billing_')
    ? 'sam@pipewise.example'
    : ['how_to', 'data_export', 'integrations', 'bug_report', 'outage'].includes(intent)
      ? 'priya@pipewise.example'
      : 'alex@pipewise.example';
  return byEmail.get(email) ?? null;
}

/** Dates a stored intent model version (the store stamps the database's clock; the past has its own dates). */
async function datedModel(ctx: Ctx, version: number, at: Date): Promise<void> {
  await ctx.db
    .update(models)
    .set({ createdAt: at })
    .where(
      and(eq(models.workspaceId, ctx.workspaceId), eq(models.kind, INTENT_MODEL_KIND), eq(models.version, version)),
    );
}

/**
 * The past's sweep at `at`, as the product's retrain job would do it: retrains on the starter examples and every
 * label people gave so far when due (`retrainDue`), judged on the newest labels (`guardWindow`, `retrainWithGuard`),
 * and stores the candidate as the next version, dated `at`. Returns the new version, or null.
 */
async function retrainAt(desk: Deskmind, ctx: Ctx, starter: { text: string; label: string }[]): Promise<number | null> {
  const current = await desk.intentModels.get(ctx.workspaceId);
  if (!current) return null;
  const settings = await getLearningSettings(ctx);
  const examples = [...starter, ...(await labelledTicketExamples(ctx)).reverse()];
  const trainedOn = trainedOnOf(await versionMetrics(ctx, current.version));
  if (!settings.retrain || !retrainDue(examples.length, trainedOn, settings)) return null;
  const r = retrainWithGuard(examples, await guardWindow(ctx));
  const outcome = { fromVersion: current.version, examples: r.examples, window: r.window, before: r.before };
  if (r.status === 'rejected') {
    await appendEvent(ctx, 'model.retrain_rejected', null, { ...outcome, labels: examples.length, after: r.after });
    return null;
  }
  const version = await desk.intentModels.save(ctx.workspaceId, r.model, {
    source: 'retrain',
    trainedOn: examples.length,
    examples: r.examples,
    fromVersion: current.version,
    window: r.window,
    windowAccuracyBefore: r.before,
    windowAccuracyAfter: r.after,
    recalibration: r.recalibration,
    trainSeconds: r.seconds,
  });
  await datedModel(ctx, version, ctx.now());
  await appendEvent(ctx, 'model.retrained', null, { ...outcome, version, after: r.after, seconds: r.seconds });
  return version;
}

/**
 * Seeds `rows` (oldest first) into the workspace as its past, ending at `end`. The workspace's accounts, agents,
 * playbooks and articles must exist; its customers are created from the rows.
 *
 * @example await seedHistory(desk, workspaceId, demoHistory({ now }), now)
 */
export async function seedHistory(
  desk: Deskmind,
  workspaceId: string,
  rows: DemoTicket[],
  end: Date,
): Promise<HistorySummary> {
  const base = desk.ctx(workspaceId, systemActor);
  const refs = [...new Map(rows.map((r) => [r.customer.email, r.customer])).values()];
  const people = await resolveCustomerRefs(base, refs);
  const byEmail = new Map(refs.map((r, i) => [r.email, people[i]!]));
  const accounts = await getAccounts(
    base,
    people.flatMap((c) => (c.accountId ? [c.accountId] : [])),
  );
  const agentIds = new Map((await listAgents(base)).map((a) => [a.email, a.id]));
  await desk.intentModels.ensureStarter(workspaceId);
  const starterModel = await desk.intentModels.get(workspaceId);
  const starter = starterModel ? heldExamples(starterModel.model) : [];
  const start = rows[0]?.createdAt.getTime() ?? end.getTime();
  // the starter model is the one the past began with
  if (starterModel) await datedModel(base, starterModel.version, new Date(start));
  let version = String(starterModel?.version ?? 0);
  // With the intent memory, a prediction also depends on the thresholds in force (the memory reads those under them).
  let thresholds = '';
  const ports = memoPorts(desk.ports, () => `${version}\0${thresholds}`);
  const rand = rng(rows.length);
  const { closeAfterHours } = desk.config;
  const pastOf = new Map<string, PipelineInput['history']>();
  const summary: HistorySummary = {
    tickets: 0,
    answeredByAssistant: 0,
    labelledByAgents: 0,
    modelVersions: starterModel ? [starterModel.version] : [],
    thresholdChanges: 0,
    anomalies: 0,
    bugReports: 0,
    topics: 0,
    clustered: 0,
  };
  for (let week = 0, i = 0; i < rows.length; week++) {
    const weekEnd = new Date(Math.min(start + (week + 1) * WEEK, end.getTime()));
    const settings = autonomyOf((await getWorkspace(desk.database.db, workspaceId)).settings);
    if (desk.intentMemory) thresholds = JSON.stringify([settings.defaultThreshold, settings.intentThresholds]);
    const played: { past: Past; t: TicketTimeline; agentId: string | null }[] = [];
    for (; i < rows.length && rows[i]!.createdAt < weekEnd; i++) {
      const row = rows[i]!;
      const customer = byEmail.get(row.customer.email)!;
      const past: Past = {
        id: randomUUID(),
        row,
        customer,
        account: customer.accountId ? (accounts.get(customer.accountId) ?? null) : null,
      };
      const history = (pastOf.get(customer.id) ?? []).slice(0, 20);
      const first = await runStages(ports, pipelineInput(workspaceId, past, null, history, settings, 'created'));
      const t = await playTicket(row, first, {
        end,
        closeAfterHours,
        rand,
        rerun: (now) => runStages(ports, pipelineInput(workspaceId, past, now, history, settings, 'customer_message')),
      });
      played.push({ past, t, agentId: agentFor(row.intent, agentIds) });
      pastOf.set(customer.id, [
        {
          id: past.id,
          subject: row.subject,
          status: t.state.status,
          intent: t.intent,
          createdAt: row.createdAt,
          reopenCount: t.state.reopenCount,
          tags: t.tags,
        },
        ...history,
      ]);
      summary.tickets++;
      if (t.messages.some((m) => m.author === 'assistant' && m.visibility === 'public')) summary.answeredByAssistant++;
      if (t.events.some((e) => e.type === 'ticket.intent_changed' && e.by === 'agent')) summary.labelledByAgents++;
    }
    await desk.tx(workspaceId, systemActor, (ctx) => writeWeek(ctx, played));
    if (weekEnd.getTime() >= end.getTime()) break;
    if ((week + 1) % TUNE_EVERY_WEEKS === 0) {
      const tuned = await desk.tx(workspaceId, systemActor, (ctx) => tuneThresholds({ ...ctx, now: () => weekEnd }));
      summary.thresholdChanges += tuned.changes.length;
    }
    if ((week + 1) % RETRAIN_EVERY_WEEKS === 0) {
      // outside a transaction, as the retrain job runs: the model store writes on its own connection
      const v = await retrainAt(desk, { ...base, now: () => weekEnd }, starter);
      if (v !== null) {
        summary.modelVersions.push(v);
        version = String(v);
      }
    }
  }
  // the insights sweep's anomaly scan, on the dates it would have run
  for (let at = end.getTime() - SCAN_DAYS * DAY; at <= end.getTime(); at += SCAN_EVERY_MS) {
    const found = await desk.tx(workspaceId, systemActor, (ctx) =>
      detectAnomalies({ ...ctx, now: () => new Date(at) }),
    );
    summary.anomalies += found.length;
  }
  // and its bug reports as of today: the incident's tickets grouped into one report, with the customers to notify
  const reports = await desk.tx(workspaceId, systemActor, (ctx) =>
    refreshBugReports({ ...ctx, now: () => end }, desk.embedder),
  );
  summary.bugReports = reports.length;
  // and its topics as of today: the daily re-clustering, recorded as done (the live sweep joins new tickets to them
  // within minutes and re-clusters a day later)
  const topics = await desk.tx(workspaceId, systemActor, async (ctx) => {
    const today = { ...ctx, now: () => end };
    return updateTopics(today, desk.embedder, {
      recluster: await dueAndMark(today, 'topics.recluster', RECLUSTER_EVERY_MS),
    });
  });
  summary.topics = topics.topics;
  summary.clustered = topics.assigned;
  return summary;
}
