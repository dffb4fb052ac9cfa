/**
 * The outbox worker: numbers new deliveries, then sends what is due — webhooks and Slack notices per
 * endpoint in order, emails through the SMTP relay — retrying with exponential backoff and jitter, and
 * moving a delivery to the dead-letter list after the last attempt.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database, Db } from '../store/db.js';
import { outbox, outboxAttempts, webhookEndpoints } from '../store/schema.js';
import type { MailSender, OutboundEmail } from '../connectors/email-out.js';
import { outboundRefusal } from '../security/outbound-url.js';
import { HEADERS, signPayload } from './signature.js';

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

interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** The SSRF guard refused the destination: retrying would not help, so the delivery goes to the dead-letter list at
   * once. */
  refused?: boolean;
}

async function postJson(
  fetchImpl: typeof fetch,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<AttemptResult> {
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Deskmind-Webhooks/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, error: null };
    return { ok: false, statusCode: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}` };
  } catch (err) {
    const refusal = outboundRefusal(err);
    if (refusal)
      return {
        ok: false,
        statusCode: null,
        error: `refused by the outbound URL guard: ${refusal.reason}`.slice(0, 500),
        refused: true,
      };
    const e = err as Error & { cause?: { code?: string } };
    return {
      ok: false,
      statusCode: null,
      error: (e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`
      ).slice(0, 500),
    };
  }
}

type Row = typeof outbox.$inferSelect;

/** Records one attempt and moves the delivery on: delivered, retried later, or dead. Returns the outcome. */
async function settle(
  deps: OutboxDeps,
  row: Row,
  result: AttemptResult,
  startedAt: number,
): Promise<'delivered' | 'retry' | 'dead'> {
  const db = deps.database.db;
  const now = deps.now();
  const attempts = row.attempts + 1;
  const outcome = result.ok ? 'delivered' : attempts >= deps.maxAttempts || result.refused ? 'dead' : 'retry';
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
        const body = JSON.stringify(head.payload);
        let headers: Record<string, string> = {};
        if (head.channel === 'webhook') {
          const timestamp = Math.floor(deps.now().getTime() / 1000);
          headers = {
            [HEADERS.event]: head.eventType,
            [HEADERS.delivery]: head.id,
            [HEADERS.sequence]: String(head.seq),
            [HEADERS.timestamp]: String(timestamp),
            [HEADERS.signature]: signPayload(endpoint.secret, String(timestamp), body),
          };
        }
        const result = await postJson(deps.fetch, endpoint.url, body, headers, deps.timeoutMs);
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

async function deliverEmails(deps: OutboxDeps, counts: DeliveryCounts): Promise<void> {
  const db = deps.database.db;
  const now = deps.now();
  const due = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.channel, 'email'),
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
    let result: AttemptResult;
    if (!deps.mail)
      result = { ok: false, statusCode: null, error: 'no SMTP relay is configured (DESKMIND_SMTP_RELAY_URL)' };
    else {
      try {
        await deps.mail.send(row.payload as unknown as OutboundEmail);
        result = { ok: true, statusCode: null, error: null };
      } catch (err) {
        const e = err as Error & { responseCode?: number };
        result = { ok: false, statusCode: e.responseCode ?? null, error: String(e.message).slice(0, 500) };
      }
    }
    counts[await settle(deps, row, result, startedAt)]++;
  }
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
  await deliverEmails(deps, counts);
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
