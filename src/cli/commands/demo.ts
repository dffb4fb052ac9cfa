import { eq } from 'drizzle-orm';
import type { Command } from 'commander';
import { seedDemo, DEMO_AGENT } from '../../demo/seed.js';
import { agents } from '../../store/schema.js';
import { createApiKey } from '../../services/auth.js';
import { systemActor } from '../../services/context.js';
import { startServer, stopOnSignal } from './serve.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Start Deskmind on the embedded database with a demo workspace (Pipewise: accounts, agents, teams, tickets)')
    .option('-p, --port <port>', 'port to listen on', (v) => Number(v), 3000)
    .option('--json', 'print one JSON line {url, apiKey, agentEmail, agentPassword, workspaceId} first')
    .action(async (opts: { port: number; json?: boolean }) => {
      const { desk, url, stop } = await startServer({ port: opts.port }, opts.json ? 'stderr' : 'stdout');
      stopOnSignal(stop);
      // Reuse the demo workspace of an earlier run of the same data folder.
      const [existing] = await desk.database.db.select().from(agents).where(eq(agents.email, DEMO_AGENT.email)).limit(1);
      const creds = existing
        ? {
            workspaceId: existing.workspaceId,
            apiKey: (await createApiKey(desk.ctx(existing.workspaceId, systemActor), { name: `demo ${desk.now().toISOString()}`, role: 'admin' })).secret,
            agentEmail: DEMO_AGENT.email,
            agentPassword: DEMO_AGENT.password,
          }
        : await seedDemo(desk);
      if (opts.json) {
        console.log(JSON.stringify({ url, ...creds }));
        return;
      }
      console.log(`
Deskmind demo is running at ${url}

  Agent console:   ${url}/  (log in as ${creds.agentEmail} / ${creds.agentPassword})
  Chat widget:     ${url}/widget.js  (embedding snippet in the console: Admin → Widget)
  API docs:        ${url}/docs
  Admin API key:   ${creds.apiKey}
  Workspace id:    ${creds.workspaceId}

Try:  curl -H "Authorization: Bearer ${creds.apiKey}" ${url}/api/v1/tickets
Press Ctrl+C to stop.`);
    });
}
