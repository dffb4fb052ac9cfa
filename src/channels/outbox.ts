/**
 * The outbox worker: numbers new deliveries, then sends what is due — those to an endpoint (webhooks, Slack
 * notices) per endpoint in order, the others (emails) one by one — retrying with exponential backoff and jitter,
 * and moving a delivery to the dead-letter list after the last attempt. What one attempt does is its connector's
 * (`send` of the channel's `outbound`, found through the registry); this file names no channel.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Db } from '../store/db.js';
import { outbox, outboxAttempts, webhookEndpoints } from '../store/schema.js';
import type { MailSender } from '../connectors/email-out.js';
import type { SendDeps, SendResult } from '../connectors/connector.js';
import { sendDelivery } from '../connectors/registry.js';

export interface OutboxDeps {
  database: Database;
  now: () => Date;
  logger: Logger;
  mail: MailSender | null;
  /** The SSRF-guarded fetch (`OutboundGuard.fetch`): webhook and Slack URLs are workspace-configured. */
  fetch: typeof fetch;
  maxAttempts: number;
  timeoutMs: number;
  random?: () => number;
}

/** First retry after 5 to 10 s, doubling each time, never more than an hour apart. */
export const RETRY_BASE_MS = 10_000;
export const RETRY_CAP_MS = 3_600_000;
/** How long a worker holds an endpoint (or an email) it is delivering; renewed before every attempt. */
const leaseMs = (deps: OutboxDeps) => Math.max(5 * 60_000, 3 * deps.timeoutMs);
const PER_ENDPOINT_BATCH = 200;
const SEQUENCER_LOCK = 74_201_907;

/** The wait before the next attempt after `attempts` failed ones: exponential, with "equal jitter" (half fixed, half
 * random). */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exp = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Numbers deliveries that have none yet, in the order they were written, under one lock so numbers never
 * interleave. A row whose transaction commits late is simply numbered by a later pass: nothing is skipped.
 */
