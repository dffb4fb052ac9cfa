/**
 * Topics at scale (issue 20): tickets wait for a topic in `insight_topic_pending` (migration 0027) and join their
 * nearest topic online, each exactly once even when joins run at once; the topics card and topic trends answer from
 * the rollups; a re-clustering of a large window works on a bounded sample and keeps every topic's identity.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/knowledge/embedders.js';
import { joinTopics, listTopics, reclusterTopics, updateTopics } from '../src/insights/topics.js';
import { TrendsQuerySchema, volumeTrends } from '../src/insights/trends.js';
import { joinWaitingTopics } from '../src/jobs/topics.js';
import type { Ctx } from '../src/store/ctx.js';
import { insightTopicPending, insightTopics, messages, tickets, ticketTopics } from '../src/store/schema.js';
import { backends, openTestDesk, testClock, type TestDesk } from './helpers.js';

const HOUR = 3_600_000;
const THEMES = [
  ['Refund for a double charge', 'I was charged twice on my invoice this month, please refund the duplicate payment.'],
  ['Password reset email', 'I forgot my password and the reset email never arrives, how do I reset my password?'],
  ['Export runs to CSV', 'How do I export the run history of a pipeline to a CSV file from the dashboard?'],
] as const;

describe.each(backends())('topics online on %s', (kind) => {
  const clock = testClock(new Date('2026-06-20T10:20:00.000Z'));
  let t: TestDesk;
  let ctx: Ctx;
  let embedder: Embedder;
  beforeAll(async () => {
    t = await openTestDesk(kind, { now: clock.now });
    const { workspace } = await t.desk.createWorkspace('Topics');
    ctx = t.desk.ctx(workspace.id, { type: 'system', id: null });
    embedder = t.desk.embedder;
  });
  afterAll(async () => t?.close());

  /** `n` tickets of theme `theme`, `hoursAgo` hours back, each with its first customer message. */
  async function write(n: number, theme: number, hoursAgo = 1): Promise<string[]> {
    const [subject, text] = THEMES[theme]!;
    const rows = await ctx.db
      .insert(tickets)
      .values(
        Array.from({ length: n }, (_, i) => ({
          workspaceId: ctx.workspaceId,
          subject: `${subject} ${i % 3 ? '' : '(again)'}`.trim(),
          intent: `theme_${theme}`,
          createdAt: new Date(clock.now().getTime() - hoursAgo * HOUR - i * 60_000),
        })),
      )
      .returning({ id: tickets.id, createdAt: tickets.createdAt });
    await ctx.db.insert(messages).values(
      rows.map((r) => ({
        workspaceId: ctx.workspaceId,
        ticketId: r.id,
        authorType: 'customer' as const,
        bodyText: text,
        createdAt: r.createdAt,
      })),
    );
    return rows.map((r) => r.id);
  }
  const count = async (q: string) =>
    Number(((await ctx.db.execute(sql.raw(q))) as unknown as { rows: { n: number }[] }).rows[0]!.n);
  const waiting = () =>
    count(`select count(*)::int n from insight_topic_pending where workspace_id = '${ctx.workspaceId}'`);
  const assignedRows = () =>
    count(`select count(*)::int n from ticket_topics where workspace_id = '${ctx.workspaceId}'`);

  it('has each new ticket wait, then join its nearest topic exactly once, with joins running at once', async () => {
    const ids = [...(await write(8, 0)), ...(await write(7, 1)), ...(await write(6, 2))];
    expect(await waiting()).toBe(ids.length);
    // Three joins at once over the same waiting tickets: each claims its own, none assigns a ticket twice.
    const runs = await Promise.all([0, 1, 2].map(() => joinTopics(ctx, embedder, { limit: 15 })));
    const again = await joinWaitingTopics({ database: t.desk.database, now: clock.now, embedder }, ctx.workspaceId);
    const total = runs.reduce((n, r) => n + r.assigned, 0) + again.assigned;
    expect(total).toBe(ids.length);
    expect(await waiting()).toBe(0);
    expect(await assignedRows()).toBe(ids.length);
    // Tickets of a theme share a topic; the themes are apart.
    const rows = await ctx.db.select().from(ticketTopics).where(inArray(ticketTopics.ticketId, ids));
    const topicOf = new Map(rows.map((r) => [r.ticketId, r.topicId]));
    const themeTopics = [ids.slice(0, 8), ids.slice(8, 15), ids.slice(15)].map(
      (g) => new Set(g.map((i) => topicOf.get(i))),
    );
    for (const s of themeTopics) expect(s.size).toBe(1);
    expect(new Set(themeTopics.map((s) => [...s][0])).size).toBe(3);
    // Nothing left: a join now claims nothing.
    expect((await joinTopics(ctx, embedder)).claimed).toBe(0);

    // The topics card and topic trends answer from the rollups, which carry each ticket's topic.
    const report = await listTopics(ctx, { minSize: 1 });
    expect(report.tickets).toBe(ids.length);
    expect(report.clustered).toBe(ids.length);
    expect(report.data.map((x) => x.tickets).sort((a, b) => b - a)).toEqual([8, 7, 6]);
    const refund = report.data.find((x) => x.tickets === 8)!;
    expect(refund.topIntents).toEqual([{ intent: 'theme_0', tickets: 8 }]);
    expect(refund.examples).toHaveLength(3);
    expect(refund.examples.every((e) => ids.slice(0, 8).includes(e.id))).toBe(true);
    const trends = await volumeTrends(ctx, TrendsQuerySchema.parse({ by: 'topic', interval: 'hour' }));
    expect(trends.series.find((s) => s.key === refund.id)?.total).toBe(8);
  });

  it('labels topics from their newest tickets, and a new ticket far from every topic starts one', async () => {
    const before = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    const out = await updateTopics(ctx, embedder);
    expect(out.assigned).toBe(0);
    const labelled = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    expect(labelled.map((x) => x.id).sort()).toEqual(before.map((x) => x.id).sort());
    const words = labelled.map((x) => x.keyPhrases.join(' '));
    expect(words.some((w) => /refund|charge|invoice|payment|duplicate/.test(w))).toBe(true);
    expect(words.some((w) => /password|reset/.test(w))).toBe(true);
    expect(labelled.every((x) => x.label === x.keyPhrases.join(' · '))).toBe(true);

    const [far] = await ctx.db
      .insert(tickets)
      .values({ workspaceId: ctx.workspaceId, subject: 'Slack channel notifications', createdAt: clock.now() })
      .returning({ id: tickets.id });
    const joined = await joinTopics(ctx, embedder);
    expect(joined).toMatchObject({ assigned: 1, created: 1 });
    const [row] = await ctx.db.select().from(ticketTopics).where(eq(ticketTopics.ticketId, far!.id));
    expect(before.map((x) => x.id)).not.toContain(row!.topicId);
  });

  it('has tickets whose topic is deleted wait again, and forgets deleted tickets', async () => {
    const topics = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    const victim = topics.find((x) => x.size === 7) ?? topics[0]!;
    const members = await ctx.db.select().from(ticketTopics).where(eq(ticketTopics.topicId, victim.id));
    await ctx.db.delete(insightTopics).where(eq(insightTopics.id, victim.id));
    expect(await waiting()).toBe(members.length);
    // A deleted ticket takes its waiting row (and its topic row) with it.
    await ctx.db.delete(tickets).where(eq(tickets.id, members[0]!.ticketId));
    expect(await waiting()).toBe(members.length - 1);
    const other = (await ctx.db.select().from(ticketTopics).where(eq(ticketTopics.workspaceId, ctx.workspaceId)))[0]!;
    await ctx.db.delete(tickets).where(eq(tickets.id, other.ticketId));
    expect(await waiting()).toBe(members.length - 1);
    expect((await joinTopics(ctx, embedder)).assigned).toBe(members.length - 1);
    expect(await waiting()).toBe(0);
    const report = await listTopics(ctx, { minSize: 1 });
    expect(report.clustered).toBe(report.tickets);
  });

  it('re-clusters a window larger than its sample on the sample alone, keeping every topic', async () => {
    await write(30, 0, 30);
    await write(30, 1, 40);
    await joinTopics(ctx, embedder, { limit: 1000 });
    const before = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    const windowTickets = await count(`select count(*)::int n from tickets where workspace_id = '${ctx.workspaceId}'`);
    const r = await reclusterTopics(ctx, embedder, { sample: 20 });
    expect(r.windowTickets).toBe(windowTickets);
    expect(r.sampled).toBeGreaterThan(0);
    expect(r.sampled).toBeLessThanOrEqual(20);
    const after = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    // Topics keep their identity; every ticket of the window keeps a topic.
    for (const x of before.filter((b) => b.size >= 5)) expect(after.map((a) => a.id)).toContain(x.id);
    const report = await listTopics(ctx, { minSize: 1 });
    expect(report.clustered).toBe(report.tickets);
    // Without a sample bound, all the window's tickets are re-clustered.
    const all = await reclusterTopics(ctx, embedder, { sample: 10_000 });
    expect(all.sampled).toBe(windowTickets);
  });

  it('starts over when the embedder changes: the old topics go and their tickets join the new ones', async () => {
    const other: Embedder = { ...embedder, id: `${embedder.id}-v2`, embed: (texts) => embedder.embed(texts) };
    const n = await assignedRows();
    const out = await updateTopics(ctx, other);
    expect(out.assigned).toBe(n);
    const topics = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    expect(topics.every((x) => x.embedder === other.id)).toBe(true);
    expect(
      await ctx.db.select().from(insightTopicPending).where(eq(insightTopicPending.workspaceId, ctx.workspaceId)),
    ).toEqual([]);
  });
});
