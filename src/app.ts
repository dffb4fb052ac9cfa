import type { Logger } from 'pino';
import { loadConfig, type Config } from './config.js';
import type { MessageInput, TicketCreate } from './domain/schemas.js';
import { fanOutListener } from './channels/fanout.js';
import { createMailSender, type MailSender } from './connectors/email-out.js';
import type { SmtpListener } from './channels/email/smtp.js';
import { registerEventListener } from './events/listeners.js';
import { addMessage, type MessageAuthor } from './ingest/add-message.js';
import { listenForEmail, receiveEmail } from './ingest/email.js';
import { TicketOpener, type OpenTicketOptions } from './ingest/open-ticket.js';
import { pipelinePorts, runPipelineNow } from './jobs/pipeline.js';
import { JobQueue } from './jobs/queue.js';
import { sweep } from './jobs/sweep.js';
import { JobWorker } from './jobs/worker.js';
import { createEmbedder, type Embedder } from './knowledge/embedders.js';
import { PassageVectors } from './knowledge/passage-vectors.js';
import { cachedEncoder, type SentenceEncoder, universalSentenceEncoder } from './nlp/encoder.js';
import { IntentMemories } from './learning/intent-memory.js';
import { LiveBus } from './live/bus.js';
import { configureWordVectors } from './nlp/intent/vectors.js';
import { createLogger } from './ops/logger.js';
import { IntentModels } from './pipeline/ports/intent-port.js';
import type { PipelinePorts, PipelineTrigger } from './pipeline/types.js';
import { createLlmProvider, type LlmProvider } from './resolution/llm.js';
import { createOutboundGuard, type OutboundGuard } from './security/outbound-url.js';
import { Throttle } from './security/throttle.js';
import { ApiKeyCache } from './people/authenticate-api-key.js';
import type { Actor, Ctx } from './store/ctx.js';
import { createWorkspaceWithModel } from './people/create-workspace.js';
import { openDatabase, type Database, type DbOrTx } from './store/db.js';
import { contextOf, inTransaction } from './store/transaction.js';

/** The composition root: config, logger, database, queue, models, ports, listeners and jobs; it exposes the ways in
 * (src/ingest) and the jobs (src/jobs) to HTTP routes, the CLI and tests. */
export class Deskmind {
  readonly intentModels: IntentModels;
  readonly intentMemory: IntentMemories | null;
  readonly ports: PipelinePorts;
  /** Embeds knowledge-base chunks and questions (built-in, or an OpenAI-compatible endpoint). */
  readonly embedder: Embedder;
  readonly passageVectors: PassageVectors | null;
  /** The sentence encoder the intent models train and read with (DESKMIND_INTENT_SENTENCE; null: words alone). */
  readonly sentenceEncoder: SentenceEncoder | null;
  /** The configured OpenAI-compatible chat model, or null (the default: no LLM). */
  readonly llm: LlmProvider | null;
  /** Sends outbound email replies through the configured SMTP relay (null: none configured). */
  readonly mail: MailSender | null;
  /** Timeline events as they commit, from every process (PostgreSQL LISTEN/NOTIFY). */
  readonly live: LiveBus;
  /** API keys this process recently found valid (DESKMIND_API_KEY_CACHE_SECONDS). */
  readonly apiKeys: ApiKeyCache;
  /** Failed credential attempts (passwords, widget user hashes, API keys), on the database and `now`. */
  readonly throttle: Throttle;
  private readonly tickets: TicketOpener;
  private readonly worker: JobWorker;
  private smtp: SmtpListener | null = null;

  private constructor(
    readonly config: Config,
    readonly database: Database,
    readonly jobs: JobQueue,
    readonly logger: Logger,
    readonly now: () => Date,
    /** The SSRF guard of outbound calls to workspace-configured URLs (webhooks, Slack, actions, trackers). */
    readonly outbound: OutboundGuard,
  ) {
    this.intentModels = new IntentModels(database);
    // One sentence encoder (the model loads once per process) shared by the intent memory and the answer check.
    const encoder = cachedEncoder(universalSentenceEncoder());
    this.intentMemory = config.intentMemory ? new IntentMemories(encoder) : null;
    this.tickets = new TicketOpener(this);
    this.live = new LiveBus(database);
    this.apiKeys = new ApiKeyCache(config.apiKeyCacheSeconds * 1000, () => now().getTime());
    this.throttle = new Throttle(database, now);
    this.embedder = createEmbedder(config);
    this.passageVectors = config.answerSemantic ? new PassageVectors(encoder) : null;
    this.sentenceEncoder = config.intentSentence ? encoder : null;
    this.llm = createLlmProvider(config);
    this.mail = createMailSender(config.smtpRelayUrl, config.webhookTimeoutMs);
    this.worker = new JobWorker(this);
    this.ports = this.portsFor(database.db);
  }

