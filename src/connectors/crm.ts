/**
 * Other CRMs: a signed webhook and a JSON / CSV import that upsert accounts and customers, through the same
 * row-by-row import as `deskmind import` (accounts by externalId, customers by externalId or email; a row
 * updates only the fields it gives).
 *
 * The webhook is signed like Deskmind's own outbound calls: `X-Deskmind-Signature: t=<unix seconds>,v1=<hex>`
 * with HMAC-SHA256 over `"<t>.<raw body>"`, keyed with the workspace's CRM webhook secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deskmind } from '../app.js';
import { DeskmindError } from '../domain/errors.js';
import { importText, ImportSummarySchema, type ImportFormat, type ImportSummary } from '../ingest/import.js';
import { webhookReceipts } from '../store/schema.js';
import { defineConnector, type ConnectorSection } from './connector.js';

export const CRM_TOLERANCE_SECONDS = 300;

export const CrmWebhookBodySchema = z
  .object({
    /** The delivery's id; the body's hash when absent. */
    id: z.string().trim().min(1).max(200).optional(),
    accounts: z.array(z.record(z.string(), z.unknown())).max(1000).default([]),
    customers: z.array(z.record(z.string(), z.unknown())).max(1000).default([]),
  })
  .strict();

export const CrmWebhookResultSchema = z.object({ accounts: ImportSummarySchema, customers: ImportSummarySchema });

/** Signs a CRM webhook body (for senders and tests). */
export function signCrmWebhook(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a CRM webhook signature; returns the signature's timestamp. */
export function verifyCrmSignature(secret: string, raw: Buffer, header: string | undefined, now: Date): Date {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=') as [string, string]));
  const t = Number(parts.t);
  const given = parts.v1 ?? '';
  if (!header || !Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(given))
    throw new DeskmindError(
      'webhook_signature_invalid',
      'Send "X-Deskmind-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>"',
    );
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex')))
    throw new DeskmindError('webhook_signature_invalid', 'The signature does not match the body');
  if (Math.abs(now.getTime() / 1000 - t) > CRM_TOLERANCE_SECONDS)
    throw new DeskmindError('webhook_signature_invalid', `The signature is more than ${CRM_TOLERANCE_SECONDS} s old`);
  return new Date(t * 1000);
}

const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join('\n');

/** Verifies and applies a CRM webhook delivery: accounts first, then customers (who may name them). */
export async function receiveCrmWebhook(
  desk: Pick<Deskmind, 'database' | 'now'>,
  workspaceId: string,
  section: ConnectorSection<z.ZodObject, 'webhookSecret'>,
  raw: Buffer,
  signature: string | undefined,
) {
  const secret = section.secrets.webhookSecret;
  if (!secret)
    throw new DeskmindError('integration_not_configured', 'The CRM webhook is not configured for this workspace');
  const signedAt = verifyCrmSignature(secret, raw, signature, desk.now());
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new DeskmindError('invalid_json');
  }
  const body = CrmWebhookBodySchema.safeParse(parsed);
  if (!body.success) {
    const issues = body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new DeskmindError('validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  }
  const eventId = body.data.id ?? createHash('sha256').update(raw).digest('hex');
  const inserted = await desk.database.db
    .insert(webhookReceipts)
    .values({ workspaceId, source: 'crm', eventId, type: 'crm.upsert', signedAt, receivedAt: desk.now() })
    .onConflictDoNothing()
    .returning({ eventId: webhookReceipts.eventId });
  if (!inserted.length) {
    const [seen] = await desk.database.db
      .select()
      .from(webhookReceipts)
      .where(
        and(
          eq(webhookReceipts.workspaceId, workspaceId),
          eq(webhookReceipts.source, 'crm'),
          eq(webhookReceipts.eventId, eventId),
        ),
      );
    if (!seen || seen.signedAt.getTime() === signedAt.getTime())
      throw new DeskmindError('webhook_replayed', `Delivery ${eventId} was already processed`);
  }
  return importRecords(desk, workspaceId, body.data);
}

/** Upserts accounts then customers given as JSON objects. */
export async function importRecords(
  desk: Pick<Deskmind, 'database' | 'now'>,
  workspaceId: string,
  records: { accounts: Record<string, unknown>[]; customers: Record<string, unknown>[] },
) {
  const actor = { type: 'integration' as const, id: null };
  const empty = (kind: 'accounts' | 'customers'): ImportSummary => ({
    kind,
    total: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    rejected: 0,
    rejections: [],
  });
  const accounts = records.accounts.length
    ? await importText(desk, workspaceId, jsonl(records.accounts), { kind: 'accounts', format: 'jsonl', actor })
    : empty('accounts');
  const customers = records.customers.length
    ? await importText(desk, workspaceId, jsonl(records.customers), { kind: 'customers', format: 'jsonl', actor })
    : empty('customers');
  return { accounts, customers };
}

/** Imports a CSV, JSONL or JSON-array document of accounts or customers. */
export async function importCrmDocument(
  desk: Pick<Deskmind, 'database' | 'now'>,
  workspaceId: string,
  kind: 'accounts' | 'customers',
  body: string | unknown[],
  format: ImportFormat | 'json',
): Promise<ImportSummary> {
  if (format === 'json') {
    if (!Array.isArray(body)) throw new DeskmindError('validation_failed', 'Send a JSON array of objects');
    return importText(desk, workspaceId, jsonl(body as Record<string, unknown>[]), {
      kind,
      format: 'jsonl',
      actor: { type: 'integration', id: null },
    });
  }
  return importText(desk, workspaceId, String(body), { kind, format, actor: { type: 'integration', id: null } });
}

/** Other CRMs: the signed webhook `POST /integrations/crm/webhook/:workspaceId` (the import route is separate). */
export const crmConnector = defineConnector({
  id: 'crm',
  title: 'Other CRMs (signed webhook, import)',
  secrets: ['webhookSecret'],
  webhook: {
    summary:
      'Upserts accounts and customers from another CRM; signed with X-Deskmind-Signature: ' +
      't=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>")',
    signatureHeader: 'x-deskmind-signature',
    response: CrmWebhookResultSchema,
    receive: (desk, { workspaceId, section, raw, signature }) =>
      receiveCrmWebhook(desk, workspaceId, section, raw, signature),
  },
});
