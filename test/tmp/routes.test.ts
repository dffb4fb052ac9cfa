import { it } from 'vitest';
import Fastify from 'fastify';
import { openTestDesk } from '../helpers.js';
it('routes', async () => {
  const t = await openTestDesk('pglite');
  const out: string[] = [];
  const AUDITED_PREFIXES = ['/api/v1/settings', '/api/v1/api-keys', '/api/v1/agents', '/api/v1/teams', '/api/v1/learning', '/api/v1/routing', '/api/v1/sla', '/api/v1/playbooks', '/api/v1/integrations', '/api/v1/webhooks', '/api/v1/channels'];
  await t.server.ready();
  const doc = t.server.swagger() as any;
  // print routes from printRoutes
  console.log(t.server.printRoutes({ commonPrefix: false, includeHooks: false, method: 'POST' } as any));
  await t.close();
}, 60000);
