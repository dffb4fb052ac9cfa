import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGithub, type FakeGithub } from './fakes/github-server.js';
import { startFakeLinear, type FakeLinear } from './fakes/linear-server.js';
import { backends, newWorkspace, openTestDesk, testClock, type TestDesk } from './helpers.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 5, 1); // Monday 1 June 2026
const NOW = START + 28 * 24 * HOUR + 11 * HOUR; // Monday 29 June, 11:00 UTC

const BACKGROUND = [
  {
    feature: 'billing',
    subject: 'Refund for a double charge',
    text: 'I was charged twice on my invoice this month, please refund the duplicate payment.',
  },
  {
    feature: 'login',
    subject: 'Password reset email',
    text: 'I forgot my password and the reset email never arrives, how do I reset my password?',
  },
  {
    feature: 'exports',
    subject: 'Export runs to CSV',
    text: 'How do I export the run history of a pipeline to a CSV file from the dashboard?',
  },
  {
    feature: 'integrations',
    subject: 'Slack notifications setup',
    text: 'How can I connect Slack so that pipeline notifications are posted to a Slack channel?',
  },
];
const RUNS_ERROR = "TypeError: Cannot read properties of undefined (reading 'rows')";
const RUNS_BUG = [
  'The run history page is blank. When I open the Runs tab of a pipeline it shows an error. It should list the ' +
    'last runs.',
  'Runs tab broken: when I click on Runs for any pipeline I get a blank page with an error instead of the run history.',
  'Run history does not load anymore since this morning, the runs page stays empty and shows an error.',
  'Blank runs page. I go to a pipeline and open the run history, it crashes with an error. Expected to see the runs.',
];

