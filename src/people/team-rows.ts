import { inArray } from 'drizzle-orm';
import type { Team } from '../domain/schemas.js';
import type { DbOrTx } from '../store/db.js';
import { teamMembers, type teams } from '../store/schema.js';

// ── teams ───────────────────────────────────────────────────────────────────
export async function membersOf(db: DbOrTx, teamIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (teamIds.length === 0) return map;
  const rows = await db.select().from(teamMembers).where(inArray(teamMembers.teamId, teamIds));
  for (const r of rows) map.set(r.teamId, [...(map.get(r.teamId) ?? []), r.agentId]);
  return map;
}

export const toTeam = (row: typeof teams.$inferSelect, memberIds: string[]): Team => ({
  id: row.id,
  name: row.name,
  description: row.description,
  skills: row.skills,
  memberIds,
  createdAt: row.createdAt,
});
