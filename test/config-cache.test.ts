import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { cachedConfig, inScopeOf, onceInRun, readConfigVersion, withConfigVersion } from '../src/store/config-cache.js';
import { backends, newWorkspace, openTestDesk, type TestDesk } from './helpers.js';

/**
 * Pipeline runs read configuration from memory while the workspace's configuration version is unchanged.
 * Changes are made here with plain SQL, as another process (or an operator) would: only the database
 * triggers can tell this process about them.
 */
describe.each(backends())('configuration cache on %s', (kind) => {
  let t: TestDesk;
  let wsId: string;
  let key: string;

  beforeAll(async () => {
    t = await openTestDesk(kind);
    const demo = await seedDemo(t.desk, { tickets: false });
    wsId = demo.workspaceId;
    key = demo.apiKey;
  });
  afterAll(async () => t?.close());

  const sql = (text: string, values: unknown[] = []) => t.desk.database.executeSql(text, values);
  const version = () => readConfigVersion(t.desk.database.db, wsId);
  let asked = 0;
  const ask = async (text: string) => {
    asked++;
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { authorization: `Bearer ${key}` },
      payload: {
        subject: 'Locked out',
        message: { text },
        customer: { email: `maria${asked}@initech.example`, name: 'Maria Lopez', accountExternalId: 'acc_initech' },
      },
    });
    expect(res.statusCode).toBe(201);
    const ticketId = res.json().ticket.id as string;
    const run = await t.desk.runPipeline(wsId, ticketId, 'created');
    const decide = run.outcomes.decide!.result as { decision: string; reasons?: unknown };
    return decide.decision === 'hand_off' ? `hand_off ${JSON.stringify(decide)}` : decide.decision;
  };

  it('uses a playbook or setting changed behind its back in the very next run', async () => {
    const question = "I forgot my password and can't log in";
    expect(await ask(question)).toBe('resolve');

    const before = await version();
    await sql(`update playbooks set mode = 'shadow' where workspace_id = $1 and intent = 'password_reset'`, [wsId]);
    expect(await version()).toBeGreaterThan(before);
    expect(await ask(question)).toBe('draft');

    await sql(`update playbooks set mode = 'auto' where workspace_id = $1 and intent = 'password_reset'`, [wsId]);
    expect(await ask(question)).toBe('resolve');

    // Workspace-wide shadow mode, written straight into the settings JSON.
    await sql(
      `update workspaces set settings = jsonb_set(settings, '{autonomy}', coalesce(settings->'autonomy', ` +
        `'{}'::jsonb) || '{"shadowMode": true}'::jsonb) where id = $1`,
      [wsId],
    );
    expect(await ask(question)).toBe('draft');
  });

  it(
    'serves reads through the handle of a run from memory, and reads through any other handle from the ' + 'database',
    async () => {
      const db = t.desk.database.db;
      const v = await version();
      let loads = 0;
      const load = async () => ++loads;
      const run = withConfigVersion(db, wsId, v);
      // The handle runs statements as the database does.
      expect(await readConfigVersion(run, wsId)).toBe(v);
      expect(await cachedConfig(run, wsId, 'handle-test', load)).toBe(1);
      expect(await cachedConfig(run, wsId, 'handle-test', load)).toBe(1);
      // Another run at the same version shares the cache; a plain handle and another workspace always load.
      expect(await cachedConfig(withConfigVersion(db, wsId, v), wsId, 'handle-test', load)).toBe(1);
      expect(await cachedConfig(db, wsId, 'handle-test', load)).toBe(2);
      expect(await cachedConfig(run, 'another-workspace', 'handle-test', load)).toBe(3);
      // Work running at the same time through a plain handle is not in the run's scope.
      const [inRun, outside] = await Promise.all([
        cachedConfig(run, wsId, 'handle-test', load),
        cachedConfig(db, wsId, 'handle-test', load),
      ]);
      expect([inRun, outside]).toEqual([1, 4]);
      // A transaction opened from the run's handle reads from memory once given its scope.
      await run.transaction(async (tx) => {
        expect(await cachedConfig(inScopeOf(tx, run), wsId, 'handle-test', load)).toBe(1);
        expect(await cachedConfig(tx, wsId, 'handle-test', load)).toBe(5);
        expect(inScopeOf(tx, db)).toBe(tx);
      });
      // `onceInRun` reads once per run, whatever the version.
      let versions = 0;
      const latest = async () => ++versions;
      expect([
        await onceInRun(run, wsId, 'once-test', latest),
        await onceInRun(run, wsId, 'once-test', latest),
      ]).toEqual([1, 1]);
      expect(await onceInRun(withConfigVersion(db, wsId, v), wsId, 'once-test', latest)).toBe(2);
      expect(await onceInRun(db, wsId, 'once-test', latest)).toBe(3);
    },
  );

  it('raises the version for every kind of configuration change, and only for its workspace', async () => {
    const other = await newWorkspace(t, 'Other');
    const otherVersion = () => readConfigVersion(t.desk.database.db, other.workspaceId);
    const raises = async (what: string, change: () => Promise<unknown>) => {
      const [v, o] = [await version(), await otherVersion()];
      await change();
      expect(await version(), what).toBeGreaterThan(v);
      expect(await otherVersion(), `${what} (other workspace)`).toBe(o);
    };
    const [team] = (await sql(`insert into teams (workspace_id, name) values ($1, 'Cache team') returning id`, [wsId]))
      .rows as { id: string }[];
    const [agent] = (await sql(`select id from agents where workspace_id = $1 limit 1`, [wsId])).rows as {
      id: string;
    }[];
    await raises('team member', () =>
      sql(`insert into team_members (team_id, agent_id) values ($1, $2)`, [team!.id, agent!.id]),
    );
    await raises('team member removed', () => sql(`delete from team_members where team_id = $1`, [team!.id]));
    await raises('team', () => sql(`update teams set name = 'Renamed' where id = $1`, [team!.id]));
    await raises('routing rule', () =>
      sql(
        `insert into routing_rules (workspace_id, name, position, conditions, team_id) values ($1, 'r', 99, ` +
          `'{}'::jsonb, $2)`,
        [wsId, team!.id],
      ),
    );
    await raises('article', () =>
      sql(`update articles set usefulness = usefulness * 0.9 where workspace_id = $1`, [wsId]),
    );
    await raises('integration settings', () =>
      sql(
        `insert into integration_settings (workspace_id, settings, secrets) values ($1, '{}'::jsonb, '{}'::jsonb) ` +
          `on conflict (workspace_id) do update set settings = '{}'::jsonb`,
        [wsId],
      ),
    );
    await raises('workspace settings', () => sql(`update workspaces set settings = settings where id = $1`, [wsId]));

    await sql(`update workspaces set name = 'Other 2' where id = $1`, [other.workspaceId]);
    expect(await otherVersion()).toBeGreaterThan(0);
    await sql(`delete from workspaces where id = $1`, [other.workspaceId]);
    expect(
      (await sql(`select count(*)::int as n from config_versions where workspace_id = $1`, [other.workspaceId]))
        .rows[0]!.n,
    ).toBe(0);
  });
});
