import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, DbOrTx } from '../store/db.js';
import { agents, events, playbooks, teamMembers, teams, tickets } from '../store/schema.js';
import { getWorkspace } from '../people/get-workspace.js';
import type { RouterRule, RoutingAgent, RoutingTeam } from './router.js';
import { listRules } from './rules.js';
import { routingOf, type RoutingSettings } from './settings.js';
import { cachedConfig } from '../store/config-cache.js';

/** Ticket statuses that count towards an agent's load. */
export const LOAD_STATUSES = ['new', 'open', 'pending'] as const;

/** Everything about a workspace the router needs besides the ticket. */
export interface RoutingSnapshot {
  rules: RouterRule[];
  teams: RoutingTeam[];
  agents: RoutingAgent[];
  settings: RoutingSettings;
  /** Skills per intent from the workspace's playbooks (those that name any). */
  playbookSkills: Record<string, string[]>;
}

/** The narrow port the route stage reads through. */
export interface RoutingPort {
  /** The workspace's rules, teams, agents (with loads and last assignment) and settings. */
  snapshot(workspaceId: string): Promise<RoutingSnapshot>;
  /** The agent who owns the account, if any. */
  accountOwner(workspaceId: string, account: { attributes: Record<string, unknown> } | null): Promise<string | null>;
}

/** Loads rules, teams with members, agents with their loads and last assignment time, and the routing settings. */
export async function loadRoutingSnapshot(db: DbOrTx, workspaceId: string): Promise<RoutingSnapshot> {
  const [rules, { teamRows, members }, agentRows, workspace, playbookSkills] = await Promise.all([
    listRules(db, workspaceId),
    cachedConfig(db, workspaceId, 'teams', async () => {
      const teamRows = await db.select().from(teams).where(eq(teams.workspaceId, workspaceId));
      const members = teamRows.length
        ? await db
            .select()
            .from(teamMembers)
            .where(
              inArray(
                teamMembers.teamId,
                teamRows.map((t) => t.id),
              ),
            )
        : [];
      return { teamRows, members };
    }),
    // One statement: each agent with their load (tickets counting towards capacity, through the assignee
    // index) and their latest assignment, found walking the (workspace, type, id) index of events backwards
    // from the newest: the cost follows how long ago an agent was last assigned, not every assignment ever made.
    db
      .select({
        agent: agents,
        load: sql<number>`(select count(*)::int from ${tickets} t where t.workspace_id = ${workspaceId} and
            t.assignee_id = "agents"."id" and t.status in (${sql.join(
              LOAD_STATUSES.map((s) => sql`${s}`),
              sql`, `,
            )}))`,
        lastAssignedAt: sql<
          Date | string | null
        >`(select e.created_at from ${events} e where e.workspace_id = ${workspaceId} and e.type = 'assignee.changed'
          and e.data->>'to' = "agents"."id"::text order by e.id desc limit 1)`,
      })
      .from(agents)
      .where(eq(agents.workspaceId, workspaceId)),
    getWorkspace(db, workspaceId),
    cachedConfig(db, workspaceId, 'playbook-skills', async () => {
      const rows = await db
        .select({ intent: playbooks.intent, skills: playbooks.skills })
        .from(playbooks)
        .where(and(eq(playbooks.workspaceId, workspaceId), sql`cardinality(${playbooks.skills}) > 0`));
      return Object.fromEntries(rows.map((r) => [r.intent, r.skills]));
    }),
  ]);
  return {
    rules,
    teams: teamRows.map((t) => ({
      id: t.id,
      name: t.name,
      skills: t.skills,
      memberIds: members.filter((m) => m.teamId === t.id).map((m) => m.agentId),
    })),
    agents: agentRows.map(({ agent: a, load, lastAssignedAt }) => ({
      id: a.id,
      name: a.name,
      skills: a.skills,
      languages: a.languages,
      status: a.status,
      workingHours: a.workingHours ?? null,
      capacity: a.capacity,
      load: Number(load ?? 0),
      lastAssignedAt: lastAssignedAt ? new Date(lastAssignedAt) : null,
    })),
    settings: routingOf(workspace.settings),
    playbookSkills,
  };
}

/** The agent who owns an account: `attributes.ownerAgentId`, else the agent whose email is `attributes.ownerEmail`. */
export async function accountOwnerOf(
  db: DbOrTx,
  workspaceId: string,
  attributes: Record<string, unknown> | null | undefined,
): Promise<string | null> {
  const id = attributes?.ownerAgentId;
  const email = attributes?.ownerEmail;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (typeof id === 'string' && uuid.test(id)) {
    const [row] = await db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.id, id)));
    if (row) return row.id;
  }
  if (typeof email === 'string' && email) {
    const [row] = await db
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.workspaceId, workspaceId), eq(agents.email, email.trim().toLowerCase())));
    if (row) return row.id;
  }
  return null;
}

/** The routing port over the database. */
export function dbRoutingPort(database: Pick<Database, 'db'>): RoutingPort {
  return {
    snapshot: (workspaceId) => loadRoutingSnapshot(database.db, workspaceId),
    accountOwner: (workspaceId, account) => accountOwnerOf(database.db, workspaceId, account?.attributes),
  };
}
