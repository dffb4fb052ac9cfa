import type { ApiKeyRole } from '../domain/enums.js';
import type { ApiKey } from '../domain/schemas.js';
import { apiKeys } from '../store/schema.js';
import type { Ctx } from '../store/ctx.js';
import { randomToken, tokenHash } from './passwords.js';
import { toApiKey } from './api-key-rows.js';

/** Creates an API key; the secret is returned once and stored only as a hash. */
export async function createApiKey(
  ctx: Ctx,
  input: { name: string; role: ApiKeyRole },
): Promise<{ key: ApiKey; secret: string }> {
  const secret = randomToken('dm_');
  const [row] = await ctx.db
    .insert(apiKeys)
    .values({
      workspaceId: ctx.workspaceId,
      name: input.name,
      role: input.role,
      prefix: secret.slice(0, 10),
      keyHash: tokenHash(secret),
    })
    .returning();
  return { key: toApiKey(row!), secret };
}
