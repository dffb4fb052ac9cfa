/**
 * Product usage: Segment-format identify / track / page / screen events (one at a time or in a batch), kept
 * per customer, summarised for enrichment, and pruned to the workspace's retention by the sweep.
 */
import { and, count, desc, eq, gte, inArray, lt, max, sql } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import DataLoader from 'dataloader';
import type { UsageSummary } from '../domain/stage-results.js';
import { inTransaction, type Ctx } from '../store/ctx.js';
import { getCustomer } from '../people/get-customer.js';
import { resolveCustomerRef } from '../people/resolve-customer-ref.js';
import type { DbOrTx } from '../store/db.js';
import { usageEvents } from '../store/schema.js';
import { defineConnector } from './connector.js';

/** How long product usage is kept. */
export const UsageOptionsSchema = z
  .object({
    /** Events kept per customer (the oldest are pruned by the sweep). */
    maxEventsPerCustomer: z.number().int().min(10).max(100_000).default(1000),
    /** Events older than this are pruned by the sweep. */
    maxAgeDays: z.number().int().min(1).max(3650).default(90),
  })
  .strict();
export type UsageOptions = z.output<typeof UsageOptionsSchema>;

export const USAGE_TYPES = ['identify', 'track', 'page', 'screen'] as const;

const props = z.record(z.string(), z.unknown());
/** Fields of Segment's envelope that Deskmind accepts and ignores. */
const segmentEnvelope = {
  integrations: z.record(z.string().max(100), z.unknown()).optional(),
  sentAt: z.string().max(100).optional(),
};

/** One Segment event; fields Segment does not define are refused (`validation_failed`), as everywhere in the API. */
export const SegmentEventSchema = z
  .object({
    type: z.enum(USAGE_TYPES).optional(),
    userId: z.union([z.string().trim().min(1).max(200), z.number().transform(String)]).optional(),
    anonymousId: z.union([z.string().max(200), z.number().transform(String)]).optional(),
    messageId: z.string().trim().min(1).max(200).optional(),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    event: z.string().trim().min(1).max(200).optional(),
    name: z.string().trim().max(200).optional(),
    properties: props.optional(),
    traits: props.optional(),
    context: z.object({ traits: props.optional() }).loose().optional(),
    // Segment's other common fields: accepted (so Segment payloads pass as sent) and not used.
    ...segmentEnvelope,
    originalTimestamp: z.string().max(100).optional(),
    receivedAt: z.string().max(100).optional(),
    version: z.union([z.number(), z.string().max(20)]).optional(),
    channel: z.string().max(100).optional(),
    category: z.string().max(200).optional(),
  })
  .strict();
export type SegmentEvent = z.infer<typeof SegmentEventSchema>;

export const SegmentBatchSchema = z
  .object({
    batch: z.array(SegmentEventSchema).min(1).max(500),
    context: z.object({ traits: props.optional() }).loose().optional(),
    ...segmentEnvelope,
    writeKey: z.string().max(200).optional(),
  })
  .strict();

export const UsageIngestResultSchema = z.object({
  success: z.literal(true),
  accepted: z.number(),
  duplicates: z.number(),
  /** Events without a userId or email (anonymous), which cannot be kept per customer. */
  skipped: z.number(),
});
export type UsageIngestResult = z.infer<typeof UsageIngestResultSchema>;

const MAX_PROPERTIES_CHARS = 8000;
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** Stores Segment events (deduplicated by messageId). Call inside a transaction. */
/** Stores a batch of Segment events in one transaction of its own; duplicates (by message id) are counted. */
export function ingestUsage(
  ctx: Ctx,
  events: (SegmentEvent & { type: (typeof USAGE_TYPES)[number] })[],
): Promise<UsageIngestResult> {
  return inTransaction(ctx, (tx) => storeUsageEvents(tx, events));
}

