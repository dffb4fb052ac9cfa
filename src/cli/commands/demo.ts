import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Command } from 'commander';
import { z } from 'zod';
import type { Deskmind } from '../../app.js';
import { seedDemo, DEMO_AGENT } from '../../demo/seed.js';
import { startTrickle } from '../../demo/trickle.js';
import { agents } from '../../store/schema.js';
import { authenticateApiKey } from '../../people/authenticate-api-key.js';
import { createApiKey } from '../../people/create-api-key.js';
import { systemActor } from '../../store/ctx.js';
import { startServer, stopOnSignal } from './serve.js';

const DemoKey = z.object({ workspaceId: z.string(), apiKey: z.string() });

/** Where the demo keeps its admin key, so that every start prints the same one (API keys are stored only as hashes). */
const demoKeyFile = (desk: Deskmind) => path.join(desk.config.dataDir, 'deskmind-demo-key.json');

/** The demo workspace's admin key: the one kept from an earlier start while it is still valid, else a new one. */
async function demoApiKey(desk: Deskmind, workspaceId: string): Promise<string> {
  const file = demoKeyFile(desk);
  if (existsSync(file)) {
    const kept = DemoKey.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (kept.success && kept.data.workspaceId === workspaceId) {
      const principal = await authenticateApiKey(desk.database.db, kept.data.apiKey);
      if (principal?.workspaceId === workspaceId && principal.role === 'admin') return kept.data.apiKey;
    }
  }
  const { secret } = await createApiKey(desk.ctx(workspaceId, systemActor), { name: 'demo', role: 'admin' });
  keepDemoKey(desk, workspaceId, secret);
  return secret;
}

function keepDemoKey(desk: Deskmind, workspaceId: string, apiKey: string): void {
  mkdirSync(desk.config.dataDir, { recursive: true });
  writeFileSync(demoKeyFile(desk), JSON.stringify({ workspaceId, apiKey }), { mode: 0o600 });
  chmodSync(demoKeyFile(desk), 0o600);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Start Deskmind on the embedded database with a demo workspace (Pipewise: accounts, agents, teams, tickets)',
    )
    .option('-p, --port <port>', 'port to listen on (default: DESKMIND_PORT or 3000)', (v) => Number(v))
    .option('--json', 'print one JSON line {url, apiKey, agentEmail, agentPassword, workspaceId} first')
    .option('--no-trickle', 'no live trickle of new tickets (also DESKMIND_DEMO_TRICKLE=false)')
    .action(async (opts: { port?: number; json?: boolean; trickle: boolean }) => {
      // Readable logs unless DESKMIND_LOG_FORMAT says otherwise; with --json, stdout is for the credentials.
      const { desk, url, stop } = await startServer({ port: opts.port }, opts.json ? 'stderr' : 'stdout', {
        logFormat: 'pretty',
      });
      let trickle: { stop(): void } | null = null;
      stopOnSignal(async () => {
        trickle?.stop();
        await stop();
      });
      // Reuse the demo workspace (and its admin key) of an earlier run of the same data folder.
      const [existing] = await desk.database.db
        .select()
        .from(agents)
        .where(eq(agents.email, DEMO_AGENT.email))
        .limit(1);
      let creds: Awaited<ReturnType<typeof seedDemo>>;
      if (existing) {
        creds = {
          workspaceId: existing.workspaceId,
          apiKey: await demoApiKey(desk, existing.workspaceId),
          agentEmail: DEMO_AGENT.email,
          agentPassword: DEMO_AGENT.password,
        };
      } else {
        creds = await seedDemo(desk);
        keepDemoKey(desk, creds.workspaceId, creds.apiKey);
      }
      if (opts.trickle && desk.config.demoTrickle)
        trickle = startTrickle(desk, creds.workspaceId, {
          onError: (err) => desk.logger.warn({ err }, 'demo trickle: a ticket could not be opened'),
        });
      if (opts.json) {
        console.log(JSON.stringify({ url, ...creds }));
        return;
      }
      const trickleLine = trickle ? 'A new demo ticket arrives every 20-40 s (--no-trickle: none).\n' : '';
      console.log(`
Deskmind demo is running at ${url}

  Agent console:   ${url}/  (log in as ${creds.agentEmail} / ${creds.agentPassword})
  Chat widget:     ${url}/widget.js  (embedding snippet in the console: Admin → Widget)
  API docs:        ${url}/docs
  Admin API key:   ${creds.apiKey}
  Workspace id:    ${creds.workspaceId}

${trickleLine}Try:  curl -H "Authorization: Bearer ${creds.apiKey}" ${url}/api/v1/tickets
Press Ctrl+C to stop.`);
    });
}
