import path from 'node:path';
import { z } from 'zod';

/**
 * The one typed configuration of Deskmind. Nothing else reads `process.env`.
 * Each entry has a default, a description and a sensitive flag (sensitive values are redacted in logs).
 */
const entries = {
  dataDir: {
    env: 'DESKMIND_DATA_DIR',
    schema: z.string().min(1).default('./.deskmind'),
    description: 'Folder of the embedded PostgreSQL (PGlite) database, used when DATABASE_URL is not set.',
    sensitive: false,
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    schema: z.string().url().optional(),
    description: 'PostgreSQL server connection string. When set, Deskmind uses it instead of the embedded database.',
    sensitive: true,
  },
  databasePoolSize: {
    env: 'DESKMIND_DB_POOL_SIZE',
    schema: z.coerce.number().int().min(1).max(200).default(10),
    description: 'Connections per process to the PostgreSQL server (the embedded database always uses one).',
    sensitive: false,
  },
  pgliteThread: {
    env: 'DESKMIND_PGLITE_THREAD',
    schema: z.stringbool().default(false),
    description:
      'Run the embedded database (PGlite) on its own worker thread, so SQL runs alongside the HTTP API and ' +
      'pipeline (keeps the API responsive when the pipeline is overloaded, but is not faster overall on 2 ' +
      'cores); false runs it on the main thread.',
    sensitive: false,
  },
  host: {
    env: 'DESKMIND_HOST',
    schema: z.string().default('127.0.0.1'),
    description: 'Address the HTTP server listens on.',
    sensitive: false,
  },
  port: {
    env: 'DESKMIND_PORT',
    schema: z.coerce.number().int().min(0).max(65535).default(3000),
    description: 'Port the HTTP server listens on (0 picks a free port).',
    sensitive: false,
  },
  logLevel: {
    env: 'DESKMIND_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    description: 'Log level of the structured (pino) logs.',
    sensitive: false,
  },
  logFormat: {
    env: 'DESKMIND_LOG_FORMAT',
    schema: z.enum(['json', 'pretty']).optional(),
    description:
      'Log format: json (one object per line, for log collectors) or pretty (one readable line per entry; request ' +
      'logs at debug level). Unset: json, and pretty for `deskmind demo`.',
    sensitive: false,
  },
  bodyLimitBytes: {
    env: 'DESKMIND_BODY_LIMIT_BYTES',
    schema: z.coerce.number().int().min(1024).default(1_048_576),
    description: 'Largest accepted request body; larger ones get 413 payload_too_large.',
    sensitive: false,
  },
  closeAfterHours: {
    env: 'DESKMIND_CLOSE_AFTER_HOURS',
    schema: z.coerce.number().min(0).default(72),
    description: 'Quiet period after which a resolved ticket is closed automatically.',
    sensitive: false,
  },
  demoTrickle: {
    env: 'DESKMIND_DEMO_TRICKLE',
    schema: z.stringbool().default(true),
    description:
      '`deskmind demo` keeps a gentle live trickle of new tickets (one every 20-40 s, through the ticket API path ' +
      'and the pipeline). false (or `demo --no-trickle`): none.',
    sensitive: false,
  },
  sessionTtlHours: {
    env: 'DESKMIND_SESSION_TTL_HOURS',
    schema: z.coerce
      .number()
      .min(1)
      .default(24 * 14),
    description: 'Lifetime of an agent console session.',
    sensitive: false,
  },
  publicUrl: {
    env: 'DESKMIND_PUBLIC_URL',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    description:
      'The address people reach Deskmind at (e.g. https://desk.example.com behind a TLS proxy); an https one ' +
      'turns Secure cookies on.',
    sensitive: false,
  },
  secureCookies: {
    env: 'DESKMIND_SECURE_COOKIES',
    schema: z.stringbool().optional(),
    description:
      'Mark the session and CSRF cookies Secure (sent over HTTPS only). Default: on when DESKMIND_PUBLIC_URL is ' +
      'https, else off.',
    sensitive: false,
  },
  worker: {
    env: 'DESKMIND_WORKER',
    schema: z.stringbool().default(true),
    description:
      'Run the job worker (ticket pipeline, lifecycle sweeps) inside `serve`. Scaled deployments may run ' +
      '`deskmind worker` apart.',
    sensitive: false,
  },
  workerConcurrency: {
    env: 'DESKMIND_WORKER_CONCURRENCY',
    schema: z.coerce.number().int().min(1).max(64).default(2),
    description: 'Pipeline loops a worker process runs at once, each deciding batches of up to 32 jobs together.',
    sensitive: false,
  },
  embeddedVacuumSeconds: {
    env: 'DESKMIND_EMBEDDED_VACUUM_SECONDS',
    schema: z.coerce.number().int().min(0).default(10),
    description:
      'How often the embedded database (PGlite, which has no autovacuum) vacuums and analyzes the tables that ' +
      'need it; 0 turns it off.',
    sensitive: false,
  },
  sweepIntervalSeconds: {
    env: 'DESKMIND_SWEEP_INTERVAL_SECONDS',
    schema: z.coerce.number().int().min(1).default(60),
    description: 'How often the lifecycle sweep closes quiet resolved tickets and wakes snoozed ones.',
    sensitive: false,
  },
  sharedDataDir: {
    env: 'DESKMIND_SHARED_DATA_DIR',
    schema: z.string().default('../shared/data'),
    description: 'Folder of the public benchmark data sets (Banking77, Bitext) read by `npm run bench`.',
    sensitive: false,
  },
  llmBaseUrl: {
    env: 'DESKMIND_LLM_BASE_URL',
    schema: z.string().url().optional(),
    description:
      'OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp server). Unset: replies are composed from ' +
      'knowledge-base passages without an LLM.',
    sensitive: false,
  },
  llmModel: {
    env: 'DESKMIND_LLM_MODEL',
    schema: z.string().default('gpt-4o-mini'),
    description: 'Model name sent to the LLM endpoint.',
    sensitive: false,
  },
  llmApiKey: {
    env: 'DESKMIND_LLM_API_KEY',
    schema: z.string().optional(),
    description: 'API key of the LLM endpoint (local servers usually need none).',
    sensitive: true,
  },
  llmTimeoutMs: {
    env: 'DESKMIND_LLM_TIMEOUT_MS',
    schema: z.coerce.number().int().min(100).default(15_000),
    description: 'Longest wait for an LLM answer; past it the ticket goes to a human.',
    sensitive: false,
  },
  llmJudge: {
    env: 'DESKMIND_LLM_JUDGE',
    schema: z.stringbool().default(true),
    description:
      'With an LLM: after a draft passes the answer check, ask the model whether it answers the question (citing ' +
      'a source); a "no" hands the ticket to a human.',
    sensitive: false,
  },
  answerSemantic: {
    env: 'DESKMIND_ANSWER_SEMANTIC',
    schema: z.stringbool().default(true),
    description:
      'The answer check also weighs how close in meaning the ask is to each passage, by the built-in sentence ' +
      'encoder (USE-lite, offline; loaded on first answer: about 1 s and 0.3 GB). false: words only, with the ' +
      'lexical prior.',
    sensitive: false,
  },
  embeddingsBaseUrl: {
    env: 'DESKMIND_EMBEDDINGS_BASE_URL',
    schema: z.string().url().optional(),
    description: 'OpenAI-compatible embeddings endpoint. Unset: the built-in embedder (no downloads) is used.',
    sensitive: false,
  },
  embeddingsModel: {
    env: 'DESKMIND_EMBEDDINGS_MODEL',
    schema: z.string().default('text-embedding-3-small'),
    description: 'Embeddings model name sent to the embeddings endpoint.',
    sensitive: false,
  },
  embeddingsApiKey: {
    env: 'DESKMIND_EMBEDDINGS_API_KEY',
    schema: z.string().optional(),
    description: 'API key of the embeddings endpoint.',
    sensitive: true,
  },
  wordVectors: {
    env: 'DESKMIND_WORD_VECTORS',
    schema: z.string().default('builtin'),
    description:
      'Word vectors the classifier and built-in embedder use: `builtin` (assets/word-vectors-100d.bin), a path to ' +
      'a file of the same format, or `off`.',
    sensitive: false,
  },
  intentSentence: {
    env: 'DESKMIND_INTENT_SENTENCE',
    schema: z.stringbool().default(true),
    description:
      'Train intent models with the sentence vectors of their examples (the built-in sentence encoder, stored per ' +
      "workspace) and read each ticket's ask with its vector: paraphrases and few-label intents are recognised by " +
      'meaning, not only by words (about 10-45 ms a ticket once the encoder is loaded); the background retrain ' +
      'does the same. false: words alone; a model trained with vectors then reads words alone too.',
    sensitive: false,
  },
  intentMemory: {
    env: 'DESKMIND_INTENT_MEMORY',
    // On by default since the answer judgement weighs meaning: resolution-real 102 correct, 0 wrong, with it or
    // without; on the custom taxonomy it takes out-of-scope flags from 10.6% to 9.4% (docs/intent-memory.md).
    schema: z.stringbool().default(true),
    description:
      "Read a ticket the intent model is unsure of again with the workspace's memory of labelled tickets and " +
      'article phrases (nearest neighbours by the built-in sentence encoder, loaded on first use: about 1 s and ' +
      "0.3 GB); a person's label counts there at once. false: the model alone.",
    sensitive: false,
  },
  outboxPollMs: {
    env: 'DESKMIND_OUTBOX_POLL_MS',
    schema: z.coerce.number().int().min(50).default(1000),
    description: 'How often the worker looks for outbox deliveries (webhooks, Slack, email) that are due.',
    sensitive: false,
  },
  webhookMaxAttempts: {
    env: 'DESKMIND_WEBHOOK_MAX_ATTEMPTS',
    schema: z.coerce.number().int().min(1).max(100).default(12),
    description:
      'Attempts of one outbox delivery before it goes to the dead-letter list (retries back off exponentially, ' +
      'with jitter, up to an hour apart).',
    sensitive: false,
  },
  webhookTimeoutMs: {
    env: 'DESKMIND_WEBHOOK_TIMEOUT_MS',
    schema: z.coerce.number().int().min(100).default(10_000),
    description: 'Longest wait for a webhook or Slack endpoint, or the SMTP relay, to answer one delivery attempt.',
    sensitive: false,
  },
  smtpHost: {
    env: 'DESKMIND_SMTP_HOST',
    schema: z.string().default('127.0.0.1'),
    description: 'Address the inbound SMTP listener binds to (keep it on loopback behind your MTA).',
    sensitive: false,
  },
  smtpPort: {
    env: 'DESKMIND_SMTP_PORT',
    schema: z.coerce.number().int().min(0).max(65535).optional(),
    description: 'Port of the inbound SMTP listener started by `serve` (0 picks a free port). Unset: no listener.',
    sensitive: false,
  },
  smtpRelayUrl: {
    env: 'DESKMIND_SMTP_RELAY_URL',
    schema: z.string().url().optional(),
    description:
      'SMTP relay for outbound email replies, as `smtp://user:pass@host:587` or `smtps://…:465`. Unset: email ' +
      'replies wait in the outbox, retried, until one is configured.',
    sensitive: true,
  },
  emailMaxBytes: {
    env: 'DESKMIND_EMAIL_MAX_BYTES',
    schema: z.coerce.number().int().min(1024).default(26_214_400),
    description: 'Largest inbound email the SMTP listener accepts (larger ones are refused with 552).',
    sensitive: false,
  },
  emailMaxAttachments: {
    env: 'DESKMIND_EMAIL_MAX_ATTACHMENTS',
    schema: z.coerce.number().int().min(0).max(100).default(10),
    description: 'Attachments stored per inbound email; the rest are listed as skipped.',
    sensitive: false,
  },
  emailMaxAttachmentBytes: {
    env: 'DESKMIND_EMAIL_MAX_ATTACHMENT_BYTES',
    schema: z.coerce.number().int().min(0).default(10_485_760),
    description: 'Largest attachment stored from an inbound email; larger ones are listed as skipped.',
    sensitive: false,
  },
  ci: {
    env: 'CI',
    // CI systems set it to "true", "1" or their own name: anything but an explicit no counts.
    schema: z
      .preprocess(
        (v) => (typeof v === 'string' ? !['0', 'false', 'no', 'off'].includes(v.toLowerCase()) : v),
        z.boolean(),
      )
      .default(false),
    description: 'Set by CI systems: the browser tests then fail, not skip, when Chromium is missing.',
    sensitive: false,
  },
  jobTimeoutSeconds: {
    env: 'DESKMIND_JOB_TIMEOUT_SECONDS',
    schema: z.coerce.number().int().min(2).max(3600).default(300),
    description:
      'Longest a pipeline job may run before it is failed and retried (the queue checks at least every minute).',
    sensitive: false,
  },
  workerLeaseSeconds: {
    env: 'DESKMIND_WORKER_LEASE_SECONDS',
    schema: z.coerce.number().int().min(1).max(600).default(15),
    description:
      'Server mode: a worker process that has not beaten for this long is dead, and the jobs it held are retried ' +
      '(it beats every third of it). Embedded, the process takes back its jobs at start.',
    sensitive: false,
  },
  rateLimitPerMinute: {
    env: 'DESKMIND_RATE_LIMIT_PER_MINUTE',
    schema: z.coerce.number().int().min(0).default(3000),
    description:
      'Requests per minute one API key or console session may make to /api (per API process); 0 turns the limit off.',
    sensitive: false,
  },
  rateLimitIpPerMinute: {
    env: 'DESKMIND_RATE_LIMIT_IP_PER_MINUTE',
    schema: z.coerce.number().int().min(0).default(6000),
    description:
      'Requests per minute one client IP address may make to /api (per API process), whatever its credentials; 0 ' +
      'turns the limit off.',
    sensitive: false,
  },
  testDatabaseUrl: {
    env: 'DESKMIND_TEST_DATABASE_URL',
    schema: z.string().url().optional(),
    description:
      'Tests only: a PostgreSQL server on which the storage and API suites also run (a fresh database is created ' +
      'per run).',
    sensitive: true,
  },
  testRequirePostgres: {
    env: 'DESKMIND_TEST_REQUIRE_POSTGRES',
    schema: z.stringbool().default(false),
    description: 'Tests only: fail (not skip) the PostgreSQL suites when DESKMIND_TEST_DATABASE_URL is missing.',
    sensitive: false,
  },
  // Integrations: billing, CRM, usage (src/connectors)
  stripeApiUrl: {
    env: 'DESKMIND_STRIPE_API_URL',
    schema: z.string().url().default('https://api.stripe.com'),
    description:
      'Base URL of the Stripe API used for on-demand look-ups (protocol, host and port; tests point it at a local ' +
      'server).',
    sensitive: false,
  },
  hubspotApiUrl: {
    env: 'DESKMIND_HUBSPOT_API_URL',
    schema: z.string().url().default('https://api.hubapi.com'),
    description: 'Base URL of the HubSpot API (tests point it at a local server).',
    sensitive: false,
  },
  enrichTimeoutMs: {
    env: 'DESKMIND_ENRICH_TIMEOUT_MS',
    schema: z.coerce.number().int().min(50).max(8000).default(2000),
    description:
      'Longest wait for each enrichment source (CRM, billing, usage); past it the ticket goes on without that source.',
    sensitive: false,
  },
  // Security: outbound URLs (src/security/outbound-url.ts)
  outboundAllow: {
    env: 'DESKMIND_OUTBOUND_ALLOW',
    schema: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^(\*|[0-9a-fA-F:.]+(\/\d{1,3})?|(\*\.)?[A-Za-z0-9_.-]+)$/,
              'each entry is an address, a CIDR range, a host name, *.domain or *',
            ),
        ),
      ),
    description:
      'Comma-separated private destinations outbound URLs (webhooks, Slack, playbook actions, bug trackers) may ' +
      'reach: addresses, CIDR ranges, host names, `*.domain`, or `*` for all. Empty (default): private, ' +
      'loopback, link-local and other non-public addresses are refused.',
    sensitive: false,
  },
  apiKeyCacheSeconds: {
    env: 'DESKMIND_API_KEY_CACHE_SECONDS',
    schema: z.coerce.number().min(0).max(300).default(5),
    description:
      'How long a process trusts an API key it found valid without reading it again. A key revoked through a ' +
      'process stops working there at once, and on the other processes (scaled mode) within this time. `0` reads ' +
      'the key on every request.',
    sensitive: false,
  },
  // ── ingest group commit ──
  ingestGroupSize: {
    env: 'DESKMIND_INGEST_GROUP_SIZE',
    schema: z.coerce.number().int().min(1).max(1000).default(64),
    description:
      'Most tickets (`POST /tickets`) written together in one transaction: those that arrive while the previous ' +
      'group is being written. `1` writes each ticket alone.',
    sensitive: false,
  },
  ingestLingerMs: {
    env: 'DESKMIND_INGEST_LINGER_MS',
    schema: z.coerce.number().int().min(0).max(1000).default(20),
    description:
      'Under load (the previous group of new tickets was written less than this long ago), how long after it the ' +
      'next group waits for more tickets; a ticket after a quiet spell is written at once. `0`: never wait.',
    sensitive: false,
  },
} as const;

