/**
 * Topics: recent tickets clustered by meaning with the workspace's embedder. New tickets join the
 * nearest topic as they come (or start one); a periodic re-clustering (k-means seeded from the current
 * topics, so topics keep their identity) tidies up. Each topic is labelled by its c-TF-IDF key phrases.
 */
import { and, desc, eq, gte, inArray, lte, notInArray } from 'drizzle-orm';
import { z } from 'zod';
import { Timestamp } from '../domain/schemas.js';
import type { Embedder } from '../knowledge/embedders.js';
import type { Ctx } from '../store/ctx.js';
import { insightTopics, tickets, ticketTopics } from '../store/schema.js';
import { assignIncrementally, clusterFrom, keyPhrases, refine } from './clustering.js';
import { loadTicketFacts, ticketTexts, type TicketFact } from './data.js';
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

/**
 * Brings the workspace's topics up to date: unassigned tickets of the window join their nearest topic
 * (or start one); with `recluster`, every ticket of the window is re-assigned by k-means seeded from the
 * topics. Topics left without tickets are removed; labels, sizes and last-seen times are refreshed.
 */
export async function updateTopics(
  ctx: Ctx,
  embedder: Embedder,
  opts: { recluster?: boolean } = {},
): Promise<{ assigned: number; topics: number; created: number }> {
  const settings = (await getInsightsSettings(ctx)).topics;
  const now = ctx.now();
  const facts = await loadTicketFacts(ctx, new Date(now.getTime() - settings.days * DAY), now);
  let stored = await ctx.db.select().from(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
  // Vectors of another embedder cannot be compared: start over.
  if (stored.some((t) => t.embedder !== embedder.id)) {
    await ctx.db.delete(insightTopics).where(eq(insightTopics.workspaceId, ctx.workspaceId));
    stored = [];
    for (const f of facts) f.topicId = null;
  }
  const recluster = !!opts.recluster;
  const todo = recluster ? facts : facts.filter((f) => !f.topicId);
  if (todo.length === 0 && !recluster) return { assigned: 0, topics: stored.length, created: 0 };
  const texts = await ticketTexts(ctx, todo);
  const vectors = await embedder.embed(todo.map((f) => texts.get(f.id)!));

  const sizeOf = new Map<string, number>();
  for (const f of facts) if (f.topicId) sizeOf.set(f.topicId, (sizeOf.get(f.topicId) ?? 0) + 1);
  const topicIds: (string | null)[] = stored.map((t) => t.id);
  const clusters = stored.map((t) => clusterFrom(t.centroid, Math.max(1, sizeOf.get(t.id) ?? 0)));
  let assignment: number[];
  let similarity: number[];
  if (recluster) {
    // Tickets far from every topic seed new ones first, then k-means over the whole window.
    const far = vectors.filter((_v, i) => !facts[i]!.topicId);
    const seeded = assignIncrementally(clusters, far, settings.similarity).clusters;
    const refined = refine(
      seeded.map((c) => c.centroid),
      vectors,
      5,
    );
    ({ assignment, similarity } = refined);
    const { centroids } = refined;
    for (let i = 0; i < centroids.length; i++) seeded[i] = clusterFrom(centroids[i]!, 1);
    clusters.splice(0, clusters.length, ...seeded);
  } else {
    ({ assignment, similarity } = assignIncrementally(clusters, vectors, settings.similarity));
  }
  while (topicIds.length < clusters.length) topicIds.push(null);

  // Members per cluster after this run (tickets not re-assigned keep their topic).
  const members = clusters.map(() => [] as TicketFact[]);
  const indexOf = new Map(topicIds.map((id, i) => [id, i]));
  const newAssign = new Map(todo.map((f, i) => [f.id, assignment[i]!]));
  for (const f of facts) {
    const c = newAssign.get(f.id) ?? (f.topicId ? indexOf.get(f.topicId) : undefined);
    if (c !== undefined) members[c]!.push(f);
  }
  const allTexts = recluster
    ? texts
    : await ticketTexts(
        ctx,
        facts.filter((f) => !texts.has(f.id)),
      );
  for (const [k, v] of texts) allTexts.set(k, v);
  const phrases = keyPhrases(members.map((m) => m.map((f) => allTexts.get(f.id) ?? f.subject)));

  let created = 0;
  for (let c = 0; c < clusters.length; c++) {
    const list = members[c]!;
    if (list.length === 0) continue;
    const values = {
      label: labelOf(phrases[c]!),
      keyPhrases: phrases[c]!,
      centroid: Array.from(clusters[c]!.centroid),
      embedder: embedder.id,
      size: list.length,
      lastSeenAt: list.at(-1)!.createdAt,
      updatedAt: now,
    };
    if (topicIds[c]) {
      await ctx.db.update(insightTopics).set(values).where(eq(insightTopics.id, topicIds[c]!));
    } else {
      const [row] = await ctx.db
        .insert(insightTopics)
        .values({ ...values, workspaceId: ctx.workspaceId, firstSeenAt: list[0]!.createdAt })
        .returning({ id: insightTopics.id });
      topicIds[c] = row!.id;
      created++;
    }
  }
  for (let i = 0; i < todo.length; i++) {
    const values = { topicId: topicIds[assignment[i]!]!, similarity: similarity[i]!, assignedAt: now };
    await ctx.db
      .insert(ticketTopics)
      .values({ ticketId: todo[i]!.id, workspaceId: ctx.workspaceId, ...values })
      .onConflictDoUpdate({ target: ticketTopics.ticketId, set: values });
  }
  // Topics without a ticket in the window are gone (older tickets keep no topic).
  const live = topicIds.filter((id, c): id is string => !!id && members[c]!.length > 0);
  await ctx.db
    .delete(insightTopics)
    .where(
      and(eq(insightTopics.workspaceId, ctx.workspaceId), live.length ? notInArray(insightTopics.id, live) : undefined),
    );
  return { assigned: todo.length, topics: live.length, created };
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

/** Each topic's three newest tickets created in [from, to], newest first. */
async function newestOfTopics(
  ctx: Ctx,
  topicIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, { id: string; subject: string; createdAt: Date }[]>> {
  const out = new Map<string, { id: string; subject: string; createdAt: Date }[]>();
  await Promise.all(
    topicIds.map(async (topicId) => {
      const rows = await ctx.db
        .select({ id: tickets.id, subject: tickets.subject, createdAt: tickets.createdAt })
        .from(ticketTopics)
        .innerJoin(tickets, eq(tickets.id, ticketTopics.ticketId))
        .where(
          and(
            eq(ticketTopics.workspaceId, ctx.workspaceId),
            eq(ticketTopics.topicId, topicId),
            gte(ticketTopics.ticketCreatedAt, from),
            lte(ticketTopics.ticketCreatedAt, to),
          ),
        )
        .orderBy(desc(ticketTopics.ticketCreatedAt), desc(ticketTopics.ticketId))
        .limit(3);
      out.set(topicId, rows);
    }),
  );
  return out;
}
