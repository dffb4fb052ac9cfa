import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TICKETS, seedDemo } from '../src/demo/seed.js';
import { startTrickle, type Timer } from '../src/demo/trickle.js';
import { sweepInsights } from '../src/insights/sweep.js';
import { systemActor } from '../src/store/ctx.js';
import { customers, insightRuns, messages, tickets } from '../src/store/schema.js';
import { backends, openTestDesk, testClock, type TestDesk } from './helpers.js';

/** A timer the test fires by hand. */
function manualTimer() {
  const pending: { ms: number; fn: () => void }[] = [];
  const timer: Timer = {
    after(ms, fn) {
      const entry = { ms, fn };
      pending.push(entry);
      return () => pending.splice(pending.indexOf(entry), 1);
    },
  };
  return { timer, pending, fire: () => pending.shift()!.fn() };
}

/**
 * The demo with a past, through the API the dashboards read: its figures come from the rows the past left (the
 * pipeline's own records, outcomes, labels, model versions, tuning runs), so they are not empty. A shorter past than
 * the demo's 90 days keeps the test quick; its incident (a week ago) and its churning account are the same.
 */
describe.each(backends())('the demo workspace on %s', (kind) => {
  let t: TestDesk;
  let key: string;
  let wsId: string;
  const clock = testClock(new Date('2026-06-01T12:00:00.000Z'));
  const get = async (url: string) => {
    const res = await t.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode, url).toBe(200);
    return res.json() as any;
  };

  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    const demo = await seedDemo(t.desk, { history: { days: 42, perDay: 10 } });
    key = demo.apiKey;
    wsId = demo.workspaceId;
  }, 600_000);
  afterAll(async () => t?.close());

  it('shows the assistant resolving tickets, apart from deflection, with outcomes on both sides', async () => {
    const { total } = await get('/api/v1/metrics/quality');
    expect(total.tickets).toBeGreaterThan(200);
    expect(total.aiAnswered).toBeGreaterThan(0);
    expect(total.resolutionRate).toBeGreaterThan(0);
    expect(total.resolutionRate).toBeLessThan(total.deflectionRate);
    expect(total.aiOutcomes.reopened + total.aiOutcomes.asked_for_human).toBeGreaterThan(0);
    expect(total.aiOutcomes.confirmed).toBeGreaterThan(0);
    expect(total.escalationRate).toBeGreaterThan(0);
    expect(total.escalationRate).toBeLessThan(1);
    expect(total.csat.count).toBeGreaterThan(0);
  });

  it('each assistant reply of the past greets its own customer', async () => {
    const replies = await t.desk.database.db
      .select({ text: messages.bodyText, name: customers.name })
      .from(messages)
      .innerJoin(tickets, eq(tickets.id, messages.ticketId))
      .innerJoin(customers, eq(customers.id, tickets.customerId))
      .where(
        and(eq(messages.workspaceId, wsId), eq(messages.authorType, 'assistant'), eq(messages.visibility, 'public')),
      );
    expect(replies.length).toBeGreaterThan(20);
    for (const r of replies) expect(r.text.startsWith(`Hi ${r.name!.split(' ')[0]},`), r.text.slice(0, 40)).toBe(true);
    expect(new Set(replies.map((r) => r.name)).size).toBeGreaterThan(10);
  });

  it('has a learning curve: weekly accuracy against agents’ labels, and retrained model versions', async () => {
    const learning = await get('/api/v1/metrics/learning?from=2026-04-01T00:00:00Z');
    expect(learning.intentAccuracy.weeks.length).toBeGreaterThan(3);
    expect(learning.intentAccuracy.labelled).toBeGreaterThan(50);
    expect(learning.models.map((m: { source: string | null }) => m.source)).toEqual(
      expect.arrayContaining(['starter-taxonomy', 'retrain']),
    );
    const versions = learning.intentAccuracy.weeks.flatMap((w: { modelVersions: string[] }) => w.modelVersions);
    expect(new Set(versions).size).toBeGreaterThan(1);
  });

  it('shows the run-history incident as a spike and an anomaly, and Globex at churn risk', async () => {
    const trends = await get('/api/v1/insights/trends?by=feature&interval=day&days=30');
    expect(JSON.stringify(trends)).toContain('run-history');
    const anomalies = await get('/api/v1/insights/anomalies?days=10');
    expect(anomalies.data.some((a: { key: string }) => a.key === 'run-history')).toBe(true);
    // the incident's tickets are one bug report, with the accounts it hit
    const reports = await get('/api/v1/insights/bug-reports');
    const incident = reports.data.find((r: object) => JSON.stringify(r).includes('run-history'));
    expect(incident, JSON.stringify(reports.data.map((r: { title: string }) => r.title))).toBeDefined();
    expect(incident.report.frequency.tickets).toBeGreaterThan(5);
    expect(incident.report.affected.accounts.length).toBeGreaterThan(1);
    const health = await get('/api/v1/insights/health');
    const globex = health.data.find((h: { name: string }) => h.name === 'Globex');
    expect(globex).toMatchObject({ churnRisk: true });
  });

  it('has topics from its past at once (no sweep ran), each leading to its own tickets', async () => {
    const topics = await get('/api/v1/insights/topics');
    // every past ticket of the topics window is in a topic; the live ones opened after the past join at the first sweep
    expect(topics.tickets).toBeGreaterThan(100);
    expect(topics.clustered).toBe(topics.tickets - DEMO_TICKETS.length);
    expect(topics.data.length).toBeGreaterThan(3);
    // the incident of a week ago is a topic of its own, new this week: its tickets are the run-history page's
    const incident = topics.data.find((x: { trend: string }) => x.trend === 'new');
    expect(incident, JSON.stringify(topics.data.map((x: { label: string }) => x.label))).toBeDefined();
    for (const example of incident.examples) {
      const detail = await get(`/api/v1/tickets/${example.id}`);
      expect(detail.pageContext?.featureId, detail.subject).toBe('run-history');
    }
    const trends = await get('/api/v1/insights/trends?by=topic&interval=day&days=30');
    expect(JSON.stringify(trends)).toContain(incident.id);
    // the drill-down: the topic's tickets in the inbox are as many as the card says
    const first = topics.data[0];
    const list = await get(`/api/v1/tickets?topicId=${first.id}&limit=100`);
    expect(list.data.length).toBe(Math.min(first.tickets, 100));
    expect(list.data.map((x: { id: string }) => x.id)).toEqual(
      expect.arrayContaining(first.examples.map((e: { id: string }) => e.id)),
    );
    // the daily re-clustering is recorded as done: the live sweep only joins new tickets to these topics
    const [run] = await t.desk.database.db
      .select()
      .from(insightRuns)
      .where(and(eq(insightRuns.workspaceId, wsId), eq(insightRuns.kind, 'topics.recluster')));
    expect(run?.lastRunAt.getTime()).toBe(clock.now().getTime());
    const swept = await sweepInsights(t.desk.ctx(wsId, systemActor), t.desk.embedder, t.desk.outbound);
    expect(swept.topicsAssigned).toBe(DEMO_TICKETS.length);
    const after = await get('/api/v1/insights/topics');
    expect(after.clustered).toBe(after.tickets);
    expect(after.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([incident.id, first.id]));
  });

  it('the trickle opens a ticket when its timer fires, and the pipeline decides it', async () => {
    const { timer, pending, fire } = manualTimer();
    const opened: string[] = [];
    let arrived: (id: string) => void = () => {};
    const trickle = startTrickle(t.desk, wsId, { timer, onTicket: (id) => arrived(id) });
    expect(pending).toHaveLength(1);
    expect(pending[0]!.ms).toBeGreaterThanOrEqual(20_000);
    expect(pending[0]!.ms).toBeLessThan(40_000);
    const next = () => new Promise<string>((resolve) => (arrived = resolve));
    for (let i = 0; i < 2; i++) {
      const ticket = next();
      fire();
      opened.push(await ticket);
    }
    trickle.stop();
    expect(pending).toHaveLength(0);
    for (const id of opened) {
      const run = await t.desk.runPipeline(wsId, id, 'created');
      expect(run.records.map((r) => r.stage)).toContain('decide');
      const detail = await get(`/api/v1/tickets/${id}`);
      expect(detail.channel).toBe('widget');
      expect(detail.status).not.toBe('new');
    }
  });
});
