/**
 * Topics: recent tickets clustered by meaning with the workspace's embedder. New tickets join the
 * nearest topic as they come (or start one); a periodic re-clustering (k-means seeded from the current
 * topics, so topics keep their identity) tidies up. Each topic is labelled by its c-TF-IDF key phrases.
 */
import { and, asc, eq, gte, inArray, lte, ne, notInArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import type { Embedder } from '../knowledge/embedders.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { retryOnConflict } from '../store/pg-errors.js';
import { insightTopicPending, insightTopics, tickets, ticketTopics } from '../store/schema.js';
import { assignIncrementally, clusterFrom, keyPhrases, refine } from './clustering.js';
import { ticketTexts } from './data.js';
import { type RollupSums, sumsByKey } from './rollups.js';
import { getInsightsSettings } from './settings.js';

const DAY = 86_400_000;

export const TopicSchema = z.object({
  id: z.uuid(),
  label: z.string(),
  keyPhrases: z.array(z.string()),
  tickets: z.number(),
  thisWeek: z.number(),
  lastWeek: z.number(),
  /** (thisWeek − lastWeek) / lastWeek; null when last week had none. */
  weekOverWeek: z.number().nullable(),
  trend: z.enum(['new', 'rising', 'steady', 'falling']),
  /** First seen in the last 7 days. */
  emerging: z.boolean(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  topIntents: z.array(z.object({ intent: z.string(), tickets: z.number() })),
  examples: z.array(z.object({ id: z.uuid(), subject: z.string(), createdAt: Timestamp })),
});
export type Topic = z.infer<typeof TopicSchema>;

export const TopicsReportSchema = z.object({
  days: z.number(),
  tickets: z.number(),
  clustered: z.number(),
  data: z.array(TopicSchema),
});

/** Labels read "phrase · phrase · phrase". */
const labelOf = (phrases: string[]) => (phrases.length ? phrases.join(' · ') : 'misc');

/** Waiting tickets one join claims and embeds at once (its memory: this many texts and vectors). */
export const JOIN_BATCH = 500;
/** Tickets a re-clustering embeds at most: a larger window is clustered on a random sample of this size. */
export const RECLUSTER_SAMPLE = 5000;
/** Newest tickets per topic whose texts label it (c-TF-IDF over these groups). */
const LABEL_TEXTS = 40;
/** Topics labelled at most (the biggest of the window). */
const LABEL_TOPICS = 200;

export interface TopicsUpdate {
  assigned: number;
  topics: number;
  created: number;
}

/**
 * Brings the workspace's topics up to date in the background (the sweep; the refresh route): waiting tickets of the
 * window join their nearest topic, a batch at a time, at most `maxJoin` of them (see {@link joinTopics}); with
 * `recluster`, the window is re-clustered on a bounded sample ({@link reclusterTopics}); then the topics are
 * relabelled from their newest tickets. Memory and time are bounded by the batch, the sample and the label texts,
 * whatever the number of tickets in the window.
 */
export async function updateTopics(
  ctx: Ctx,
  embedder: Embedder,
  opts: { recluster?: boolean; maxJoin?: number } = {},
): Promise<TopicsUpdate> {
  const out: TopicsUpdate = { assigned: 0, topics: 0, created: 0 };
  const maxJoin = opts.maxJoin ?? 20 * JOIN_BATCH;
  while (out.assigned < maxJoin) {
    const r = await joinTopics(ctx, embedder, { limit: Math.min(JOIN_BATCH, maxJoin - out.assigned) });
    out.assigned += r.assigned;
    out.created += r.created;
    out.topics = r.topics;
    if (!r.claimed) break;
  }
  if (opts.recluster) {
    const r = await reclusterTopics(ctx, embedder);
    out.assigned += r.assigned;
    out.created += r.created;
    out.topics = r.topics;
  }
  await relabelTopics(ctx);
  return out;
}

async function countTopics(ctx: Ctx): Promise<number> {
  const [row] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(insightTopics)
    .where(eq(insightTopics.workspaceId, ctx.workspaceId));
  return Number(row?.n ?? 0);
}

/** The workspace's topics, locked until the transaction ends (joins and re-clusterings of one workspace queue). */
async function lockedTopics(ctx: Ctx) {
  return ctx.db
    .select()
    .from(insightTopics)
    .where(eq(insightTopics.workspaceId, ctx.workspaceId))
    .orderBy(asc(insightTopics.createdAt), asc(insightTopics.id))
    .for('update');
}

/** Topics of another embedder cannot be compared: they go (their tickets wait again: migration 0027). */
async function dropOtherEmbedders(ctx: Ctx, embedder: Embedder): Promise<void> {
  await ctx.db
    .delete(insightTopics)
    .where(and(eq(insightTopics.workspaceId, ctx.workspaceId), ne(insightTopics.embedder, embedder.id)));
}

/**
 * Online join: up to `limit` tickets of the window waiting for a topic (the oldest first) each join their nearest
 * topic when it is close enough, or start one. Their texts are embedded outside any transaction; then one
 * transaction locks the workspace's topics, claims the tickets by deleting their waiting rows (a ticket another
 * join claimed meanwhile is skipped), writes their topics (the rollups follow by trigger) and moves the topics'
 * centroids. So each ticket joins exactly once, and a crash leaves it waiting. Reads only the claimed tickets.
 */
export async function joinTopics(
  ctx: Ctx,
  embedder: Embedder,
  opts: { limit?: number } = {},
): Promise<TopicsUpdate & { claimed: number }> {
  const settings = (await getInsightsSettings(ctx)).topics;
  const now = ctx.now();
  const from = new Date(now.getTime() - settings.days * DAY);
  await dropOtherEmbedders(ctx, embedder);
  const waiting = await ctx.db
    .select({ id: tickets.id, subject: tickets.subject, createdAt: tickets.createdAt })
    .from(insightTopicPending)
    .innerJoin(tickets, eq(tickets.id, insightTopicPending.ticketId))
    .where(
      and(
        eq(insightTopicPending.workspaceId, ctx.workspaceId),
        gte(insightTopicPending.createdAt, from),
        lte(insightTopicPending.createdAt, now),
      ),
    )
    .orderBy(asc(insightTopicPending.createdAt), asc(insightTopicPending.ticketId))
    .limit(opts.limit ?? JOIN_BATCH);
  if (!waiting.length) return { assigned: 0, topics: await countTopics(ctx), created: 0, claimed: 0 };
  const texts = await ticketTexts(ctx, waiting);
  const vectors = await embedder.embed(waiting.map((w) => texts.get(w.id)!));
  return retryOnConflict(() =>
    inTransaction(ctx, async (tx) => {
      const stored = await lockedTopics(tx);
      const claimed = new Set(
        (
          await tx.db
            .delete(insightTopicPending)
            .where(
              and(
                eq(insightTopicPending.workspaceId, ctx.workspaceId),
                inArray(
                  insightTopicPending.ticketId,
                  waiting.map((w) => w.id),
                ),
              ),
            )
            .returning({ id: insightTopicPending.ticketId })
        ).map((r) => r.id),
      );
      const mine = waiting.map((w, i) => ({ ...w, vector: vectors[i]! })).filter((w) => claimed.has(w.id));
      if (!mine.length) return { assigned: 0, topics: stored.length, created: 0, claimed: waiting.length };
      const clusters = stored.map((t) => clusterFrom(t.centroid, Math.max(1, t.size)));
      const { assignment, similarity } = assignIncrementally(
        clusters,
        mine.map((m) => m.vector),
        settings.similarity,
      );
      const members = clusters.map(() => [] as typeof mine);
      mine.forEach((m, i) => members[assignment[i]!]!.push(m));
      const topicIds: string[] = stored.map((t) => t.id);
      // New topics are labelled from their first tickets (relabelTopics tidies labels up in the background).
      const fresh = clusters.map((_c, c) => (c >= stored.length ? members[c]! : []));
      const phrases = keyPhrases(fresh.map((list) => list.map((m) => texts.get(m.id) ?? m.subject)));
      let created = 0;
      for (let c = 0; c < clusters.length; c++) {
        const list = members[c]!;
        if (!list.length) continue;
        const times = list.map((m) => m.createdAt.getTime());
        const newest = new Date(Math.max(...times));
        const values = { centroid: Array.from(clusters[c]!.centroid), updatedAt: now };
        if (c < stored.length) {
          const t = stored[c]!;
          await tx.db
            .update(insightTopics)
            .set({
              ...values,
              size: t.size + list.length,
              lastSeenAt: new Date(Math.max(newest.getTime(), t.lastSeenAt.getTime())),
            })
            .where(eq(insightTopics.id, t.id));
        } else {
          const oldest = new Date(Math.min(...times));
          const [row] = await tx.db
            .insert(insightTopics)
            .values({
              ...values,
              workspaceId: ctx.workspaceId,
              label: labelOf(phrases[c]!),
              keyPhrases: phrases[c]!,
              embedder: embedder.id,
              size: list.length,
              firstSeenAt: oldest,
              lastSeenAt: newest,
            })
            .returning({ id: insightTopics.id });
          topicIds[c] = row!.id;
          created++;
        }
      }
      await writeAssignments(
        tx,
        mine.map((m, i) => ({ ticketId: m.id, topicId: topicIds[assignment[i]!]!, similarity: similarity[i]! })),
      );
      return { assigned: mine.length, topics: clusters.length, created, claimed: waiting.length };
    }),
  );
}

/** Writes tickets' topics in one statement (the rollups' statement trigger applies them at once). */
async function writeAssignments(
  ctx: Ctx,
  rows: { ticketId: string; topicId: string; similarity: number }[],
): Promise<void> {
  const now = ctx.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await ctx.db
      .insert(ticketTopics)
      .values(rows.slice(i, i + 1000).map((r) => ({ ...r, workspaceId: ctx.workspaceId, assignedAt: now })))
      .onConflictDoUpdate({
        target: ticketTopics.ticketId,
        set: {
          topicId: sql`excluded.topic_id`,
          similarity: sql`excluded.similarity`,
          assignedAt: sql`excluded.assigned_at`,
        },
      });
  }
}

/**
 * The window's tickets to re-cluster: all of them when there are at most `size`, else a uniform random sample of
 * about `size` (`TABLESAMPLE BERNOULLI`, at the rate the window's count from the rollups asks for), oldest first,
 * with their current topic.
 */
async function windowSample(ctx: Ctx, from: Date, to: Date, size: number) {
  const total = (await sumsByKey(ctx, 'all', { from, to, toInclusive: true })).get(null)?.tickets ?? 0;
  const rate = total > size ? Math.min(100, (100 * size * 1.05) / total) : null;
  const res = (await ctx.db.execute(sql`
    select t.id, t.subject, t.created_at, tt.topic_id
    from tickets t ${rate === null ? sql`` : sql`tablesample bernoulli (${rate}) `}
    left join ticket_topics tt on tt.ticket_id = t.id
    where t.workspace_id = ${ctx.workspaceId} and t.created_at >= ${from.toISOString()}::timestamptz
      and t.created_at <= ${to.toISOString()}::timestamptz
    order by t.created_at, t.id limit ${size}`)) as unknown as { rows: Record<string, unknown>[] };
  return {
    total,
    rows: res.rows.map((r) => ({
      id: r.id as string,
      subject: r.subject as string,
      createdAt: new Date(r.created_at as string),
      topicId: (r.topic_id as string | null) ?? null,
    })),
  };
}

/**
 * Re-clustering in the background, bounded in memory and time: at most `sample` tickets of the window (all of them
 * in a smaller window) are embedded; those far from every topic seed new ones, then k-means seeded from the topics
 * (so each keeps its identity) moves the centroids and re-assigns the sampled tickets. Tickets outside the sample
 * keep their topic; a topic left without a ticket in the window (the rollups' count) is removed.
 */
export async function reclusterTopics(
  ctx: Ctx,
  embedder: Embedder,
  opts: { sample?: number } = {},
): Promise<TopicsUpdate & { sampled: number; windowTickets: number }> {
  const settings = (await getInsightsSettings(ctx)).topics;
  const now = ctx.now();
  const from = new Date(now.getTime() - settings.days * DAY);
  await dropOtherEmbedders(ctx, embedder);
  const { total, rows } = await windowSample(ctx, from, now, opts.sample ?? RECLUSTER_SAMPLE);
  const texts = await ticketTexts(ctx, rows);
  const vectors = rows.length ? await embedder.embed(rows.map((r) => texts.get(r.id)!)) : [];
  return retryOnConflict(() =>
    inTransaction(ctx, async (tx) => {
      const stored = await lockedTopics(tx);
      const indexOf = new Map(stored.map((t, i) => [t.id, i]));
      const seeds = stored.map((t) => clusterFrom(t.centroid, Math.max(1, t.size)));
      const far = vectors.filter((_v, i) => !indexOf.has(rows[i]!.topicId ?? ''));
      const seeded = assignIncrementally(seeds, far, settings.similarity).clusters;
      const { centroids, assignment, similarity } = refine(
        seeded.map((c) => c.centroid),
        vectors,
        5,
      );
      const members = centroids.map(() => [] as typeof rows);
      rows.forEach((r, i) => members[assignment[i]!]!.push(r));
      const topicIds: (string | null)[] = centroids.map((_c, i) => stored[i]?.id ?? null);
      let created = 0;
      for (let c = 0; c < centroids.length; c++) {
        const list = members[c]!;
        if (c < stored.length) {
          if (list.length)
            await tx.db
              .update(insightTopics)
              .set({ centroid: Array.from(centroids[c]!), updatedAt: now })
              .where(eq(insightTopics.id, topicIds[c]!));
          continue;
        }
        if (!list.length) continue;
        const [row] = await tx.db
          .insert(insightTopics)
          .values({
            workspaceId: ctx.workspaceId,
            label: 'misc',
            centroid: Array.from(centroids[c]!),
            embedder: embedder.id,
            size: list.length,
            firstSeenAt: list[0]!.createdAt,
            lastSeenAt: list.at(-1)!.createdAt,
            updatedAt: now,
          })
          .returning({ id: insightTopics.id });
        topicIds[c] = row!.id;
        created++;
      }
      await writeAssignments(
        tx,
        rows
          .map((r, i) => ({ ticketId: r.id, topicId: topicIds[assignment[i]!]!, similarity: similarity[i]! }))
          .filter((a, i) => a.topicId !== rows[i]!.topicId),
      );
      // Sizes from the rollups (exact, in this transaction); topics without a ticket in the window go.
      const sizes = await sumsByKey(tx, 'topic', { from, to: now, toInclusive: true });
      const live = topicIds.filter((id): id is string => !!id && (sizes.get(id)?.tickets ?? 0) > 0);
      await tx.db
        .delete(insightTopics)
        .where(
          and(
            eq(insightTopics.workspaceId, ctx.workspaceId),
            live.length ? notInArray(insightTopics.id, live) : undefined,
          ),
        );
      for (const id of live)
        await tx.db
          .update(insightTopics)
          .set({ size: sizes.get(id)!.tickets })
          .where(eq(insightTopics.id, id));
      return { assigned: rows.length, topics: live.length, created, sampled: rows.length, windowTickets: total };
    }),
  );
}

/**
 * Labels the window's biggest topics (at most LABEL_TOPICS) by the c-TF-IDF key phrases of their newest
 * LABEL_TEXTS tickets each, and refreshes their sizes and last-seen times from the rollups and the topic index.
 */
export async function relabelTopics(ctx: Ctx): Promise<number> {
  const settings = (await getInsightsSettings(ctx)).topics;
  const now = ctx.now();
  const from = new Date(now.getTime() - settings.days * DAY);
  const sizes = await sumsByKey(ctx, 'topic', { from, to: now, toInclusive: true });
  const ids = [...sizes.entries()]
    .filter((e): e is [string, RollupSums] => e[0] !== null && e[1].tickets > 0)
    .sort((a, b) => b[1].tickets - a[1].tickets || a[0].localeCompare(b[0]))
    .slice(0, LABEL_TOPICS)
    .map(([id]) => id);
  if (!ids.length) return 0;
  const newest = await newestOfTopics(ctx, ids, from, now, LABEL_TEXTS);
  const texts = await ticketTexts(ctx, [...newest.values()].flat());
  const phrases = keyPhrases(ids.map((id) => (newest.get(id) ?? []).map((t) => texts.get(t.id) ?? t.subject)));
  await inTransaction(ctx, async (tx) => {
    for (let i = 0; i < ids.length; i++) {
      const latest = newest.get(ids[i]!)?.[0]?.createdAt;
      await tx.db
        .update(insightTopics)
        .set({
          label: labelOf(phrases[i]!),
          keyPhrases: phrases[i]!,
          size: sizes.get(ids[i]!)!.tickets,
          ...(latest ? { lastSeenAt: latest } : {}),
        })
        .where(and(eq(insightTopics.workspaceId, ctx.workspaceId), eq(insightTopics.id, ids[i]!)));
    }
  });
  return ids.length;
}

/**
 * The topics of the window, biggest first, with counts, trend, emerging flag and examples (counts from the
 * rollups: src/insights/rollups.ts; examples from the index of each topic's newest tickets). A topic's top
 * intents are its most frequent, by name at equal counts.
 */
export async function listTopics(
  ctx: Ctx,
  opts: { limit?: number; minSize?: number } = {},
): Promise<z.infer<typeof TopicsReportSchema>> {
  const settings = (await getInsightsSettings(ctx)).topics;
  const nowDate = ctx.now();
  const now = nowDate.getTime();
  const windowFrom = now - settings.days * DAY;
  const range = (from: number, to: number, toInclusive: boolean) => ({
    from: new Date(Math.max(windowFrom, from)),
    to: new Date(to),
    toInclusive,
  });
  const [all, byTopic, thisWeek, lastWeek, byIntent] = await Promise.all([
    sumsByKey(ctx, 'all', range(windowFrom, now, true)),
    sumsByKey(ctx, 'topic', range(windowFrom, now, true)),
    sumsByKey(ctx, 'topic', range(now - 7 * DAY, now, true)),
    now - 7 * DAY > windowFrom
      ? sumsByKey(ctx, 'topic', range(now - 14 * DAY, now - 7 * DAY, false))
      : new Map<string | null, RollupSums>(),
    sumsByKey(ctx, 'topic.intent', range(windowFrom, now, true)),
  ]);
  const intentsOf = new Map<string, { intent: string; tickets: number }[]>();
  for (const [key, sums] of byIntent) {
    if (!key) continue;
    const cut = key.indexOf(' ');
    const topicId = key.slice(0, cut);
    intentsOf.set(topicId, [...(intentsOf.get(topicId) ?? []), { intent: key.slice(cut + 1), tickets: sums.tickets }]);
  }
  const ids = [...byTopic.keys()].filter((k): k is string => k !== null);
  const rows = ids.length
    ? await ctx.db
        .select()
        .from(insightTopics)
        .where(and(eq(insightTopics.workspaceId, ctx.workspaceId), inArray(insightTopics.id, ids)))
    : [];
  const minSize = opts.minSize ?? settings.minSize;
  const chosen = rows
    .map((t) => {
      const tickets = byTopic.get(t.id)!.tickets;
      const thisWeekN = thisWeek.get(t.id)?.tickets ?? 0;
      const lastWeekN = lastWeek.get(t.id)?.tickets ?? 0;
      const emerging = t.firstSeenAt.getTime() >= now - 7 * DAY;
      const wow = lastWeekN ? (thisWeekN - lastWeekN) / lastWeekN : null;
      const trend =
        emerging && lastWeekN === 0
          ? 'new'
          : wow === null
            ? thisWeekN
              ? 'rising'
              : 'steady'
            : wow > 0.25
              ? 'rising'
              : wow < -0.25
                ? 'falling'
                : 'steady';
      return {
        id: t.id,
        label: t.label,
        keyPhrases: t.keyPhrases,
        tickets,
        thisWeek: thisWeekN,
        lastWeek: lastWeekN,
        weekOverWeek: wow === null ? null : Math.round(wow * 1000) / 1000,
        trend: trend as Topic['trend'],
        emerging,
        firstSeenAt: t.firstSeenAt,
        lastSeenAt: t.lastSeenAt,
        topIntents: (intentsOf.get(t.id) ?? [])
          .sort((a, b) => b.tickets - a.tickets || a.intent.localeCompare(b.intent))
          .slice(0, 3),
      };
    })
    .filter((t) => t.tickets >= minSize)
    .sort((a, b) => b.tickets - a.tickets || b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
    .slice(0, opts.limit ?? 50);
  const examples = await newestOfTopics(
    ctx,
    chosen.map((t) => t.id),
    new Date(windowFrom),
    nowDate,
  );
  const data = chosen.map((t) => ({ ...t, examples: examples.get(t.id) ?? [] }));
  const clustered = [...byTopic.entries()].reduce((n, [k, s]) => (k === null ? n : n + s.tickets), 0);
  return { days: settings.days, tickets: all.get(null)?.tickets ?? 0, clustered, data };
}

/** Each topic's `n` newest tickets created in [from, to], newest first (one statement: the topic index per topic). */
async function newestOfTopics(
  ctx: Ctx,
  topicIds: string[],
  from: Date,
  to: Date,
  n = 3,
): Promise<Map<string, { id: string; subject: string; createdAt: Date }[]>> {
  const out = new Map<string, { id: string; subject: string; createdAt: Date }[]>();
  if (!topicIds.length) return out;
  const res = (await ctx.db.execute(sql`
    select x.topic_id, t.id, t.subject, t.created_at
    from unnest(${`{${topicIds.join(',')}}`}::uuid[]) as x(topic_id)
    cross join lateral (
      select tt.ticket_id, tt.ticket_created_at from ticket_topics tt
      where tt.workspace_id = ${ctx.workspaceId} and tt.topic_id = x.topic_id
        and tt.ticket_created_at >= ${from.toISOString()}::timestamptz
        and tt.ticket_created_at <= ${to.toISOString()}::timestamptz
      order by tt.ticket_created_at desc, tt.ticket_id desc limit ${n}
    ) e
    join tickets t on t.id = e.ticket_id
    order by x.topic_id, e.ticket_created_at desc, e.ticket_id desc`)) as unknown as {
    rows: Record<string, unknown>[];
  };
  for (const r of res.rows) {
    const id = r.topic_id as string;
    if (!out.has(id)) out.set(id, []);
    out
      .get(id)!
      .push({ id: r.id as string, subject: r.subject as string, createdAt: new Date(r.created_at as string) });
  }
  return out;
}
