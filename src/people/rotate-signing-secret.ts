import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { notFound } from '../domain/errors.js';
import { workspaces } from '../store/schema.js';
import { appendEvent } from '../events/timeline.js';
import { inTransaction, type Ctx } from '../store/ctx.js';

/**
 * Replaces the workspace's action signing secret with a new random one and returns it; the change is
 * logged (`settings.changed`, without the secret) in the same transaction.
 */
export function rotateSigningSecret(ctx: Ctx): Promise<string> {
  return inTransaction(ctx, async (ctx) => {
    const secret = randomBytes(32).toString('hex');
    const rows = await ctx.db
      .update(workspaces)
      .set({ signingSecret: secret })
      .where(eq(workspaces.id, ctx.workspaceId))
      .returning({ id: workspaces.id });
    if (rows.length === 0) throw notFound('Workspace', ctx.workspaceId);
    await appendEvent(ctx, 'settings.changed', null, { section: 'signing_secret', rotated: true });
    return secret;
  });
}
