import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../store/db.js';
import { apiKeys } from '../store/schema.js';
import { tokenHash } from './passwords.js';
import type { Principal } from './principal.js';

type ApiKeyPrincipal = Extract<Principal, { kind: 'api_key' }>;

const LAST_USED_EVERY_MS = 60_000;

/** The principal of a bearer API key, or null when unknown or revoked. */
export async function authenticateApiKey(db: DbOrTx, secret: string): Promise<ApiKeyPrincipal | null> {
  return principalOfKeyHash(db, tokenHash(secret));
}

async function principalOfKeyHash(db: DbOrTx, keyHash: string): Promise<ApiKeyPrincipal | null> {
  const [row] = await db
    .select({ id: apiKeys.id, workspaceId: apiKeys.workspaceId, role: apiKeys.role })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)));
  return row ? { kind: 'api_key', workspaceId: row.workspaceId, keyId: row.id, role: row.role } : null;
}

/**
 * API keys recently found valid, so that a request need not read its key again: known keys only (an unknown
 * or revoked key is read every time), each for `ttlMs`, at most `maxEntries`. A key revoked through this
 * process (`forget`) stops working at once; one revoked through another process within `ttlMs`.
 * A `ttlMs` of 0 reads the key on every request.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, { principal: ApiKeyPrincipal; until: number }>();
  /** When this process last recorded each key's use. */
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async authenticate(db: DbOrTx, secret: string): Promise<ApiKeyPrincipal | null> {
    const keyHash = tokenHash(secret);
    const hit = this.entries.get(keyHash);
    if (hit && hit.until > this.clock()) return this.used(db, hit.principal);
    this.entries.delete(keyHash);
    const principal = await principalOfKeyHash(db, keyHash);
    if (principal && this.ttlMs > 0) {
      this.entries.set(keyHash, { principal, until: this.clock() + this.ttlMs });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return principal ? this.used(db, principal) : null;
  }

  /**
   * Records the key's `lastUsedAt`, at most once a minute per key and process (and, across processes, only
   * when the stored time is a minute old), so a busy key costs one small write a minute.
   */
  private async used(db: DbOrTx, principal: ApiKeyPrincipal): Promise<ApiKeyPrincipal> {
    const now = this.clock();
    const last = this.recorded.get(principal.keyId);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return principal;
    this.recorded.set(principal.keyId, now);
    if (this.recorded.size > this.maxEntries) this.recorded.delete(this.recorded.keys().next().value!);
    const at = new Date(now);
    await db
      .update(apiKeys)
      .set({ lastUsedAt: at })
      .where(
        and(
          eq(apiKeys.id, principal.keyId),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - LAST_USED_EVERY_MS))),
        ),
      );
    return principal;
  }

  /** Forgets a key (it was revoked): its next request reads it again. */
  forget(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.keyId === keyId) this.entries.delete(hash);
  }
}