type Entries = typeof entries;
/** The parsed configuration. */
export type Config = { -readonly [K in keyof Entries]: z.output<Entries[K]['schema']> };

/** Every setting with its environment variable, description and default, e.g. for documentation. */
export const configReference = Object.entries(entries).map(([key, e]) => ({
  key,
  env: e.env,
  description: e.description,
  sensitive: e.sensitive,
  default: e.schema.safeParse(undefined).data,
}));

/** Names of environment variables holding secrets (for log redaction). */
export const sensitiveKeys = configReference.filter((e) => e.sensitive).map((e) => e.key);

/**
 * Parses configuration from an environment map (default `process.env`), overridden by `overrides`.
 * Throws one error listing every invalid variable.
 */
export function loadConfig(
  overrides: Partial<Config> = {},
  env: Record<string, string | undefined> = process.env,
): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, e] of Object.entries(entries)) {
    if (key in overrides && (overrides as Record<string, unknown>)[key] !== undefined) {
      out[key] = (overrides as Record<string, unknown>)[key];
      continue;
    }
    const raw = env[e.env];
    const parsed = (e.schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${e.env}: ${parsed.error.issues.map((i) => i.message).join(', ')}`);
  }
  if (problems.length) throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  const config = out as Config;
  config.dataDir = path.resolve(config.dataDir);
  config.secureCookies ??= config.publicUrl?.startsWith('https:') ?? false;
  return config;
}

/** The environment a child process of Deskmind inherits, with `overrides` on top (load benchmark, crash tests). */
export function childEnvironment(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, ...overrides };
}
