import { randomUUID } from 'node:crypto';
import { and, eq, isNull, lt, notExists, sql } from 'drizzle-orm';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from './config.js';
import { prettyDestination } from './ops/pretty-log.js';
import { createOutboundGuard, type OutboundGuard } from './security/outbound-url.js';
import type { MessageInput, TicketCreate } from './domain/schemas.js';
import type { AuthorType } from './domain/enums.js';
import { assertStorableText } from './domain/text.js';
import { LiveBus } from './live/bus.js';
import { JobQueue, PIPELINE_BATCH_SIZE, learnJob, pipelineJob, retrainJob, sweepJob } from './jobs/queue.js';
import { learnFromLabel } from './learning/online.js';
import { retrainIntentModel, retrainIsDue } from './learning/retrain.js';
import { tuneThresholdsIfDue } from './learning/thresholds.js';
import { sweepInsights } from './insights/sweep.js';
import { withEventBatch } from './services/events.js';
import { ApiKeyCache } from './services/auth.js';
import { Throttle } from './security/throttle.js';
import { sweepSla } from './sla/sweep.js';
import { configureWordVectors } from './nlp/intent/vectors.js';
import { inScopeByWorkspace, IntentModels } from './pipeline/intent-port.js';
import { IntentMemories } from './learning/intent-memory.js';
import { cachedEncoder, universalSentenceEncoder } from './nlp/encoder.js';
import { resolutionPorts } from './pipeline/resolution-ports.js';
import { dbRoutingPort } from './routing/port.js';
import { integrationSources } from './integrations/sources.js';
import { loadIntegrationConfig } from './integrations/settings.js';
import { pruneUsage } from './integrations/usage.js';
import { pruneWebhookReceipts } from './integrations/receipts.js';
import { createEmbedder, type Embedder } from './knowledge/embedders.js';
import { createLlmProvider, type LlmProvider } from './resolution/llm.js';
import { runPipeline, runPipelineBatch, type RunnerDeps } from './pipeline/runner.js';
import { vacuumDue } from './store/maintenance.js';
import type { PipelinePorts, PipelineTrigger } from './pipeline/types.js';
import type { Actor, Ctx } from './services/context.js';
import * as ticketOps from './services/tickets.js';
import { createWorkspace } from './services/workspaces.js';
import { ingestEmail, type InboundResult } from './channels/email/inbound.js';
import { createMailSender, type MailSender } from './channels/email/outbound.js';
import { parseEmail } from './channels/email/parse.js';
import { workspaceByInboundAddress } from './channels/email/settings.js';
import { startSmtpListener, type SmtpListener } from './channels/email/smtp.js';
import { deliverOutbox, pruneOutbox, type DeliveryCounts } from './channels/outbox.js';
import { openDatabase, type Database, type DbOrTx } from './store/db.js';
import { decisions, tickets, workspaces } from './store/schema.js';
import { pruneRateLimits } from './server/rate-limit-store.js';
import { storeIdempotentResponse, storeIdempotentResponses, type IdempotencyClaim } from './services/idempotency.js';
import { GroupCommit, powerOfTwoChunks, settle, type Outcome } from './services/group-commit.js';
import { compactModels } from './services/models.js';
import { assignQueued } from './routing/presence.js';

