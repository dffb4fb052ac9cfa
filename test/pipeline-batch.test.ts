import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskmindError } from '../src/domain/errors.js';
import { runPipelineBatch } from '../src/pipeline/run-batch.js';
import { DEFAULT_STAGES, type RunnerDeps } from '../src/pipeline/runner.js';
import type { PipelineJobRef, Stage } from '../src/pipeline/types.js';
import { billingCustomers } from '../src/store/schema.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

/** The jobs a worker fetches together are decided as if one after another, and each succeeds or fails alone. */
describe.each(backends())('pipeline batches on %s', (kind) => {
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  const clock = testClock(new Date());
  let deps: RunnerDeps;
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    ws = await newWorkspace(t);
    deps = { database: t.desk.database, ports: (db) => t.desk.portsFor(db), now: clock.now };
  });
  afterAll(async () => t?.close());

  const create = async (subject: string, text: string, email = `${randomUUID()}@example.com`) =>
    (await ws.call('POST', '/api/v1/tickets', { subject, message: { text }, customer: { email } })).body.ticket
      .id as string;
  const detailOf = async (id: string) => (await ws.call('GET', `/api/v1/tickets/${id}`)).body;
  const job = (ticketId: string, trigger: PipelineJobRef['trigger'] = 'created'): PipelineJobRef => ({
    workspaceId: ws.workspaceId,
    ticketId,
    trigger,
    runId: randomUUID(),
  });

  it(
    'decides each ticket once, runs a ticket queued twice after its first run, and reports a missing ticket ' + 'alone',
    async () => {
      const a = await create('Invoice', 'Please send me the invoice for October.');
      const b = await create('Password', 'I forgot my password and cannot log in.');
      const missing = randomUUID();
      // What each run saw of its ticket when its stages ran.
      const probe: Stage = { name: 'probe', run: async (input) => ({ result: { intentSeen: input.ticket.intent } }) };
      const jobs = [job(a), job(b), job(missing), job(a, 'customer_message')];
      const runs = await runPipelineBatch({ ...deps, stages: [...DEFAULT_STAGES, probe] }, jobs);

      expect(runs[2]).toBeInstanceOf(DeskmindError);
      expect((runs[2] as DeskmindError).code).toBe('not_found');
      for (const k of [0, 1, 3]) {
        const run = runs[k];
        if (run instanceof Error) throw run;
        expect(run!.runId).toBe(jobs[k]!.runId);
        expect(run!.records.map((r) => r.stage)).toEqual([...DEFAULT_STAGES.map((s) => s.name), 'probe']);
      }
      // The second run of `a` saw what the first one wrote.
      const [first, second] = [runs[0], runs[3]] as { outcomes: Record<string, { result: Record<string, unknown> }> }[];
      expect(first!.outcomes.probe!.result.intentSeen).toBeNull();
      expect(second!.outcomes.probe!.result.intentSeen).toEqual(expect.any(String));

      const detailA = await detailOf(a);
      expect(new Set(detailA.decisions.map((d: { runId: string }) => d.runId))).toEqual(
        new Set([jobs[0]!.runId, jobs[3]!.runId]),
      );
      const completed = (d: { timeline: { type: string; data: { runId?: string } }[] }) =>
        d.timeline.filter((e) => e.type === 'pipeline.completed').map((e) => e.data.runId);
      expect(completed(detailA)).toEqual([jobs[0]!.runId, jobs[3]!.runId]);
      const detailB = await detailOf(b);
      expect(completed(detailB)).toEqual([jobs[1]!.runId]);
      expect(detailB.intent).toEqual(expect.any(String));

      // The same jobs delivered again (a retry after a crash) decide nothing twice.
      const again = await runPipelineBatch({ ...deps, stages: [...DEFAULT_STAGES, probe] }, jobs);
      expect(
        again.filter((r) => !(r instanceof Error)).every((r) => (r as { records: unknown[] }).records.length === 0),
      ).toBe(true);
      expect((await detailOf(a)).decisions).toHaveLength(detailA.decisions.length);
      expect(completed(await detailOf(b))).toEqual([jobs[1]!.runId]);
    },
  );

  it('fails only the run whose writes fail; the others of its batch are decided', async () => {
    const good = await create('Invoice', 'Please send me the invoice for November.');
    const bad = await create('Sabotage', 'Please send me the invoice for December.');
    const other = await create('Password', 'How do I reset my password?');
    // A stage whose action cannot be applied to one ticket (a team that does not exist).
    const sabotage: Stage = {
      name: 'sabotage',
      run: async (input) =>
        input.ticket.subject === 'Sabotage'
          ? {
              result: {},
              actions: [
                {
                  type: 'assign',
                  teamId: randomUUID(),
                  agentId: null,
                  explanation: {
                    teamId: null,
                    agentId: null,
                    rule: null,
                    teamSource: 'none',
                    candidates: [],
                    why: 'test',
                  },
                },
              ],
            }
          : { result: {} },
    };
    const jobs = [job(good), job(bad), job(other)];
    const runs = await runPipelineBatch({ ...deps, stages: [...DEFAULT_STAGES, sabotage] }, jobs);
    expect(runs[1]).toBeInstanceOf(Error);
    expect(runs[0]).not.toBeInstanceOf(Error);
    expect(runs[2]).not.toBeInstanceOf(Error);
    expect((await detailOf(good)).decisions.map((d: { runId: string }) => d.runId)).toContain(jobs[0]!.runId);
    expect((await detailOf(other)).decisions.map((d: { runId: string }) => d.runId)).toContain(jobs[2]!.runId);
    // Nothing of the failed run was kept: its retry decides it.
    expect((await detailOf(bad)).decisions).toHaveLength(0);
    const [retried] = await runPipelineBatch(deps, [jobs[1]!]);
    expect(retried).not.toBeInstanceOf(Error);
    expect((await detailOf(bad)).decisions.map((d: { runId: string }) => d.runId)).toContain(jobs[1]!.runId);
  });

  it('routes the tickets of a batch as if each assignment was applied before the next', async () => {
    const team = (await ws.call('POST', '/api/v1/teams', { name: 'Batch team' })).body;
    const ana = (
      await ws.call('POST', '/api/v1/agents', {
        name: 'Ana',
        email: 'ana@batch.example',
        status: 'online',
        capacity: 10,
        teamIds: [team.id],
      })
    ).body;
    const ben = (
      await ws.call('POST', '/api/v1/agents', {
        name: 'Ben',
        email: 'ben@batch.example',
        status: 'online',
        capacity: 10,
        teamIds: [team.id],
      })
    ).body;
    await ws.call('PATCH', '/api/v1/routing/settings', { defaultTeamId: team.id });
    const ids = [
      await create('Human please', 'I want to talk to a human agent.'),
      await create('Human please', 'Let me speak to a person, please.'),
    ];
    const runs = await runPipelineBatch(
      deps,
      ids.map((id) => job(id)),
    );
    expect(runs.every((r) => !(r instanceof Error))).toBe(true);
    const assignees = await Promise.all(ids.map(async (id) => (await detailOf(id)).assigneeId));
    expect(new Set(assignees)).toEqual(new Set([ana.id, ben.id]));
  });
  it('gives an agent who filled up after the batch read their load only the places left', async () => {
    const w = await newWorkspace(t);
    const open = async (subject: string, text: string) =>
      (
        await w.call('POST', '/api/v1/tickets', {
          subject,
          message: { text },
          customer: { email: `${randomUUID()}@example.com` },
        })
      ).body.ticket.id as string;
    const team = (await w.call('POST', '/api/v1/teams', { name: 'Small team' })).body;
    const cy = (
      await w.call('POST', '/api/v1/agents', {
        name: 'Cy',
        email: 'cy@batch.example',
        status: 'online',
        capacity: 2,
        teamIds: [team.id],
      })
    ).body;
    await w.call('PATCH', '/api/v1/routing/settings', { defaultTeamId: team.id });
    // Cy takes a ticket after the (stale) snapshot below was read: one place is left.
    const busy = await open('Busy', 'Something else.');
    expect((await w.call('PATCH', `/api/v1/tickets/${busy}`, { assigneeId: cy.id, status: 'open' })).status).toBe(200);
    const real = t.desk.ports.routing;
    const stale = {
      ...real,
      snapshot: async (id: string) => ({
        ...(await real.snapshot(id)),
        agents: (await real.snapshot(id)).agents.map((a) => ({ ...a, load: 0 })),
      }),
    };
    const ids = [
      await open('Human please', 'I want to talk to a human agent.'),
      await open('Human please', 'Let me speak to a person, please.'),
      await open('Human please', 'A human, please.'),
    ];
    const runs = await runPipelineBatch(
      { ...deps, ports: (db) => ({ ...t.desk.portsFor(db), routing: stale }) },
      ids.map((id) => ({ workspaceId: w.workspaceId, ticketId: id, trigger: 'created' as const, runId: randomUUID() })),
    );
    expect(runs.every((r) => !(r instanceof Error))).toBe(true);
    const details = await Promise.all(ids.map(async (id) => (await w.call('GET', `/api/v1/tickets/${id}`)).body));
    // The stale snapshot shows Cy with room for two; the batch's own count routes two of the three to Cy, and the
    // check when they are applied lets only one through: the other waits in the team queue, saying why. (The
    // tickets of a batch are decided concurrently, so which of them reaches routing first is not fixed.)
    expect(details.map((d) => d.assigneeId).sort()).toEqual([cy.id, null, null].sort());
    expect(details.every((d) => d.teamId === team.id)).toBe(true);
    const whys = details.map((d) => d.timeline.find((e: { type: string }) => e.type === 'ticket.routed').data.why);
    expect(
      whys.filter((why: string) => why.includes('filled up meanwhile')),
      JSON.stringify(whys),
    ).toHaveLength(1);
  });
  it('reads billing and usage for the whole batch together, and each ticket gets its own facts', async () => {
    const w = await newWorkspace(t);
    const acme = (await w.call('POST', '/api/v1/accounts', { name: 'Acme', externalId: 'acme-batch', tier: 'pro' }))
      .body;
    // What Stripe webhooks left: one billing customer by account, one known only by email.
    await t.desk.database.db.insert(billingCustomers).values([
      {
        workspaceId: w.workspaceId,
        externalCustomerId: 'cus_acme',
        accountId: acme.id,
        email: 'old@acme.example',
        state: 'past_due',
        plan: 'Pro',
      },
      {
        workspaceId: w.workspaceId,
        externalCustomerId: 'cus_erin',
        email: 'erin@solo.example',
        state: 'trialing',
        plan: 'Team',
      },
    ]);
    expect(
      (await w.call('POST', '/api/v1/usage/identify', { userId: 'u_sam', traits: { email: 'sam@usage.example' } }))
        .status,
    ).toBe(200);
    expect(
      (
        await w.call('POST', '/api/v1/usage/track', {
          userId: 'u_sam',
          event: 'Report Exported',
          properties: { feature: 'reports' },
        })
      ).status,
    ).toBe(200);
    const open = async (customer: Record<string, string>) =>
      (
        await w.call('POST', '/api/v1/tickets', {
          subject: 'Question',
          message: { text: 'How does billing work?' },
          customer,
        })
      ).body.ticket.id as string;
    const ids = [
      await open({ email: 'ann@acme.example', accountExternalId: 'acme-batch' }),
      await open({ email: 'Erin@Solo.example' }),
      await open({ email: 'sam@usage.example' }),
      await open({ email: 'nobody@else.example' }),
    ];
    const runs = await runPipelineBatch(
      { ...deps, stages: DEFAULT_STAGES.slice(0, 1) },
      ids.map((id) => ({ workspaceId: w.workspaceId, ticketId: id, trigger: 'created' as const, runId: randomUUID() })),
    );
    const enriched = runs.map((r) => {
      if (r instanceof Error) throw r;
      return r.outcomes.enrich!.result as {
        billing: { plan: string | null; state: string } | null;
        usage: { features: { name: string }[] } | null;
      };
    });
    expect(enriched.map((e) => e.billing && { plan: e.billing.plan, state: e.billing.state })).toEqual([
      { plan: 'Pro', state: 'past_due' },
      { plan: 'Team', state: 'trialing' },
      null,
      null,
    ]);
    expect(enriched.map((e) => e.usage?.features.map((f) => f.name) ?? null)).toEqual([null, null, ['reports'], null]);
  });
});