describe.each(backends())('insights through the API on %s', (kind) => {
  const clock = testClock(new Date(START));
  let t: TestDesk;
  let ws: Awaited<ReturnType<typeof newWorkspace>>;
  let linear: FakeLinear;
  let github: FakeGithub;
  const runBugTickets: string[] = [];

  const openTicket = async (at: number, body: Record<string, unknown>) => {
    clock.set(new Date(at));
    const res = await ws.call('POST', '/api/v1/tickets', body);
    expect(res.status).toBe(201);
    return res.body.ticket.id as string;
  };
  const bugTicket = async (at: number, i: number, error: string, feature: string, route: string, text: string) => {
    const id = await openTicket(at, {
      subject: text.split(/[.:]/)[0],
      message: { text },
      customer: {
        email: `dev${i}@${['initech', 'hooli', 'northwind', 'globex'][i % 4]}.example`,
        accountExternalId: ['initech', 'hooli', 'northwind', 'globex'][i % 4],
      },
      pageContext: {
        url: `https://app.pipewise.example${route.replace(':id', 'p1')}`,
        route,
        featureId: feature,
        appVersion: '4.13.0',
        recentErrors: [error],
      },
    });
    expect((await ws.call('PATCH', `/api/v1/tickets/${id}`, { intent: 'bug_report' })).status).toBe(200);
    return id;
  };

  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    ws = await newWorkspace(t, 'Pipewise');
    linear = await startFakeLinear('lin_api_test');
    github = await startFakeGithub('ghp_test', { owner: 'pipewise', repo: 'app' });
    for (const a of [
      { externalId: 'initech', name: 'Initech', tier: 'pro', mrr: 490, billingState: 'active' },
      { externalId: 'hooli', name: 'Hooli', tier: 'pro', mrr: 290, billingState: 'trialing' },
      {
        externalId: 'northwind',
        name: 'Northwind',
        tier: 'enterprise',
        mrr: 4800,
        billingState: 'active',
        attributes: { usage: { current: 900, previous: 1000 } },
      },
      { externalId: 'globex', name: 'Globex', tier: 'enterprise', mrr: 7200, billingState: 'past_due' },
    ])
      expect((await ws.call('POST', '/api/v1/accounts', a)).status).toBe(201);

    // Four weeks of ordinary tickets: one an hour in office hours, rotating through four subjects.
    let n = 0;
    for (let day = 0; day < 28; day++) {
      for (let h = 9; h < 15; h++) {
        const b = BACKGROUND[n % BACKGROUND.length]!;
        await openTicket(START + day * 24 * HOUR + h * HOUR + (n % 7) * 60_000, {
          subject: b.subject,
          message: { text: b.text },
          customer: {
            email: `user${n % 9}@${['initech', 'hooli', 'northwind'][n % 3]}.example`,
            accountExternalId: ['initech', 'hooli', 'northwind'][n % 3],
          },
          pageContext: { featureId: b.feature, route: `/${b.feature}` },
        });
        n++;
      }
    }
    // Globex is unhappy and says it will leave.
    for (const [i, text] of [
      'This is the third time the sync fails, unacceptable. We are looking at alternatives.',
      'Still broken!! If this is not fixed this week we will cancel our subscription.',
    ].entries()) {
      const id = await openTicket(NOW - (10 - i * 3) * 24 * HOUR, {
        subject: 'Sync failures again',
        message: { text },
        customer: { email: 'cto@globex.example', accountExternalId: 'globex' },
      });
      await t.desk.runPipeline(ws.workspaceId, id, 'created');
    }
    // This morning: the run history page breaks for many customers.
    for (let i = 0; i < 8; i++)
      runBugTickets.push(
        await bugTicket(
          NOW - 55 * 60_000 + i * 6 * 60_000,
          i,
          RUNS_ERROR,
          'run-history',
          '/pipelines/:id/runs',
          RUNS_BUG[i % RUNS_BUG.length]!,
        ),
      );
    clock.set(new Date(NOW));
    await t.desk.sweep();
  });
  afterAll(async () => {
    await t?.close();
    await linear?.close();
    await github?.close();
  });

  it('shows topics with readable labels, counts, trend and the new one flagged emerging', async () => {
    const res = await ws.call('GET', '/api/v1/insights/topics');
    expect(res.status).toBe(200);
    expect(res.body.clustered).toBe(res.body.tickets);
    const topics = res.body.data as {
      label: string;
      tickets: number;
      emerging: boolean;
      trend: string;
      examples: { id: string }[];
      keyPhrases: string[];
    }[];
    expect(topics.length).toBeGreaterThanOrEqual(4);
    for (const topic of topics) expect(topic.label.length).toBeGreaterThan(3);
    const labels = topics.map((tp) => tp.label).join(' | ');
    expect(labels).toMatch(/refund|charged|invoice/);
    expect(labels).toMatch(/password|reset/);
    expect(labels).toMatch(/slack/);
    const runs = topics.find((tp) => tp.examples.some((e) => runBugTickets.includes(e.id)))!;
    expect(runs.emerging).toBe(true);
    expect(runs.trend).toBe('new');
    expect(runs.label).toMatch(/run|blank|error/);
    const billing = topics.find((tp) => /refund|charged/.test(tp.label))!;
    expect(billing.emerging).toBe(false);
    expect(billing.tickets).toBeGreaterThanOrEqual(30);
  });

  it('raises a spike alert for the broken page and its error, and only for them', async () => {
    const res = await ws.call('GET', '/api/v1/insights/anomalies');
    expect(res.status).toBe(200);
    const alerts = res.body.data as {
      dimension: string;
      key: string;
      observed: number;
      expected: number;
      pValue: number;
      ticketIds: string[];
    }[];
    const keys = alerts.map((a) => `${a.dimension}:${a.key}`);
    expect(keys).toContain(`error:${RUNS_ERROR}`);
    expect(keys).toContain('feature:run-history');
    for (const a of alerts) expect(['error', 'feature', 'topic', 'intent']).toContain(a.dimension);
    expect(keys.some((k) => /billing|login|exports|integrations/.test(k))).toBe(false);
    const err = alerts.find((a) => a.dimension === 'error')!;
    expect(err.observed).toBe(8);
    expect(err.pValue).toBeLessThan(1e-4);
    expect(err.ticketIds.sort()).toEqual([...runBugTickets].sort());
    // The alert is an event, and scanning again within the cooldown does not repeat it.
    const { rows } = await t.desk.database.executeSql(
      `select count(*)::int n from events where workspace_id = $1 and type = 'anomaly.detected'`,
      [ws.workspaceId],
    );
    expect(rows[0]!.n).toBe(alerts.length);
    expect((await ws.call('POST', '/api/v1/insights/anomalies/scan')).body.data).toEqual([]);
  });

  it('shows volume trends per feature and intent with week-over-week change', async () => {
    const hourly = await ws.call('GET', '/api/v1/insights/trends?by=feature&interval=hour&days=2');
    expect(hourly.status).toBe(200);
    expect(hourly.body.buckets.length).toBe(48);
    const runs = hourly.body.series.find((s: { key: string }) => s.key === 'run-history');
    expect(runs.total).toBe(8);
    expect(runs.counts.slice(-2).reduce((a: number, b: number) => a + b, 0)).toBe(8);
    expect(runs.weekOverWeek).toBeNull();
    const billing = hourly.body.series.find((s: { key: string }) => s.key === 'billing');
    expect(billing.thisWeek).toBeGreaterThan(0);
    expect(billing.weekOverWeek).toBeTypeOf('number');
    const daily = await ws.call('GET', '/api/v1/insights/trends?by=intent&interval=day');
    expect(daily.body.buckets.length).toBe(30);
    expect(daily.body.series.find((s: { key: string }) => s.key === 'bug_report').total).toBe(8);
    expect((await ws.call('GET', '/api/v1/insights/trends?by=planet')).status).toBe(400);
  });

  it('flags the churn-risk account first, with its reasons and the revenue at stake', async () => {
    const res = await ws.call('GET', '/api/v1/insights/health');
    expect(res.status).toBe(200);
    const [first] = res.body.data;
    expect(first.name).toBe('Globex');
    expect(first.churnRisk).toBe(true);
    expect(first.risk).toBe('high');
    expect(first.reasons.map((r: { factor: string }) => r.factor)).toEqual(
      expect.arrayContaining(['billing_state', 'churn_threat']),
    );
    expect(first.revenueAtRisk).toBeGreaterThan(3000);
    const northwind = res.body.data.find((h: { name: string }) => h.name === 'Northwind');
    expect(northwind.signals.usageChange).toBeCloseTo(-0.1);
    expect(res.body.data.find((h: { name: string }) => h.name === 'Hooli').signals.usageChange).toBeNull();
  });

  it(
    'sends a bug report to Linear, updates the same issue as reports grow, and resolves the tickets when it is ' +
      'closed',
    async () => {
      const settings = await ws.call('PATCH', '/api/v1/insights/settings', {
        bugReports: {
          destination: 'linear',
          linear: { apiKey: 'lin_api_test', teamId: 'team-eng', apiUrl: linear.apiUrl, webhookSecret: 'whsec_linear' },
        },
      });
      expect(settings.status).toBe(200);
      expect(settings.body.bugReports.linear).toEqual({
        teamId: 'team-eng',
        apiUrl: linear.apiUrl,
        hasApiKey: true,
        hasWebhookSecret: true,
      });
      expect(JSON.stringify((await ws.call('GET', '/api/v1/insights/settings')).body)).not.toContain('lin_api_test');

      const first = await ws.call('POST', '/api/v1/insights/bug-reports/refresh');
      expect(first.status).toBe(200);
      expect(first.body.sent).toBe(1);
      expect(linear.issues).toHaveLength(1);
      const issue = linear.issues[0]!;
      expect(issue.title).toContain(RUNS_ERROR);
      expect(issue.teamId).toBe('team-eng');
      for (const section of [
        '## Steps to reproduce',
        '## Expected',
        '## Actual',
        '## Environment',
        '4.13.0',
        'Globex (enterprise, MRR 7200)',
        '## Linked tickets',
      ])
        expect(issue.description).toContain(section);
      const list = await ws.call('GET', '/api/v1/insights/bug-reports');
      const report = list.body.data.find((r: { externalId: string }) => r.externalId === issue.id);
      expect(report).toMatchObject({
        tracker: 'linear',
        externalKey: 'ENG-1',
        externalUrl: issue.url,
        sentTicketCount: 8,
        status: 'open',
      });
      expect(report.report.affected.accounts[0]).toMatchObject({ name: 'Globex', tier: 'enterprise', mrr: 7200 });
      expect(report.report.affected.mrrAtRisk).toBe(7200 + 4800 + 490 + 290);
      expect(report.report.linkedTickets).toHaveLength(8);

      // Two more customers hit it: the same issue is updated and commented, not duplicated.
      for (let i = 8; i < 10; i++)
        runBugTickets.push(
          await bugTicket(
            NOW + (i - 7) * 60_000,
            i,
            RUNS_ERROR,
            'run-history',
            '/pipelines/:id/runs',
            RUNS_BUG[i % 4]!,
          ),
        );
      clock.set(new Date(NOW + 5 * 60_000));
      const second = await ws.call('POST', '/api/v1/insights/bug-reports/refresh');
      expect(second.body.sent).toBe(1);
      expect(linear.issues).toHaveLength(1);
      expect(linear.operations.filter((o) => o === 'issueCreate')).toHaveLength(1);
      expect(linear.operations).toEqual(expect.arrayContaining(['issueUpdate', 'commentCreate']));
      expect(issue.comments[0]).toContain('2 more tickets');
      expect(issue.description).toContain('10 tickets');
      expect((await ws.call('GET', `/api/v1/insights/bug-reports/${report.id}`)).body.sentTicketCount).toBe(10);
      // Nothing new: nothing sent.
      expect((await ws.call('POST', '/api/v1/insights/bug-reports/refresh')).body.sent).toBe(0);

      // Linear says the issue is done.
      const payload = JSON.stringify({
        action: 'update',
        type: 'Issue',
        data: { id: issue.id, identifier: 'ENG-1', state: { type: 'completed', name: 'Done' } },
        updatedFrom: { stateId: 'x' },
        webhookTimestamp: NOW + 5 * 60_000,
      });
      const hook = (signature: string) =>
        t.server.inject({
          method: 'POST',
          url: `/api/v1/insights/webhooks/linear?workspace=${ws.workspaceId}`,
          headers: { 'content-type': 'application/json', 'linear-signature': signature },
          payload,
        });
      const forged = await hook(createHmac('sha256', 'wrong').update(payload).digest('hex'));
      expect(forged.statusCode).toBe(401);
      expect(forged.json().code).toBe('invalid_signature');
      expect((await ws.call('GET', `/api/v1/tickets/${runBugTickets[0]}`)).body.status).not.toBe('resolved');
      const closed = await hook(createHmac('sha256', 'whsec_linear').update(payload).digest('hex'));
      expect(closed.statusCode).toBe(200);
      expect(closed.json().resolvedTickets.sort()).toEqual([...runBugTickets].sort());
      const ticket = (await ws.call('GET', `/api/v1/tickets/${runBugTickets[3]}`)).body;
      expect(ticket.status).toBe('resolved');
      expect(ticket.messages.at(-1)).toMatchObject({ authorType: 'system', visibility: 'public' });
      expect(ticket.messages.at(-1).text).toContain('fixed by our engineering team');
      expect((await ws.call('GET', `/api/v1/insights/bug-reports/${report.id}`)).body.status).toBe('closed');
    },
  );

  it('sends a bug report to GitHub Issues and closes the loop from its issues webhook', async () => {
    await ws.call('PATCH', '/api/v1/insights/settings', {
      bugReports: {
        destination: 'github',
        github: {
          token: 'ghp_test',
          owner: 'pipewise',
          repo: 'app',
          apiUrl: github.apiUrl,
          webhookSecret: 'whsec_github',
        },
      },
    });
    const hookError = 'HTTP 502 POST /api/webhooks/test';
    const ids: string[] = [];
    for (let i = 0; i < 2; i++)
      ids.push(
        await bugTicket(
          NOW + (10 + i) * 60_000,
          i,
          hookError,
          'webhooks',
          '/settings/webhooks',
          'Testing a webhook fails: when I press Send test the page shows an error 502.',
        ),
      );
    clock.set(new Date(NOW + 15 * 60_000));
    expect((await ws.call('POST', '/api/v1/insights/bug-reports/refresh')).body.sent).toBe(1);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]!.title).toContain(hookError);
    expect(github.requests[0]!.headers.accept).toBe('application/vnd.github+json');
    ids.push(
      await bugTicket(
        NOW + 16 * 60_000,
        2,
        hookError,
        'webhooks',
        '/settings/webhooks',
        'Webhook test button gives 502 error.',
      ),
    );
    clock.set(new Date(NOW + 17 * 60_000));
    expect((await ws.call('POST', '/api/v1/insights/bug-reports/refresh')).body.sent).toBe(1);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]!.comments).toHaveLength(1);
    expect(github.requests.map((r) => r.method)).toEqual(['POST', 'PATCH', 'POST']);

    const payload = JSON.stringify({
      action: 'closed',
      issue: { number: 1, state: 'closed', state_reason: 'completed', html_url: github.issues[0]!.html_url },
      repository: { full_name: 'pipewise/app' },
    });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    const post = (signature: string) =>
      t.server.inject({
        method: 'POST',
        url: `/api/v1/insights/webhooks/github?workspace=${ws.workspaceId}`,
        headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-hub-signature-256': signature },
        payload,
      });
    expect((await post(sign('nope'))).statusCode).toBe(401);
    const res = await post(sign('whsec_github'));
    expect(res.statusCode).toBe(200);
    expect(res.json().resolvedTickets.sort()).toEqual(ids.sort());
    for (const id of ids) expect((await ws.call('GET', `/api/v1/tickets/${id}`)).body.status).toBe('resolved');
  });

  it('keeps a report the tracker refused and sends it at the next try', async () => {
    await ws.call('PATCH', '/api/v1/insights/settings', { bugReports: { github: { token: 'revoked' } } });
    for (let i = 0; i < 2; i++)
      await bugTicket(
        NOW + (20 + i) * 60_000,
        i,
        'Error: upload quota exceeded',
        'uploads',
        '/uploads',
        'Uploading a file fails with an error about the quota.',
      );
    clock.set(new Date(NOW + 25 * 60_000));
    const refused = await ws.call('POST', '/api/v1/insights/bug-reports/refresh');
    expect(refused.body).toMatchObject({ sent: 0, failed: 1 });
    const report = (await ws.call('GET', '/api/v1/insights/bug-reports?status=open')).body.data[0];
    expect(report.externalId).toBeNull();
    expect(report.lastError).toContain('GitHub');
    await ws.call('PATCH', '/api/v1/insights/settings', { bugReports: { github: { token: 'ghp_test' } } });
    expect((await ws.call('POST', '/api/v1/insights/bug-reports/refresh')).body).toMatchObject({ sent: 1, failed: 0 });
    expect((await ws.call('GET', `/api/v1/insights/bug-reports/${report.id}`)).body).toMatchObject({
      externalKey: '#2',
      lastError: null,
    });
  });

  it('keeps topics up to date as tickets arrive, each topic keeping its identity', async () => {
    const before = (await ws.call('GET', '/api/v1/insights/topics')).body;
    const runsBefore = before.data.find((tp: { examples: { id: string }[] }) =>
      tp.examples.some((e) => runBugTickets.includes(e.id)),
    );
    const res = await ws.call('POST', '/api/v1/insights/topics/refresh', {});
    expect(res.status).toBe(200);
    expect(res.body.assigned).toBe(before.tickets - before.clustered);
    expect(res.body.assigned).toBeGreaterThan(0);
    const after = (await ws.call('GET', '/api/v1/insights/topics')).body;
    expect(after.clustered).toBe(after.tickets);
    const runsAfter = after.data.find((tp: { id: string }) => tp.id === runsBefore.id);
    // The two later run-history reports joined the same topic.
    expect(runsAfter.tickets).toBeGreaterThanOrEqual(runsBefore.tickets + 2);
    expect((await ws.call('POST', '/api/v1/insights/topics/refresh', {})).body.assigned).toBe(0);
  });

  it('keeps insights to staff and settings to admins', async () => {
    const agentKey = (await ws.call('POST', '/api/v1/api-keys', { name: 'agent', role: 'agent' })).body
      .secret as string;
    const ingestKey = (await ws.call('POST', '/api/v1/api-keys', { name: 'ingest', role: 'ingest' })).body
      .secret as string;
    const as = (key: string, method: 'GET' | 'PATCH', url: string) =>
      t.server.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}` },
        ...(method === 'PATCH' ? { payload: {} } : {}),
      });
    expect((await as(agentKey, 'GET', '/api/v1/insights/health')).statusCode).toBe(200);
    expect((await as(ingestKey, 'GET', '/api/v1/insights/health')).statusCode).toBe(403);
    expect((await as(agentKey, 'GET', '/api/v1/insights/settings')).statusCode).toBe(403);
    expect((await as(agentKey, 'PATCH', '/api/v1/insights/settings')).statusCode).toBe(403);
  });
});