/** Log redaction: secrets never reach the logs. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'apiKey',
  'password',
  '*.password',
  '*.apiKey',
  'databaseUrl',
  'config.databaseUrl',
  'smtpRelayUrl',
  'config.smtpRelayUrl',
  // integration secrets (src/integrations/settings.ts)
  '*.secretKey',
  '*.webhookSecret',
  '*.accessToken',
  'req.headers["stripe-signature"]',
  'req.headers["x-deskmind-signature"]',
  'req.headers["x-csrf-token"]',
  'req.headers["x-deskmind-signature"]',
  'secret',
  'token',
  '*.secret',
  '*.token',
  '*.signingSecret',
  '*.llmApiKey',
  '*.embeddingsApiKey',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
];

/** The structured logger; `stderr` keeps stdout free for a command's own output (e.g. `demo --json`). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, to: 'stdout' | 'stderr' = 'stdout'): Logger {
  const fd = to === 'stdout' ? 1 : 2;
  return pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, config.logFormat === 'pretty' ? prettyDestination(fd) : pino.destination(fd));
}

/** A `POST /tickets` as `createTicket` receives it. */
interface TicketRequest {
  workspaceId: string;
  actor: Actor;
  input: TicketCreate;
  idempotency: IdempotencyClaim | null;
}
type CreatedTicket = Awaited<ReturnType<typeof ticketOps.createTicket>>;

/**
 * The composition root: configuration, database, job queue, models and the workspace-scoped operations
 * that HTTP routes, the CLI and jobs call. Operations run in one transaction and queue the ticket pipeline
 * after commit.
 */
export class Deskmind {
  readonly intentModels: IntentModels;
  /** The workspaces' memories of labelled tickets and article phrases (DESKMIND_INTENT_MEMORY; null: off). */
  readonly intentMemory: IntentMemories | null;
  /** Embeds knowledge-base chunks and questions (built-in, or an OpenAI-compatible endpoint). */
  readonly embedder: Embedder;
  /** The configured OpenAI-compatible chat model, or null (the default: no LLM). */
  readonly llm: LlmProvider | null;
  readonly ports: PipelinePorts;
  /** Sends outbound email replies through the configured SMTP relay (null: none configured). */
  readonly mail: MailSender | null;
  /** Timeline events as they commit, from every process (PostgreSQL LISTEN/NOTIFY). */
  readonly live: LiveBus;
  /** The SSRF guard of outbound calls to workspace-configured URLs (webhooks, Slack, actions, trackers). */
  readonly outbound: OutboundGuard;
  /** API keys this process recently found valid (DESKMIND_API_KEY_CACHE_SECONDS). */
  readonly apiKeys: ApiKeyCache;
  /** Failed credential attempts (passwords, widget user hashes, API keys), on the database and `now`. */
  readonly throttle: Throttle;
  private workerStarted = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private vacuumTimer: NodeJS.Timeout | undefined;
  private outboxTimer: NodeJS.Timeout | undefined;
  private outboxRun: Promise<unknown> | null = null;
  private smtp: SmtpListener | null = null;
  private closing = false;
  /** Ticket creations written together (group commit); see `createTicket`. */
  private readonly ticketGroup: GroupCommit<TicketRequest, CreatedTicket>;
  private ticketGroupFallbacks = 0;

  private constructor(
    readonly config: Config,
    readonly database: Database,
    readonly jobs: JobQueue,
    readonly logger: Logger,
    readonly now: () => Date,
    outbound?: OutboundGuard,
  ) {
    this.outbound = outbound ?? createOutboundGuard({ allow: config.outboundAllow });
    this.intentModels = new IntentModels(database);
    this.intentMemory = config.intentMemory ? new IntentMemories(cachedEncoder(universalSentenceEncoder())) : null;
    this.ticketGroup = new GroupCommit({ maxSize: config.ingestGroupSize, lingerMs: config.ingestLingerMs, write: (requests) => this.writeTicketGroup(requests) });
    this.live = new LiveBus(database);
    this.apiKeys = new ApiKeyCache(config.apiKeyCacheSeconds * 1000, () => now().getTime());
    this.throttle = new Throttle(database, now);
    this.embedder = createEmbedder(config);
    this.llm = createLlmProvider(config);
    this.mail = createMailSender(config.smtpRelayUrl, config.webhookTimeoutMs);
    this.ports = this.portsFor(database.db);
  }

