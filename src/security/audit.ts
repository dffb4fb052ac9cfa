import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { inTransaction, type Ctx } from '../store/ctx.js';
import type { DbOrTx } from '../store/db.js';
import { auditLog, events } from '../store/schema.js';

/** Keys whose values never reach the audit log (matched case-insensitively, anywhere in the body). */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|private/i;

/** A copy of `value` with every secret-looking field replaced by "[redacted]" (depth-limited). */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v, depth + 1),
      ]),
    );
  }
  if (typeof value === 'string' && value.length > 500) return `${value.slice(0, 500)}…`;
  return value;
}

/** One admin action, as the HTTP layer saw it. */
export interface AuditEntry {
  workspaceId: string;
  actorType: string;
  actorId: string | null;
  action: string;
  target: Record<string, unknown>;
  data: unknown;
  status: number;
  ip: string | null;
  at: Date;
}

/** Appends an admin action to the audit log (secrets redacted); returns the entry's id. */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<string> {
  const data = redactSecrets(entry.data ?? {});
  const [row] = await db
    .insert(auditLog)
    .values({
      workspaceId: entry.workspaceId,
      actorType: entry.actorType,
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target,
      data: (data && typeof data === 'object' && !Array.isArray(data) ? data : { value: data }) as Record<
        string,
        unknown
      >,
      status: entry.status,
      ip: entry.ip,
      createdAt: entry.at,
    })
    .returning({ id: auditLog.id });
  return row!.id;
}

/**
 * Runs an admin change and its audit entry in one transaction: `run` makes the change, then `entryAfter` gives the
 * entry (null when the change failed and leaves none), inserted before the commit so that a change is never stored
 * without its entry.
 */
export function inAuditedTransaction<T>(
  ctx: Ctx,
  run: (ctx: Ctx) => Promise<T>,
  entryAfter: () => AuditEntry | null,
): Promise<T> {
  return inTransaction(ctx, async (ctx) => {
    const out = await run(ctx);
    const entry = entryAfter();
    if (entry) await recordAudit(ctx.db, entry);
    return out;
  });
}

/** Writes an admin action's entry before its work runs (work that must not hold a transaction open); returns its id.
 */
export function openAuditEntry(ctx: Ctx, entry: AuditEntry): Promise<string> {
  return recordAudit(ctx.db, entry);
}

/** Records the final status of an entry written by `openAuditEntry`. */
export async function settleAuditEntry(ctx: Ctx, id: string, status: number): Promise<void> {
  await ctx.db
    .update(auditLog)
    .set({ status })
    .where(and(eq(auditLog.workspaceId, ctx.workspaceId), eq(auditLog.id, id)));
}

/** Events the assistant causes that count as AI actions (answers, drafts, hand-offs, routing decisions). */
export const AI_ACTION_EVENTS = [
  'ticket.resolved',
  'ticket.handed_off',
  'ticket.routed',
  'assignee.changed',
  'team.changed',
  'message.created',
  'ticket.intent_changed',
  'ticket.priority_changed',
] as const;
/** Events that are admin/system actions whoever caused them (threshold tuning, model updates). */
export const SYSTEM_ACTION_EVENTS = ['settings.changed', 'model.updated', 'model.update_rejected'] as const;

export const AuditQuerySchema = z
  .object({
    kind: z.enum(['admin', 'ai', 'all']).default('all'),
    actorType: z.string().max(40).optional(),
    actorId: z.string().max(100).optional(),
    action: z
      .string()
      .max(200)
      .optional()
      .describe('prefix of the action, e.g. "PATCH /settings" or "ticket.handed_off"'),
    ticketId: z.uuid().optional(),
    since: z.coerce.date().optional(),
    before: z.coerce.date().optional().describe("only entries older than this (pagination: the last entry's `at`)"),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditEntrySchema = z.object({
  id: z.string(),
  kind: z.enum(['admin', 'ai']),
  at: z.date(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  ticketId: z.string().nullable(),
  target: z.record(z.string(), z.unknown()),
  data: z.record(z.string(), z.unknown()),
  status: z.number().nullable(),
});
export type AuditLogEntry = z.infer<typeof AuditEntrySchema>;

/**
 * The workspace's audit log, newest first: admin actions from `audit_log`, and AI and system actions
 * from the ticket events (the assistant's answers, drafts, hand-offs and routing; threshold and model changes).
 */
export async function listAuditLog(ctx: Ctx, q: AuditQuery): Promise<{ entries: AuditLogEntry[] }> {
  const out: AuditLogEntry[] = [];
  if (q.kind !== 'ai' && !q.ticketId) {
    const rows = await ctx.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.workspaceId, ctx.workspaceId),
          q.actorType ? eq(auditLog.actorType, q.actorType) : undefined,
          q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
          q.action ? sql`starts_with(${auditLog.action}, ${q.action})` : undefined,
          q.since ? gte(auditLog.createdAt, q.since) : undefined,
          q.before ? lt(auditLog.createdAt, q.before) : undefined,
        ),
      )
      .orderBy(desc(auditLog.createdAt))
      .limit(q.limit);
    for (const r of rows)
      out.push({
        id: r.id,
        kind: 'admin',
        at: r.createdAt,
        actorType: r.actorType,
        actorId: r.actorId,
        action: r.action,
        ticketId: null,
        target: r.target,
        data: r.data,
        status: r.status,
      });
  }
  if (q.kind !== 'admin') {
    const aiTypes: string[] = [...AI_ACTION_EVENTS];
    const rows = await ctx.db
      .select()
      .from(events)
      .where(
        and(
          eq(events.workspaceId, ctx.workspaceId),
          q.kind === 'ai'
            ? sql`(${events.actorType} = 'assistant' and ${inArray(events.type, aiTypes)})`
            : sql`((${events.actorType} = 'assistant' and ${inArray(events.type, aiTypes)}) or
                ${inArray(events.type, [...SYSTEM_ACTION_EVENTS])})`,
          q.actorType ? eq(events.actorType, q.actorType as never) : undefined,
          q.actorId ? eq(events.actorId, q.actorId) : undefined,
          q.action ? sql`starts_with(${events.type}, ${q.action})` : undefined,
          q.ticketId ? eq(events.ticketId, q.ticketId) : undefined,
          q.since ? gte(events.createdAt, q.since) : undefined,
          q.before ? lt(events.createdAt, q.before) : undefined,
        ),
      )
      .orderBy(desc(events.createdAt))
      .limit(q.limit);
    for (const r of rows) {
      out.push({
        id: String(r.id),
        kind: r.actorType === 'assistant' ? 'ai' : 'admin',
        at: r.createdAt,
        actorType: r.actorType,
        actorId: r.actorId,
        action: r.type,
        ticketId: r.ticketId,
        target: r.ticketId ? { ticketId: r.ticketId } : {},
        data: (r.data ?? {}) as Record<string, unknown>,
        status: null,
      });
    }
  }
  out.sort((a, b) => b.at.getTime() - a.at.getTime());
  return { entries: out.slice(0, q.limit) };
}