async function storeUsageEvents(
  ctx: Ctx,
  events: (SegmentEvent & { type: (typeof USAGE_TYPES)[number] })[],
): Promise<UsageIngestResult> {
  const result: UsageIngestResult = { success: true, accepted: 0, duplicates: 0, skipped: 0 };
  for (const e of events) {
    const traits = { ...(e.context?.traits ?? {}), ...(e.traits ?? {}) };
    const email = z.email().safeParse(str(traits.email)?.toLowerCase());
    const userId = e.userId;
    if (!userId && !email.success) {
      result.skipped++;
      continue;
    }
    const name =
      str(traits.name) ??
      ([str(traits.firstName) ?? str(traits.first_name), str(traits.lastName) ?? str(traits.last_name)]
        .filter(Boolean)
        .join(' ') ||
        undefined);
    const ref = {
      ...(userId ? { externalId: userId } : {}),
      ...(email.success ? { email: email.data } : {}),
      ...(e.type === 'identify' && name ? { name: name.slice(0, 300) } : {}),
    };
    // The email may already belong to another customer than the userId's: then the userId decides.
    const customer = await ctx.db
      .transaction((savepoint) => resolveCustomerRef({ ...ctx, db: savepoint }, ref))
      .catch((err: unknown) => {
        if (!(err instanceof DeskmindError && err.code === 'conflict') || !userId) throw err;
        return resolveCustomerRef(ctx, { externalId: userId });
      });
    let properties = (e.type === 'identify' ? traits : e.properties) ?? {};
    if (JSON.stringify(properties).length > MAX_PROPERTIES_CHARS) properties = { truncated: true };
    const inserted = await ctx.db
      .insert(usageEvents)
      .values({
        workspaceId: ctx.workspaceId,
        customerId: customer.id,
        kind: e.type,
        event:
          e.type === 'track'
            ? (e.event ?? null)
            : e.type === 'identify'
              ? null
              : (e.name ?? str(e.properties?.path) ?? null),
        properties,
        messageId: e.messageId ?? null,
        occurredAt: e.timestamp ? new Date(e.timestamp) : ctx.now(),
        receivedAt: ctx.now(),
      })
      .onConflictDoNothing()
      .returning({ id: usageEvents.id });
    if (inserted.length) result.accepted++;
    else result.duplicates++;
  }
  return result;
}

const ERROR_EVENT = /error|exception|fail|crash/i;

/** Last seen, features used in the last 30 days, and errors of the last 7 days, of one customer. */
export async function summariseUsage(
  db: DbOrTx,
  workspaceId: string,
  customerId: string,
  now: Date,
): Promise<UsageSummary | null> {
  const [summary] = await summariseUsages(db, workspaceId, [customerId], now);
  return summary ?? null;
}

/** A customer's product usage summary (null when none); `not_found` for an unknown customer. */
export async function customerUsage(ctx: Ctx, customerId: string): Promise<UsageSummary | null> {
  const customer = await getCustomer(ctx, customerId);
  return summariseUsage(ctx.db, ctx.workspaceId, customer.id, ctx.now());
}

/**
 * `summariseUsage` for several customers: one statement finds who has any usage at all (most have none),
 * then only those are summarised.
 */
export async function summariseUsages(
  db: DbOrTx,
  workspaceId: string,
  customerIds: readonly string[],
  now: Date,
): Promise<(UsageSummary | null)[]> {
  const ids = [...new Set(customerIds)];
  if (!ids.length) return [];
  const totals = await db
    .select({ customerId: usageEvents.customerId, lastSeen: max(usageEvents.occurredAt), n: count() })
    .from(usageEvents)
    .where(and(eq(usageEvents.workspaceId, workspaceId), inArray(usageEvents.customerId, ids)))
    .groupBy(usageEvents.customerId);
  const used = totals.filter((t): t is typeof t & { customerId: string } => !!t.customerId && t.n > 0);
  const summaries = new Map(
    await Promise.all(
      used.map(async (t) => [t.customerId, await summarise(db, workspaceId, t.customerId, t.lastSeen, now)] as const),
    ),
  );
  return customerIds.map((id) => summaries.get(id) ?? null);
}

