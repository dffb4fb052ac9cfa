import type { Command } from 'commander';
import { Deskmind } from '../../app.js';
import { createLogger } from '../../ops/logger.js';
import { loadConfig, type Config } from '../../config.js';
import { openDatabase } from '../../store/db.js';
import { buildServer } from '../../server/server.js';
import { AgentInputSchema } from '../../domain/schemas.js';
import { createAgent } from '../../people/create-agent.js';
import { systemActor } from '../../store/ctx.js';
import { randomToken } from '../../people/passwords.js';

/** Starts the HTTP server (and the worker unless disabled) until SIGINT/SIGTERM. */
export async function startServer(
  overrides: Partial<Config>,
  logTo: 'stdout' | 'stderr' = 'stdout',
  /** Values used where neither the overrides nor the environment set one (the demo's readable logs). */
  defaults: Partial<Config> = {},
): Promise<{ desk: Deskmind; url: string; stop: () => Promise<void> }> {
  const config = loadConfig(overrides);
  for (const [key, value] of Object.entries(defaults))
    if (config[key as keyof Config] === undefined) Object.assign(config, { [key]: value });
  const desk = await Deskmind.open({ config, logger: createLogger(config, logTo) });
  survivePromiseRejections(desk.logger);
  const server = await buildServer(desk);
  const address = await server.listen({ host: config.host, port: config.port });
  if (config.smtpPort !== undefined) {
    const smtpPort = await desk.startSmtp();
    desk.logger.info({ host: config.smtpHost, port: smtpPort }, 'inbound SMTP listener started');
  }
  const stop = async () => {
    await server.close();
    await desk.close();
  };
  return { desk, url: address, stop };
}

/**
 * Logs a stray promise rejection instead of exiting. The job queue (pg-boss) completes and fails jobs
 * without awaiting; while the database restarts those calls reject, and the job is retried after its timeout.
 */
export function survivePromiseRejections(logger: Deskmind['logger']): void {
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection; still running'));
}

/** Stops cleanly on SIGINT/SIGTERM. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port: ${v}`);
  return n;
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Start the HTTP API (and the job worker) on the configured database')
    .option('-p, --port <port>', 'port to listen on (default: DESKMIND_PORT or 3000)', port)
    .option('--host <host>', 'address to listen on (default: DESKMIND_HOST or 127.0.0.1)')
    .option('--no-worker', 'do not process jobs in this process (run `deskmind worker` apart)')
    .action(async (opts: { port?: number; host?: string; worker: boolean }) => {
      const { url, stop, desk } = await startServer({
        port: opts.port,
        host: opts.host,
        ...(opts.worker ? {} : { worker: false }),
      });
      desk.logger.info({ url, database: desk.database.kind }, `Deskmind listening on ${url}`);
      stopOnSignal(stop);
    });

  program
    .command('worker')
    .description('Process jobs (ticket pipeline, lifecycle sweeps) without serving HTTP')
    .action(async () => {
      const desk = await Deskmind.open({ worker: true });
      survivePromiseRejections(desk.logger);
      desk.logger.info({ database: desk.database.kind }, 'Deskmind worker started');
      stopOnSignal(() => desk.close());
    });

  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const database = await openDatabase(loadConfig());
      await database.close();
      console.log(`Migrations applied (${database.kind}).`);
    });

  program
    .command('create-workspace')
    .description(
      'Create a workspace and print its admin API key; with --admin-email also its first admin agent and console login',
    )
    .requiredOption('--name <name>', 'workspace name')
    .option('--admin-email <email>', "the first admin agent's email (their console login)")
    .option('--admin-name <name>', "the first admin agent's name (default: the part of the email before @)")
    .option(
      '--admin-password <password>',
      'their password, at least 8 characters (default: a generated one, printed once)',
    )
    .option('--json', 'print {"workspaceId", "apiKey"} (and "adminEmail", "adminPassword") as JSON')
    .action(
      async (opts: {
        name: string;
        adminEmail?: string;
        adminName?: string;
        adminPassword?: string;
        json?: boolean;
      }) => {
        const admin = opts.adminEmail
          ? AgentInputSchema.parse({
              name: opts.adminName ?? opts.adminEmail.split('@')[0],
              email: opts.adminEmail,
              role: 'admin',
              status: 'online',
              password: opts.adminPassword ?? randomToken('').slice(0, 20),
            })
          : null;
        const desk = await Deskmind.open({ worker: false });
        try {
          const { workspace, apiKey } = await desk.createWorkspace(opts.name.trim());
          if (admin) await desk.tx(workspace.id, systemActor, (ctx) => createAgent(ctx, admin));
          const login = admin ? { adminEmail: admin.email, adminPassword: admin.password } : {};
          if (opts.json) console.log(JSON.stringify({ workspaceId: workspace.id, apiKey, ...login }));
          else
            console.log(
              `Workspace "${workspace.name}" created.\n  workspace id: ${workspace.id}\n  admin API key: ${apiKey}` +
                (admin ? `\n  console login: ${admin.email} / ${admin.password}` : '') +
                `\nKeep ${admin ? 'them' : 'the key'} safe: shown only once.` +
                (admin && !opts.adminPassword
                  ? ' Change the password in the console (Admin → Agents) or with PATCH /api/v1/agents/:id.'
                  : ''),
            );
        } finally {
          await desk.close();
        }
      },
    );
}
