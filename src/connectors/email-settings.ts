/** A workspace's email settings (`settings.email`): the inbound address and the sender name of replies. */
import { and, eq, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { DeskmindError } from '../domain/errors.js';
import type { Ctx } from '../store/ctx.js';
import { appendEvent } from '../events/timeline.js';
import { getWorkspace } from '../people/get-workspace.js';
import type { DbOrTx } from '../store/db.js';
import { workspaces } from '../store/schema.js';

const emailAddress = z
  .email()
  .max(320)
  .transform((s) => s.toLowerCase());

export const EmailSettingsSchema = z.object({
  /** The address customers write to; mail to it opens and continues this workspace's tickets, replies come from it. */
  inboundAddress: z.string().nullable(),
  /** The display name of outbound replies. */
  fromName: z.string().nullable(),
});
export type EmailSettings = z.infer<typeof EmailSettingsSchema>;

export const EmailSettingsPatchSchema = z
  .object({
    inboundAddress: emailAddress.nullable().optional(),
    fromName: z.string().trim().min(1).max(200).nullable().optional(),
  })
  .strict();
export type EmailSettingsPatch = z.infer<typeof EmailSettingsPatchSchema>;

/** The email settings kept in a workspace's settings (`settings.email`). */
export function emailOf(settings: Record<string, unknown>): EmailSettings {
  const e = (settings.email ?? {}) as Partial<EmailSettings>;
  return {
    inboundAddress: typeof e.inboundAddress === 'string' ? e.inboundAddress : null,
    fromName: typeof e.fromName === 'string' ? e.fromName : null,
  };
}

export async function getEmailSettings(ctx: Ctx): Promise<EmailSettings> {
  return emailOf((await getWorkspace(ctx.db, ctx.workspaceId)).settings);
}

/** Changes the email settings; an inbound address belongs to one workspace only (`conflict`). Logged. */
export async function updateEmailSettings(ctx: Ctx, patch: EmailSettingsPatch): Promise<EmailSettings> {
  const ws = await getWorkspace(ctx.db, ctx.workspaceId);
  const before = emailOf(ws.settings);
  const after: EmailSettings = { ...before, ...patch };
  if (after.inboundAddress && after.inboundAddress !== before.inboundAddress) {
    const taken = await ctx.db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(
        and(
          ne(workspaces.id, ctx.workspaceId),
          sql`lower(${workspaces.settings}->'email'->>'inboundAddress') = ${after.inboundAddress}`,
        ),
      );
    if (taken.length)
      throw new DeskmindError('conflict', 'Another workspace receives mail at this address', {
        issues: [{ path: 'inboundAddress', message: 'taken' }],
      });
  }
  await ctx.db
    .update(workspaces)
    .set({ settings: { ...ws.settings, email: after } })
    .where(eq(workspaces.id, ctx.workspaceId));
  await appendEvent(ctx, 'settings.changed', null, { section: 'email', before, after });
  return after;
}

/** The workspace receiving mail at `address`, or null. */
export async function workspaceByInboundAddress(db: DbOrTx, address: string): Promise<string | null> {
  const [row] = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(sql`lower(${workspaces.settings}->'email'->>'inboundAddress') = ${address.trim().toLowerCase()}`)
    .limit(1);
  return row?.id ?? null;
}
