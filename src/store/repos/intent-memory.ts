/** The intent memory's reads and writes: human labels since a point in time, articles' phrases, persisted vectors. */
import { and, desc, eq, gt, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../db.js';
import { articles, textVectors, tickets } from '../schema.js';
import { firstCustomerMessages } from './messages.js';

/** A person's intent label on a ticket: the text is the subject and the customer's first message. */
export interface HumanLabel {
  ticketId: string;
  text: string;
  label: string;
  updatedAt: Date;
}

/**
 * Tickets whose intent a person set (no model confidence), updated after `since` (all when null), newest first.
 * A relabel updates the ticket, so it comes back here with its new label.
 */
export async function humanLabelsSince(
  db: DbOrTx,
  workspaceId: string,
  since: Date | null,
  limit: number,
): Promise<HumanLabel[]> {
  const rows = await db
    .select({ id: tickets.id, subject: tickets.subject, intent: tickets.intent, updatedAt: tickets.updatedAt })
    .from(tickets)
    .where(
      and(
        eq(tickets.workspaceId, workspaceId),
        isNotNull(tickets.intent),
        isNull(tickets.intentConfidence),
        since ? gt(tickets.updatedAt, since) : undefined,
      ),
    )
    .orderBy(desc(tickets.updatedAt), desc(tickets.id))
    .limit(limit);
  if (!rows.length) return [];
  const first = await firstCustomerMessages(
    db,
    workspaceId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    ticketId: r.id,
    text: `${r.subject}\n${first.get(r.id) ?? ''}`.trim().slice(0, 2000),
    label: r.intent!,
    updatedAt: r.updatedAt,
  }));
}

/** Published articles written for at least one intent. */
export async function intentArticles(
  db: DbOrTx,
  workspaceId: string,
): Promise<{ id: string; title: string; body: string; intents: string[] }[]> {
  const rows = await db
    .select({ id: articles.id, title: articles.title, body: articles.body, intents: articles.intents })
    .from(articles)
    .where(and(eq(articles.workspaceId, workspaceId), eq(articles.status, 'published')));
  return rows.filter((r) => r.intents.length > 0);
}

/** Stored vectors of the given text hashes. */
export async function loadVectors(
  db: DbOrTx,
  workspaceId: string,
  encoder: string,
  hashes: string[],
): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < hashes.length; i += 1000) {
    const rows = await db
      .select({ h: textVectors.textHash, v: textVectors.vector })
      .from(textVectors)
      .where(
        and(
          eq(textVectors.workspaceId, workspaceId),
          eq(textVectors.encoder, encoder),
          inArray(textVectors.textHash, hashes.slice(i, i + 1000)),
        ),
      );
    for (const r of rows) out.set(r.h, r.v);
  }
  return out;
}

/** Keeps vectors (a hash already stored is left as it is). */
export async function saveVectors(
  db: DbOrTx,
  workspaceId: string,
  encoder: string,
  rows: { hash: string; vector: Buffer }[],
): Promise<void> {
  if (!rows.length) return;
  await db
    .insert(textVectors)
    .values(rows.map((r) => ({ workspaceId, encoder, textHash: r.hash, vector: r.vector })))
    .onConflictDoNothing();
}