export async function sequenceOutbox(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEQUENCER_LOCK})`);
    const res = await tx.execute(sql`
      with pick as (
        select id, row_number() over (order by pos) as rn from ${outbox} where seq is null order by pos limit 5000
      )
      update ${outbox} o set seq = (select coalesce(max(seq), 0) from ${outbox}) + pick.rn
      from pick where o.id = pick.id
      returning o.id`);
    return ((res as { rows?: unknown[] }).rows ?? (res as unknown as unknown[])).length;
  });
}

type Row = typeof outbox.$inferSelect;

/** Records one attempt and moves the delivery on: delivered, retried later, or dead. Returns the outcome. */
async function settle(
  deps: OutboxDeps,
  row: Row,
  result: SendResult,
  startedAt: number,
): Promise<'delivered' | 'retry' | 'dead'> {
  const db = deps.database.db;
  const now = deps.now();
  const attempts = row.attempts + 1;
  const outcome = result.ok ? 'delivered' : attempts >= deps.maxAttempts || result.permanent ? 'dead' : 'retry';
  await db.transaction(async (tx) => {
    await tx.insert(outboxAttempts).values({
      workspaceId: row.workspaceId,
      deliveryId: row.id,
      attempt: attempts,
      ok: result.ok,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: performance.now() - startedAt,
      at: now,
    });
    await tx
      .update(outbox)
      .set({
        attempts,
        leaseUntil: null,
        lastError: result.error,
        ...(outcome === 'delivered' ? { status: 'delivered' as const, deliveredAt: now } : {}),
        ...(outcome === 'dead' ? { status: 'dead' as const } : {}),
        ...(outcome === 'retry' ? { nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, deps.random)) } : {}),
      })
      .where(eq(outbox.id, row.id));
  });
  if (outcome === 'dead')
    deps.logger.warn(
      { deliveryId: row.id, channel: row.channel, attempts, error: result.error },
      'outbox delivery moved to the dead-letter list',
    );
  return outcome;
}

/** Delivers one endpoint's queue in order, while its head is due; a failing head holds the rest back until it succeeds
 * or dies. */
async function deliverEndpoint(
  deps: OutboxDeps,
  endpoint: typeof webhookEndpoints.$inferSelect,
  counts: DeliveryCounts,
): Promise<void> {
  const db = deps.database.db;
  const now = deps.now();
  let lease = new Date(now.getTime() + leaseMs(deps));
  const claimed = await db
    .update(webhookEndpoints)
    .set({ leaseUntil: lease })
    .where(
      and(
        eq(webhookEndpoints.id, endpoint.id),
        or(isNull(webhookEndpoints.leaseUntil), lt(webhookEndpoints.leaseUntil, now)),
      ),
    )
    .returning({ id: webhookEndpoints.id });
  if (!claimed.length) return;
  /** Extends the lease; false when another worker took the endpoint over (then this one stops, keeping the order). */
  const renew = async () => {
    const next = new Date(deps.now().getTime() + leaseMs(deps));
    const kept = await db
      .update(webhookEndpoints)
      .set({ leaseUntil: next })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.leaseUntil, lease)))
      .returning({ id: webhookEndpoints.id });
    if (kept.length) lease = next;
    return kept.length > 0;
  };
  try {
    let sent = 0;
    while (sent < PER_ENDPOINT_BATCH) {
      // Numbers only grow, so the next rows in order can be read in one go.
      const batch = await db
        .select()
        .from(outbox)
        .where(and(eq(outbox.endpointId, endpoint.id), eq(outbox.status, 'pending'), isNotNull(outbox.seq)))
        .orderBy(asc(outbox.seq))
        .limit(50);
      if (!batch.length) return;
      for (const head of batch) {
        if (head.nextAttemptAt > deps.now() || !(await renew())) return;
        const startedAt = performance.now();
        const result = await send(deps, head, { url: endpoint.url, secret: endpoint.secret });
        const outcome = await settle(deps, head, result, startedAt);
        counts[outcome]++;
        sent++;
        if (outcome === 'retry') return;
      }
    }
  } finally {
    await db
      .update(webhookEndpoints)
      .set({ leaseUntil: null })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.leaseUntil, lease)));
  }
}

/** Delivers the due deliveries that have no endpoint (emails), each on its own. */
async function deliverUnaddressed(deps: OutboxDeps, counts: DeliveryCounts): Promise<void> {
  const db = deps.database.db;
  const now = deps.now();
  const due = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        isNull(outbox.endpointId),
        eq(outbox.status, 'pending'),
        isNotNull(outbox.seq),
        lte(outbox.nextAttemptAt, now),
        or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
      ),
    )
    .orderBy(asc(outbox.seq))
    .limit(50);
  for (const { id } of due) {
    const [row] = await db
      .update(outbox)
      .set({ leaseUntil: new Date(now.getTime() + leaseMs(deps)) })
      .where(
        and(eq(outbox.id, id), eq(outbox.status, 'pending'), or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now))),
      )
      .returning();
    if (!row) continue;
    const startedAt = performance.now();
    counts[await settle(deps, row, await send(deps, row, null), startedAt)]++;
  }
}

/** One attempt at a delivery, by the connector whose channel it is. */
function send(deps: OutboxDeps, row: Row, endpoint: { url: string; secret: string } | null): Promise<SendResult> {
  const { now, fetch, timeoutMs, mail } = deps;
  const sendDeps: SendDeps = { now, fetch, timeoutMs, mail };
  return sendDelivery(
    row.channel,
    { id: row.id, eventType: row.eventType, seq: row.seq, endpoint, payload: row.payload },
    sendDeps,
  );
}

export interface DeliveryCounts {
  delivered: number;
  retry: number;
  dead: number;
}

/** One pass of the outbox worker: number new rows, then deliver what is due. Safe to run in several processes. */
export async function deliverOutbox(deps: OutboxDeps): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { delivered: 0, retry: 0, dead: 0 };
  await sequenceOutbox(deps.database.db);
  const db = deps.database.db;
  const busy = await db
    .selectDistinct({ endpointId: outbox.endpointId })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, 'pending'),
        isNotNull(outbox.seq),
        isNotNull(outbox.endpointId),
        lte(outbox.nextAttemptAt, deps.now()),
      ),
    );
  const ids = busy.map((b) => b.endpointId!).filter(Boolean);
  if (ids.length) {
    const endpoints = await db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.enabled, true), inArray(webhookEndpoints.id, ids)));
    // Endpoints are independent: a slow one does not hold up the others.
    for (let i = 0; i < endpoints.length; i += 8)
      await Promise.all(endpoints.slice(i, i + 8).map((ep) => deliverEndpoint(deps, ep, counts)));
  }
  await deliverUnaddressed(deps, counts);
  return counts;
}

/** True when some delivery is waiting and due (used by tests and the CLI to drain the outbox). */
export async function outboxHasDue(db: Db, now: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), or(isNull(outbox.seq), lte(outbox.nextAttemptAt, now))))
    .limit(1);
  return !!row;
}

/** Delivered rows are kept this long (with their attempts) for inspection, then deleted by the sweep; dead ones stay
 * until replayed or their endpoint is deleted. */
export const DELIVERED_RETENTION_DAYS = 30;

/** Deletes delivered outbox rows older than the retention period. */
export async function pruneOutbox(db: Db, now: Date): Promise<number> {
  const before = new Date(now.getTime() - DELIVERED_RETENTION_DAYS * 86_400_000);
  const rows = await db
    .delete(outbox)
    .where(and(eq(outbox.status, 'delivered'), lt(outbox.deliveredAt, before)))
    .returning({ id: outbox.id });
  return rows.length;
}
