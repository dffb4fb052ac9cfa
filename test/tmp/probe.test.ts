import { it } from 'vitest';
import { newWorkspace, openTestDesk } from '../helpers.js';
it('probe', async () => {
  const t = await openTestDesk('pglite');
  const ws = await newWorkspace(t);
  console.log('A', (await ws.call('POST', '/api/v1/teams', { name: 'a' })).status);
  await t.desk.database.executeSql(`alter table audit_log add constraint h18 check (action <> 'POST /teams')`);
  console.log('B');
  const p = ws.call('POST', '/api/v1/teams', { name: 'b' });
  const r = await Promise.race([p, new Promise((r) => setTimeout(() => r('TIMEOUT'), 15000))]);
  console.log('C', JSON.stringify(r).slice(0, 300));
}, 60000);