  /** The pipeline's ports, reading through `db` (a run's handle: they then see its configuration version). */
  portsFor(db: DbOrTx): PipelinePorts {
    const database = { db };
    return {
      predictIntent: async (workspaceId, text, opts) => {
        const entry = await this.intentModels.get(workspaceId, db);
        if (!entry) return null;
        const { prediction, scopeAdjusted } = inScopeByWorkspace(entry.model.predict(text), entry.oosConfidence);
        // the memory only adds evidence: if it fails (the encoder cannot load), the model's reading stands
        const recalled =
          opts?.threshold && this.intentMemory
            ? await this.intentMemory.consult(db, workspaceId, text, entry.model, prediction, opts.threshold(prediction.topIntent)).catch((err: unknown) => {
                this.logger.warn({ err, workspaceId }, 'intent memory failed; the model alone decides');
                return null;
              })
            : null;
        return { prediction: recalled?.prediction ?? prediction, modelVersion: `intent@${entry.version}`, scopeAdjusted, memory: recalled?.record ?? null };
      },
      ...resolutionPorts({ database, embedder: this.embedder, llm: this.llm, llmJudge: this.config.llmJudge, now: this.now, fetch: this.outbound.fetch }),
      routing: dbRoutingPort(database),
      enrichmentSources: integrationSources({ database, config: this.config, now: this.now }),
    };
  }

  /**
   * Opens the database (migrating it), and starts the job queue; with `worker`, also processes jobs.
   * `outbound` replaces the SSRF guard built from DESKMIND_OUTBOUND_ALLOW (tests give one with its own DNS).
   */
  static async open(options: { config?: Config; logger?: Logger; now?: () => Date; worker?: boolean; database?: Database; outbound?: OutboundGuard } = {}): Promise<Deskmind> {
    const config = options.config ?? loadConfig();
    configureWordVectors(config.wordVectors);
    const logger = options.logger ?? createLogger(config);
    const database = options.database ?? (await openDatabase(config));
    const jobs = new JobQueue(database, logger, { jobTimeoutSeconds: config.jobTimeoutSeconds, workerLeaseSeconds: config.workerLeaseSeconds });
    const app = new Deskmind(config, database, jobs, logger, options.now ?? (() => new Date()), options.outbound);
    try {
      await jobs.start();
      if (options.worker ?? config.worker) await app.startWorker();
    } catch (err) {
      await app.close();
      throw err;
    }
    return app;
  }

  /** A workspace-scoped operation context. */
  ctx(workspaceId: string, actor: Actor): Ctx {
    return { db: this.database.db, workspaceId, actor, now: this.now };
  }

  /** Runs `fn` in one transaction. */
  tx<T>(workspaceId: string, actor: Actor, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    return this.database.db.transaction((tx) => fn({ db: tx, workspaceId, actor, now: this.now }));
  }

  async createWorkspace(name: string) {
    const created = await this.database.db.transaction((tx) => createWorkspace(tx, { name }, this.now));
    await this.intentModels.ensureStarter(created.workspace.id);
    return created;
  }

  /**
   * Opens a ticket and queues its pipeline in the same transaction: an acknowledged ticket always has its
   * job, even if the process dies right after the commit. Tickets that arrive while others are being written
   * are written together as the next group (see `writeTicketGroup`; DESKMIND_INGEST_GROUP_SIZE).
   */
  async createTicket(workspaceId: string, actor: Actor, input: TicketCreate, opts: { idempotency?: IdempotencyClaim | null } = {}): Promise<CreatedTicket> {
    const request: TicketRequest = { workspaceId, actor, input, idempotency: opts.idempotency ?? null };
    return this.config.ingestGroupSize > 1 ? this.ticketGroup.submit(request) : this.createTicketAlone(request);
  }

  /** Ticket groups written so far: how many, the tickets they held, the largest, and how many fell back to one at a time. */
  get ingestStats(): { groups: number; members: number; largest: number; fallbacks: number } {
    return { ...this.ticketGroup.stats, fallbacks: this.ticketGroupFallbacks };
  }