  /**
   * Opens the database (migrating it), and starts the job queue; with `worker`, also processes jobs.
   * `outbound` replaces the SSRF guard built from DESKMIND_OUTBOUND_ALLOW (tests give one with its own DNS).
   */
  static async open(
    options: Partial<Pick<Deskmind, 'config' | 'logger' | 'now' | 'database' | 'outbound'>> & { worker?: boolean } = {},
  ): Promise<Deskmind> {
    const config = options.config ?? loadConfig();
    configureWordVectors(config.wordVectors);
    registerEventListener(fanOutListener);
    const logger = options.logger ?? createLogger(config);
    const database = options.database ?? (await openDatabase(config));
    const jobs = new JobQueue(database, logger, config);
    const outbound = options.outbound ?? createOutboundGuard({ allow: config.outboundAllow });
    const app = new Deskmind(config, database, jobs, logger, options.now ?? (() => new Date()), outbound);
    try {
      await jobs.start();
      if (options.worker ?? config.worker) await app.startWorker();
    } catch (err) {
      await app.close();
      throw err;
    }
    return app;
  }

  /** The pipeline's ports, reading through `db` (a run's handle: they then see its configuration version). */
  portsFor = (db: DbOrTx): PipelinePorts => pipelinePorts(this, db);
  /** A workspace-scoped operation context; `tx` runs `fn` in one transaction with one. */
  ctx = (workspaceId: string, actor: Actor): Ctx => contextOf(this, workspaceId, actor);
  tx = <T>(ws: string, actor: Actor, fn: (ctx: Ctx) => Promise<T>): Promise<T> => inTransaction(this, ws, actor, fn);

  createWorkspace = (name: string) => createWorkspaceWithModel(this, name);

  // The ways in (src/ingest): each queues the pipeline in the transaction that writes the ticket or message.
  createTicket = (ws: string, actor: Actor, input: TicketCreate, opts: OpenTicketOptions = {}) =>
    this.tickets.open(ws, actor, input, opts);
  addMessage = (ws: string, actor: Actor, ticketId: string, input: MessageInput, author: MessageAuthor) =>
    addMessage(this, ws, actor, ticketId, input, author);
  receiveEmail = (raw: Buffer, recipients: string[]) => receiveEmail(this, raw, recipients);
  /** Ticket groups written: how many, the tickets they held, the largest, how many fell back to one at a time. */
  ingestStats = () => this.tickets.stats;

  /** Starts the inbound SMTP listener (DESKMIND_SMTP_HOST / _PORT unless given); resolves with its port. */
  startSmtp = async (opts: { host?: string; port?: number } = {}) =>
    (this.smtp ??= await listenForEmail(this, opts)).port;

  // Jobs (src/jobs) the CLI and tests run now, in this process; routes and tests import the others from src/jobs.
  runPipeline = (ws: string, ticketId: string, trigger: PipelineTrigger, runId?: string) =>
    runPipelineNow(this, ws, ticketId, trigger, runId);
  sweep = () => sweep(this);
  deliverOutbox = () => this.worker.deliverOutbox();

  /** Starts processing jobs in this process. */
  startWorker = () => this.worker.start();

  async close(): Promise<void> {
    const workerStopped = this.worker.stop();
    await this.smtp?.close().catch((err) => this.logger.warn({ err }, 'smtp listener did not stop cleanly'));
    await workerStopped;
    this.mail?.close();
    await this.live.close().catch((err) => this.logger.warn({ err }, 'live bus did not stop cleanly'));
    await this.jobs.stop().catch((err) => this.logger.warn({ err }, 'job queue did not stop cleanly'));
    await this.database.close();
    await this.outbound.close().catch(() => undefined);
  }
}