async function summarise(
  db: DbOrTx,
  workspaceId: string,
  customerId: string,
  lastSeenAt: unknown,
  now: Date,
): Promise<UsageSummary> {
  const scope = and(eq(usageEvents.workspaceId, workspaceId), eq(usageEvents.customerId, customerId));
  const since30 = new Date(now.getTime() - 30 * 86_400_000);
  const since7 = new Date(now.getTime() - 7 * 86_400_000);
  const [recent] = await db
    .select({ n: count() })
    .from(usageEvents)
    .where(and(scope, gte(usageEvents.occurredAt, since30)));
  const feature = sql<string>`coalesce(${usageEvents.properties}->>'feature', ${usageEvents.event})`;
  const features = await db
    .select({ name: feature, n: count(), lastUsed: max(usageEvents.occurredAt) })
    .from(usageEvents)
    .where(
      and(
        scope,
        eq(usageEvents.kind, 'track'),
        gte(usageEvents.occurredAt, since30),
        sql`${usageEvents.event} !~* ${ERROR_EVENT.source}`,
      ),
    )
    .groupBy(feature)
    .orderBy(desc(count()), desc(max(usageEvents.occurredAt)))
    .limit(10);
  const errors = await db
    .select({ event: usageEvents.event, properties: usageEvents.properties, at: usageEvents.occurredAt })
    .from(usageEvents)
    .where(
      and(
        scope,
        eq(usageEvents.kind, 'track'),
        gte(usageEvents.occurredAt, since7),
        sql`(${usageEvents.event} ~* ${ERROR_EVENT.source} or ${usageEvents.properties} ? 'error')`,
      ),
    )
    .orderBy(desc(usageEvents.occurredAt))
    .limit(5);
  const lastSeen = lastSeenAt ? new Date(lastSeenAt as string) : null;
  return {
    lastSeen: lastSeen?.toISOString() ?? null,
    events30d: Number(recent?.n ?? 0),
    features: features
      .filter((f) => f.name)
      .map((f) => ({
        name: f.name,
        count: Number(f.n),
        lastUsed: new Date(f.lastUsed as unknown as string).toISOString(),
      })),
    recentErrors: errors.map((e) => ({
      message: String(str(e.properties.message) ?? str(e.properties.error) ?? e.event ?? 'error').slice(0, 500),
      event: e.event,
      at: e.at.toISOString(),
    })),
  };
}

/** Deletes events older than the retention age and, per customer, all but the newest `maxEventsPerCustomer`. */
export async function pruneUsage(db: DbOrTx, workspaceId: string, retention: UsageOptions, now: Date): Promise<number> {
  const old = await db
    .delete(usageEvents)
    .where(
      and(
        eq(usageEvents.workspaceId, workspaceId),
        lt(usageEvents.occurredAt, new Date(now.getTime() - retention.maxAgeDays * 86_400_000)),
      ),
    )
    .returning({ id: usageEvents.id });
  const excess = await db
    .delete(usageEvents)
    .where(
      sql`${usageEvents.id} in (select id from (select id, row_number() over (partition by customer_id order by
          occurred_at desc, id desc) as rn from usage_events where workspace_id = ${workspaceId}) ranked where rn >
          ${retention.maxEventsPerCustomer})`,
    )
    .returning({ id: usageEvents.id });
  return old.length + excess.length;
}

/** Product usage in Segment's format: the `usage` enrichment source; its options are the retention. */
export const usageConnector = defineConnector({
  id: 'usage',
  title: 'Product usage (Segment format)',
  options: UsageOptionsSchema,
  enrichment(_section, { database, config, now }, workspaceId) {
    // Tickets asking at the same time (one pipeline batch) read their customers' usage in one statement.
    const summaries = new DataLoader<string, UsageSummary | null>((customerIds) =>
      summariseUsages(database.db, workspaceId, customerIds, now()),
    );
    return {
      name: 'usage',
      timeoutMs: config.enrichTimeoutMs,
      async load({ customer }) {
        if (!customer) return null;
        const usage = await summaries.load(customer.id);
        return usage ? { usage } : null;
      },
    };
  },
});