  /** One ticket in its own transaction. */
  private async createTicketAlone(r: TicketRequest): Promise<CreatedTicket> {
    const created = await this.tx(r.workspaceId, r.actor, async (txCtx) => {
      const created = await withEventBatch(txCtx, (ctx) => ticketOps.createTicket(ctx, r.input, { sla: true }));
      await this.jobs.enqueuePipeline({ workspaceId: r.workspaceId, ticketId: created.ticket.id, trigger: 'created' }, txCtx.db);
      // The response a retry with the same Idempotency-Key gets, committed with the ticket.
      if (r.idempotency) await storeIdempotentResponse(txCtx.db, r.idempotency, 201, JSON.parse(JSON.stringify(created)));
      return created;
    });
    this.jobs.wake(pipelineJob.name);
    return created;
  }

  /**
   * Writes a group of ticket requests in one transaction: per workspace, customers resolved together and
   * tickets, messages and events inserted in one statement each; then every pipeline job and stored
   * idempotent response in one statement each. A bad body is refused alone, before anything is written. If
   * the group fails (a duplicate externalId, an unknown customer…), each request is written alone, as
   * without grouping, so that each gets its own outcome.
   */
  private async writeTicketGroup(requests: TicketRequest[]): Promise<Outcome<CreatedTicket>[]> {
    if (requests.length === 1) return [await settle(() => this.createTicketAlone(requests[0]!))];
    const outcomes: (Outcome<CreatedTicket> | null)[] = [];
    const drafts = new Map<number, ticketOps.TicketDraft>();
    for (const [i, r] of requests.entries()) {
      try {
        drafts.set(i, ticketOps.draftTicket(r.input, r.actor));
        outcomes.push(null);
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (!drafts.size) return outcomes as Outcome<CreatedTicket>[];
    try {
      const created = await this.database.db.transaction(async (tx) => {
        const byWorkspace = new Map<string, number[]>();
        for (const i of drafts.keys()) byWorkspace.set(requests[i]!.workspaceId, [...(byWorkspace.get(requests[i]!.workspaceId) ?? []), i]);
        const out = new Map<number, CreatedTicket>();
        // One run per workspace: the inserts' statement text does not depend on the row count (`bulkInsert`).
        for (const [workspaceId, members] of byWorkspace) {
          const ctx: Ctx = { db: tx, workspaceId, actor: requests[members[0]!]!.actor, now: this.now };
          const results = await withEventBatch(ctx, (c) => ticketOps.createTickets(c, members.map((i) => drafts.get(i)!), { sla: true }));
          members.forEach((i, k) => out.set(i, results[k]!));
        }
        const written = [...out];
        await this.jobs.enqueuePipelines(written.map(([i, c]) => ({ workspaceId: requests[i]!.workspaceId, ticketId: c.ticket.id, trigger: 'created' as const })), tx);
        // The responses retries with the same Idempotency-Key get, committed with the tickets.
        const responses = written.flatMap(([i, c]) => {
          const claim = requests[i]!.idempotency;
          return claim ? [{ claim, statusCode: 201, response: JSON.parse(JSON.stringify(c)) as unknown }] : [];
        });
        for (const run of powerOfTwoChunks(responses)) await storeIdempotentResponses(tx, run);
        return out;
      });
      for (const [i, c] of created) outcomes[i] = { ok: true, value: c };
      this.jobs.wake(pipelineJob.name);
    } catch (err) {
      this.ticketGroupFallbacks++;
      this.logger.debug({ err, size: drafts.size }, 'ticket group failed; writing its tickets one at a time');
      for (const i of drafts.keys()) outcomes[i] = await settle(() => this.createTicketAlone(requests[i]!));
    }
    return outcomes.map((o) => o ?? { ok: false, error: new Error('ticket group: no outcome') });
  }

  /** Adds a message; a customer's public message queues the pipeline again. */
  async addMessage(workspaceId: string, actor: Actor, ticketId: string, input: MessageInput, author: { type: AuthorType; id: string | null }) {
    const result = await this.tx(workspaceId, actor, (ctx) => ticketOps.addMessage(ctx, ticketId, input, author));
    if (author.type === 'customer' && input.visibility === 'public') await this.queuePipeline(workspaceId, ticketId, 'customer_message');
    return result;
  }

  /** Queues the pipeline; if queueing fails the sweep picks the ticket up later, so it is never stuck. */
  async queuePipeline(workspaceId: string, ticketId: string, trigger: PipelineTrigger): Promise<string | null> {
    try {
      return await this.jobs.enqueuePipeline({ workspaceId, ticketId, trigger });
    } catch (err) {
      this.logger.error({ err, ticketId }, 'could not queue the pipeline; the sweep will retry');
      return null;
    }
  }

  private runnerDeps(): RunnerDeps {
    return { database: this.database, ports: (db) => this.portsFor(db), now: this.now };
  }

  /** Runs the pipeline now, in this process (used by jobs, `replay` and tests). */
  runPipeline(workspaceId: string, ticketId: string, trigger: PipelineTrigger, runId: string = randomUUID()) {
    return runPipeline(this.runnerDeps(), workspaceId, ticketId, trigger, runId);
  }

  /** Learns from a ticket's human intent label now (the `learn-label` job calls this). */
  learn(workspaceId: string, ticketId: string) {
    return learnFromLabel(this.ctx(workspaceId, { type: 'system', id: null }), this.intentModels, ticketId);
  }

  /** Retrains a workspace's intent model on all its labels now, promoted through the window guard (the `retrain-intents` job calls this). */
  retrain(workspaceId: string) {
    return retrainIntentModel(this.ctx(workspaceId, { type: 'system', id: null }), this.intentModels);
  }

  /** Queues online learning; a failure to queue only loses one online update (a retrain catches up). */
  async queueLearning(workspaceId: string, ticketId: string): Promise<void> {
    await this.jobs.enqueueLearning({ workspaceId, ticketId }).catch((err) => this.logger.warn({ err, ticketId }, 'could not queue online learning'));
  }

  /** Decides a ticket again with today's models and settings, without changing anything (replay). */
  replayDecision(workspaceId: string, ticketId: string) {
    return runPipeline(this.runnerDeps(), workspaceId, ticketId, 'replay', `replay-${randomUUID()}`, { dryRun: true });
  }

  /** Closes quiet resolved tickets, wakes snoozed ones, and re-queues new tickets whose pipeline never ran. */
  async sweep(): Promise<{ closed: number; woken: number; requeued: number; escalated: number; breached: number; assigned: number }> {
    const total = { closed: 0, woken: 0, requeued: 0, escalated: 0, breached: 0, assigned: 0 };
    const ws = await this.database.db.select({ id: workspaces.id }).from(workspaces);
    for (const { id } of ws) {
      const r = await this.tx(id, { type: 'system', id: null }, (ctx) => ticketOps.sweepLifecycle(ctx, { closeAfterHours: this.config.closeAfterHours }));
      total.closed += r.closed;
      total.woken += r.woken;
      const sla = await this.tx(id, { type: 'system', id: null }, (ctx) => sweepSla(ctx, this.now()));
      total.escalated += sla.escalated;
      total.breached += sla.breached;
      // Tickets waiting in a team queue go to agents who have room again.
      total.assigned += (await this.tx(id, { type: 'system', id: null }, (ctx) => assignQueued(ctx))).length;
      // Autonomy thresholds move with the evidence, at most once a day.
      await this.tx(id, { type: 'system', id: null }, (ctx) => tuneThresholdsIfDue(ctx));
      // Insights (topics, anomalies, bug reports) outside a transaction: tracker calls must not hold one open.
      await sweepInsights(this.ctx(id, { type: 'system', id: null }), this.embedder, this.outbound, (part, err) => this.logger.warn({ err, workspaceId: id, part }, 'insights sweep failed'));
      // Product usage is kept only as long and as much as the workspace's retention allows.
      await pruneUsage(this.database.db, id, (await loadIntegrationConfig(this.database.db, id)).usage, this.now());
      // Enough new labels: retrain the intent model in the background (online updates lag a batch fit).
      if (await retrainIsDue(this.ctx(id, { type: 'system', id: null }), this.intentModels)) {
        await this.jobs.enqueueRetrain({ workspaceId: id }).catch((err) => this.logger.warn({ err, workspaceId: id }, 'could not queue a retrain'));
      }
    }
    await pruneOutbox(this.database.db, this.now()).catch((err) => this.logger.warn({ err }, 'could not prune the outbox'));
    await pruneWebhookReceipts(this.database.db, this.now());
    await pruneRateLimits(this.database).catch((err) => this.logger.warn({ err }, 'could not prune rate-limit counters'));
    await compactModels(this.database.db).catch((err) => this.logger.warn({ err }, 'could not compact old model versions'));
    const staleBefore = new Date(this.now().getTime() - 5 * 60_000);
    const stuck = await this.database.db
      .select({ id: tickets.id, workspaceId: tickets.workspaceId })
      .from(tickets)
      .where(
        and(
          eq(tickets.status, 'new'),
          isNull(tickets.assigneeId),
          lt(tickets.createdAt, staleBefore),
          notExists(this.database.db.select({ one: sql`1` }).from(decisions).where(eq(decisions.ticketId, tickets.id))),
        ),
      )
      .limit(500);
    for (const t of stuck) if (await this.queuePipeline(t.workspaceId, t.id, 'replay')) total.requeued++;
    return total;
  }

  /**
   * One pass of the outbox: numbers new deliveries, then sends the due webhooks, Slack notices and emails
   * (the worker runs it every DESKMIND_OUTBOX_POLL_MS; tests call it directly).
   */
  async deliverOutbox(): Promise<DeliveryCounts> {
    while (this.outboxRun) await this.outboxRun.catch(() => undefined);
    const run = deliverOutbox({ database: this.database, now: this.now, logger: this.logger, mail: this.mail, fetch: this.outbound.fetch, maxAttempts: this.config.webhookMaxAttempts, timeoutMs: this.config.webhookTimeoutMs });
    this.outboxRun = run;
    try {
      return await run;
    } finally {
      this.outboxRun = null;
    }
  }

  /**
   * Stores one inbound mail (raw RFC 5322 bytes) for each workspace whose inbound address is among the
   * recipients, and queues the pipeline of the ticket it opened or continued.
   */
  async receiveEmail(raw: Buffer, recipients: string[]): Promise<InboundResult[]> {
    const mail = await parseEmail(raw);
    // Refused whole (SMTP 550) rather than stored in part: attachments' bytes are stored as bytes.
    assertStorableText({ ...mail, attachments: mail.attachments.map(({ content: _bytes, ...meta }) => meta) }, 'email');
    const workspaceIds = new Set<string>();
    for (const r of recipients) {
      const ws = await workspaceByInboundAddress(this.database.db, r);
      if (ws) workspaceIds.add(ws);
    }
    const results: InboundResult[] = [];
    const limits = { maxAttachments: this.config.emailMaxAttachments, maxAttachmentBytes: this.config.emailMaxAttachmentBytes };
    for (const ws of workspaceIds) {
      const result = await this.tx(ws, { type: 'integration', id: 'email' }, (ctx) => ingestEmail(ctx, mail, raw, recipients, limits));
      if (result.status === 'created') await this.queuePipeline(ws, result.ticketId, 'created');
      if (result.status === 'threaded') await this.queuePipeline(ws, result.ticketId, 'customer_message');
      if (result.status === 'ignored') this.logger.info({ workspaceId: ws, reason: result.reason }, 'inbound email ignored');
      results.push(result);
    }
    return results;
  }

  /** Starts the inbound SMTP listener (DESKMIND_SMTP_HOST / DESKMIND_SMTP_PORT unless given); returns its port. */
  async startSmtp(opts: { host?: string; port?: number } = {}): Promise<number> {
    if (this.smtp) return this.smtp.port;
    this.smtp = await startSmtpListener({
      host: opts.host ?? this.config.smtpHost,
      port: opts.port ?? this.config.smtpPort ?? 0,
      maxBytes: this.config.emailMaxBytes,
      logger: this.logger,
      accepts: async (address) => (await workspaceByInboundAddress(this.database.db, address)) !== null,
      receive: async (raw, recipients) => {
        await this.receiveEmail(raw, recipients);
      },
    });
    return this.smtp.port;
  }

  /** Starts processing jobs in this process. */
  async startWorker(): Promise<void> {
    if (this.workerStarted) return;
    this.workerStarted = true;
    await this.jobs.workBatch(pipelineJob, { concurrency: this.config.workerConcurrency, batchSize: PIPELINE_BATCH_SIZE }, async (jobs) => {
      const runs = await runPipelineBatch(this.runnerDeps(), jobs.map((j) => j.data));
      return runs.map((r) => (r instanceof Error ? r : null));
    });
    await this.jobs.work(learnJob, { concurrency: 1 }, async (job) => {
      const outcome = await this.learn(job.workspaceId, job.ticketId);
      this.logger.info({ ticketId: job.ticketId, ...outcome }, 'online learning');
    });
    await this.jobs.work(retrainJob, { concurrency: 1, pollingIntervalSeconds: 5 }, async (job) => {
      const outcome = await this.retrain(job.workspaceId);
      this.logger.info({ workspaceId: job.workspaceId, ...outcome }, 'background retrain');
    });
    await this.jobs.work(sweepJob, { concurrency: 1, pollingIntervalSeconds: 2 }, async () => {
      const r = await this.sweep();
      if (Object.values(r).some((n) => n > 0)) this.logger.info(r, 'lifecycle sweep');
    });
    this.sweepTimer = setInterval(() => {
      this.jobs.enqueueSweep().catch((err) => this.logger.warn({ err }, 'could not queue the sweep'));
    }, this.config.sweepIntervalSeconds * 1000);
    this.sweepTimer.unref();
    // PGlite has no autovacuum: the process that owns it vacuums what needs it, one pass at a time.
    if (this.database.kind === 'pglite' && this.config.embeddedVacuumSeconds > 0) {
      const vacuumLater = () => {
        this.vacuumTimer = setTimeout(() => {
          vacuumDue(this.database, undefined, { pauseMs: 1_000, stopped: () => this.closing })
            .then((r) => this.logger.debug(r, 'embedded vacuum'))
            .catch((err) => this.logger.warn({ err }, 'embedded vacuum failed'))
            .finally(() => {
              if (!this.closing) vacuumLater();
            });
        }, this.config.embeddedVacuumSeconds * 1000);
        this.vacuumTimer.unref();
      };
      vacuumLater();
    }
    const pollOutbox = () => {
      this.outboxTimer = setTimeout(() => {
        this.deliverOutbox()
          .catch((err) => this.logger.warn({ err }, 'outbox delivery pass failed'))
          .finally(() => {
            if (!this.closing) pollOutbox();
          });
      }, this.config.outboxPollMs);
      this.outboxTimer.unref();
    };
    pollOutbox();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.vacuumTimer) clearTimeout(this.vacuumTimer);
    if (this.outboxTimer) clearTimeout(this.outboxTimer);
    await this.smtp?.close().catch((err) => this.logger.warn({ err }, 'smtp listener did not stop cleanly'));
    await this.outboxRun?.catch(() => undefined);
    this.mail?.close();
    await this.live.close().catch((err) => this.logger.warn({ err }, 'live bus did not stop cleanly'));
    await this.jobs.stop().catch((err) => this.logger.warn({ err }, 'job queue did not stop cleanly'));
    await this.database.close();
    await this.outbound.close().catch(() => undefined);
  }
}
