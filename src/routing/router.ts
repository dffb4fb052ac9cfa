import type { AgentStatus, Channel, Priority } from '../domain/enums.js';
import type { PageContextInput, WorkingHours } from '../domain/schemas.js';
import type { IntentLabel } from '../domain/explain.js';
import { intentName, starterIntent } from '../nlp/taxonomy.js';
import type { DropReason, RoutingCandidate, RoutingConditions, RoutingDecision, RoutingRule } from './schemas.js';
import type { RoutingSettings } from './settings.js';

/** What the router knows about the ticket. */
export interface TicketFacts {
  intent: string | null;
  /** The account's tier. */
  tier: string | null;
  /** ISO 639-1 code of the customer's language. */
  language: string | null;
  priority: Priority;
  tags: string[];
  channel: Channel;
  page: PageContextInput | null;
  accountAttributes: Record<string, unknown>;
  /** The ticket's current team: kept when set (a human chose it, or the agent who had it went offline). */
  teamId: string | null;
  /** Set when the understand stage was unsure of the intent (out of scope, or several intents at once): the intents it
   * weighed. */
  uncertain?: { reason: 'out_of_scope' | 'multi_intent'; alternatives: string[] } | null;
}

/** A team as the router sees it. */
export interface RoutingTeam {
  id: string;
  name: string;
  skills: string[];
  memberIds: string[];
}

/** An agent as the router sees it, with their current load. */
export interface RoutingAgent {
  id: string;
  name: string;
  skills: string[];
  languages: string[];
  status: AgentStatus;
  workingHours: WorkingHours | null;
  capacity: number;
  /** Tickets assigned to them that are new, open or pending. */
  load: number;
  lastAssignedAt: Date | null;
}

/** The rule fields the router reads. */
export type RouterRule = Pick<
  RoutingRule,
  'id' | 'name' | 'position' | 'enabled' | 'conditions' | 'teamId' | 'requiredSkills' | 'preferAccountOwner'
>;

/** Everything `route` decides from; it reads nothing else. */
export interface RouteInput {
  ticket: TicketFacts;
  rules: RouterRule[];
  teams: RoutingTeam[];
  agents: RoutingAgent[];
  /** The account owner's agent id (from `attributes.ownerAgentId` or `attributes.ownerEmail`). */
  accountOwnerId: string | null;
  settings: RoutingSettings;
  now: Date;
  /** The intent's team hint; defaults to the starter taxonomy's hint for the intent. */
  teamHint?: string | null | undefined;
  /** Skills per intent from the workspace's playbooks. */
  playbookSkills?: Record<string, string[]>;
}

const lower = (s: string) => s.toLowerCase();
const primaryLanguage = (code: string) => lower(code).split(/[-_]/)[0]!;

function pathOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return url.startsWith('/') ? url : null;
  }
}

/**
 * The conditions of a rule the ticket meets, in words, or null when one fails. The intent is named by its id (the
 * decision's `rule.matched`, for the API), or through `intentLabel` (for people).
 */
export function matchConditions(
  c: RoutingConditions,
  t: TicketFacts,
  intentLabel: IntentLabel = (id) => id,
): string[] | null {
  const matched: string[] = [];
  const oneOf = (
    label: string,
    value: string | null,
    allowed: string[] | undefined,
    norm: (s: string) => string = lower,
    show: (s: string) => string = (s) => s,
  ): boolean => {
    if (!allowed) return true;
    if (value === null || !allowed.some((a) => norm(a) === norm(value))) return false;
    matched.push(`${label} is ${show(value)}`);
    return true;
  };
  if (!oneOf('intent', t.intent, c.intent, lower, intentLabel)) return null;
  if (!oneOf('tier', t.tier, c.tier)) return null;
  if (!oneOf('language', t.language, c.language, primaryLanguage)) return null;
  if (!oneOf('priority', t.priority, c.priority)) return null;
  if (!oneOf('channel', t.channel, c.channel)) return null;
  if (c.tag !== undefined) {
    if (!t.tags.some((x) => lower(x) === lower(c.tag!))) return null;
    matched.push(`tagged ${c.tag}`);
  }
  if (c.featureId !== undefined) {
    const feature = t.page?.featureId;
    if (!feature || !lower(feature).startsWith(lower(c.featureId))) return null;
    matched.push(`feature ${feature}`);
  }
  if (c.pagePrefix !== undefined) {
    const page = [t.page?.route, pathOf(t.page?.url), t.page?.url].find((p) => p?.startsWith(c.pagePrefix!));
    if (!page) return null;
    matched.push(`page ${page}`);
  }
  if (c.accountAttribute !== undefined) {
    const { key, equals } = c.accountAttribute;
    if (t.accountAttributes[key] !== equals) return null;
    matched.push(`account ${key} is ${String(equals)}`);
  }
  return matched;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterOf(timeZone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(timeZone)) {
    let f: Intl.DateTimeFormat | null = null;
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      f = null;
    }
    formatters.set(timeZone, f);
  }
  return formatters.get(timeZone)!;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether `now` falls in the working hours, in their time zone. A range whose end is before its start
 * runs past midnight into the next day. No working hours means always available.
 *
 * @example withinWorkingHours({ timezone: 'Europe/Berlin', days: { '1': ['09:00-17:00'] } }, now)
 *          // { ok: false, local: 'Mon 18:30 in Europe/Berlin' }
 */
export function withinWorkingHours(hours: WorkingHours | null, now: Date): { ok: boolean; local: string } {
  if (!hours) return { ok: true, local: 'no working hours set' };
  const f = formatterOf(hours.timezone);
  if (!f) return { ok: false, local: `unknown time zone ${hours.timezone}` };
  const parts = Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAYS.indexOf(parts.weekday!);
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  const ranges = (d: number) =>
    (hours.days[String(d) as keyof WorkingHours['days']] ?? []).map(
      (r) => r.split('-').map(minutesOf) as [number, number],
    );
  const today = ranges(day).some(([s, e]) => (s <= e ? minute >= s && minute < e : minute >= s));
  const fromYesterday = ranges((day + 6) % 7).some(([s, e]) => s > e && minute < e);
  return { ok: today || fromYesterday, local: `${parts.weekday} ${parts.hour}:${parts.minute} in ${hours.timezone}` };
}

/** Why an agent cannot take the ticket now, or null when they can. */
function dropOf(
  agent: RoutingAgent,
  skills: string[],
  language: string | null,
  settings: RoutingSettings,
  now: Date,
): { reason: DropReason; detail: string } | null {
  if (agent.status === 'offline') return { reason: 'offline', detail: 'offline' };
  if (agent.status === 'away') return { reason: 'away', detail: 'away' };
  if (settings.respectWorkingHours) {
    const hours = withinWorkingHours(agent.workingHours, now);
    if (!hours.ok) return { reason: 'outside_working_hours', detail: `outside working hours (${hours.local})` };
  }
  const has = new Set(agent.skills.map(lower));
  const missing = skills.filter((s) => !has.has(lower(s)));
  if (missing.length) return { reason: 'missing_skill', detail: `lacks skill ${missing.join(', ')}` };
  if (language && !agent.languages.some((l) => primaryLanguage(l) === primaryLanguage(language))) {
    return { reason: 'language', detail: `does not speak ${language}` };
  }
  if (agent.load >= agent.capacity)
    return { reason: 'at_capacity', detail: `at capacity (${agent.load}/${agent.capacity})` };
  return null;
}

const idleOf = (agent: RoutingAgent, now: Date) =>
  agent.lastAssignedAt ? Math.max(0, Math.floor((now.getTime() - agent.lastAssignedAt.getTime()) / 60_000)) : null;

/** Least load ratio first, then longest idle (never assigned counts as idlest), then name. */
function better(a: RoutingAgent, b: RoutingAgent): number {
  const ratio = a.load / a.capacity - b.load / b.capacity;
  if (ratio !== 0) return ratio;
  const idle = (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity);
  if (idle !== 0) return idle;
  return a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** The team an intent maps to: routing settings per intent or team hint, then a team named or skilled for it. */
function teamOfIntent(
  input: RouteInput,
  intent: string,
  hintOverride?: string | null,
): { team: RoutingTeam; note: string } | null {
  const name = intentName(intent);
  const hint = hintOverride !== undefined ? hintOverride : (starterIntent(intent)?.team ?? null);
  const byId = (id: string | undefined) => (id ? input.teams.find((t) => t.id === id) : undefined);
  for (const key of [intent, hint]) {
    if (!key) continue;
    const team =
      byId(input.settings.intentTeams[key]) ??
      input.teams.find((t) => lower(t.name) === lower(key)) ??
      input.teams.find((t) => t.skills.some((s) => lower(s) === lower(key)));
    if (team) return { team, note: key === intent ? `the intent ${name}` : `the team hint "${hint}" of ${name}` };
  }
  return null;
}

/**
 * The skills an agent should have for an intent, and where they come from: `routing.intentSkills`, else the
 * intent's playbook, else the starter taxonomy's team hint (a billing intent wants the skill "billing").
 */
export function intentSkillsOf(
  input: Pick<RouteInput, 'settings' | 'playbookSkills'>,
  intent: string | null,
): { skills: string[]; source: 'settings' | 'playbook' | 'taxonomy' | 'none' } {
  if (!intent) return { skills: [], source: 'none' };
  const set = input.settings.intentSkills[intent];
  if (set) return { skills: set, source: 'settings' };
  const playbook = input.playbookSkills?.[intent];
  if (playbook?.length) return { skills: playbook, source: 'playbook' };
  const hint = starterIntent(intent)?.team;
  return hint ? { skills: [hint], source: 'taxonomy' } : { skills: [], source: 'none' };
}

/**
 * The team when the ticket has none and no rule names one. A sure intent goes to its team; an uncertain one
 * (out of scope, or several intents) to the team its alternatives agree on; otherwise the default (triage) team.
 */
function fallbackTeam(
  input: RouteInput,
): { team: RoutingTeam; source: 'intent' | 'alternatives' | 'default'; note: string } | null {
  const { intent, uncertain } = input.ticket;
  const triage = input.teams.find((t) => t.id === input.settings.defaultTeamId) ?? null;
  const toTriage = (why: string) =>
    triage ? { team: triage, source: 'default' as const, note: `the default team (${why})` } : null;
  if (uncertain) {
    const what = uncertain.reason === 'out_of_scope' ? 'the intent is uncertain' : 'the ticket asks several things';
    const mapped = uncertain.alternatives.map((a) => ({ intent: a, team: teamOfIntent(input, a)?.team ?? null }));
    const teamsOf = [...new Set(mapped.map((m) => m.team?.id ?? null))];
    const words = mapped.map((m) => `${intentName(m.intent)} → ${m.team?.name ?? 'no team'}`).join(', ');
    if (mapped.length && teamsOf.length === 1 && teamsOf[0])
      return { team: mapped[0]!.team!, source: 'alternatives', note: `${what}, and its alternatives agree (${words})` };
    return toTriage(
      mapped.length ? `${what}, and its alternatives disagree: ${words}` : `${what}, with no alternatives`,
    );
  }
  if (intent) {
    const found = teamOfIntent(input, intent, input.teamHint);
    if (found) return { team: found.team, source: 'intent', note: found.note };
  }
  return toTriage(intent ? `no team is mapped to ${intentName(intent)}` : 'no intent');
}

/**
 * Routes a ticket: the first enabled rule (by position) whose conditions match; the team from the ticket,
 * that rule, the intent or the default; then, with auto-assign on, the least busy team member who is
 * online, within working hours, skilled, speaking the ticket's language and under capacity (the account
 * owner first for `preferAccountOwner` rules). Pure: the same input always gives the same decision.
 *
 * @example
 * const d = route({ ticket, rules, teams, agents, accountOwnerId: null, settings, now });
 * d.why // 'Rule "Refunds" matched (intent is Refund request) → team Billing. Assigned to Ana: …'
 * d.rule?.matched // ['intent is billing_refund']
 */
export function route(input: RouteInput): RoutingDecision {
  const { ticket, settings, now } = input;
  const why: string[] = [];
  let rule: RoutingDecision['rule'] = null;
  let ruleOf: RouterRule | null = null;
  for (const r of [...input.rules]
    .filter((x) => x.enabled)
    .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))) {
    const matched = matchConditions(r.conditions, ticket);
    if (matched) {
      rule = { id: r.id, name: r.name, matched };
      ruleOf = r;
      break;
    }
  }
  const teamById = (id: string | null) => (id ? (input.teams.find((t) => t.id === id) ?? null) : null);
  const named = ruleOf ? (matchConditions(ruleOf.conditions, ticket, intentName) ?? []) : [];
  const ruleWords = rule ? `Rule "${rule.name}" matched (${named.join('; ') || 'no conditions'})` : 'No rule matched';
  let team: RoutingTeam | null = null;
  let teamSource: RoutingDecision['teamSource'] = 'none';
  if (teamById(ticket.teamId)) {
    team = teamById(ticket.teamId);
    teamSource = 'ticket';
    why.push(`${ruleWords}; kept the ticket's team ${team!.name}.`);
  } else if (ruleOf?.teamId && teamById(ruleOf.teamId)) {
    team = teamById(ruleOf.teamId);
    teamSource = 'rule';
    why.push(`${ruleWords} → team ${team!.name}.`);
  } else {
    const fallback = fallbackTeam(input);
    if (fallback) {
      team = fallback.team;
      teamSource = fallback.source;
      why.push(`${ruleWords}; team ${team.name} from ${fallback.note}.`);
    } else why.push(`${ruleWords}; no team: no intent team fits and the workspace has no default team.`);
  }
  const decision = (agentId: string | null, candidates: RoutingCandidate[]): RoutingDecision => ({
    teamId: team?.id ?? null,
    agentId,
    rule,
    teamSource,
    ...(ticket.uncertain && (teamSource === 'alternatives' || teamSource === 'default')
      ? { uncertain: ticket.uncertain }
      : {}),
    candidates,
    why: why.join(' '),
  });
  if (!settings.autoAssign) {
    why.push('Auto-assign is off, so the ticket waits in the team queue.');
    return decision(null, []);
  }

  const skills = ruleOf?.requiredSkills ?? [];
  const wanted = intentSkillsOf(input, ticket.intent);
  const agentsById = new Map(input.agents.map((a) => [a.id, a]));
  const owner =
    ruleOf?.preferAccountOwner && input.accountOwnerId ? (agentsById.get(input.accountOwnerId) ?? null) : null;
  // a team without members (a new workspace's triage team) is open to every agent
  const open = !!team && !team.memberIds.some((id) => agentsById.has(id));
  if (open) why.push(`Team ${team!.name} has no members, so any agent may take it.`);
  const members = open ? input.agents.map((a) => a.id) : (team?.memberIds ?? []);
  const pool = [
    ...(owner ? [owner] : []),
    ...members.map((id) => agentsById.get(id)).filter((a): a is RoutingAgent => !!a && a !== owner),
  ];
  const checked = pool.map((agent) => ({ agent, drop: dropOf(agent, skills, ticket.language, settings, now) }));
  const candidates: RoutingCandidate[] = checked.map(({ agent, drop }) => ({
    agentId: agent.id,
    name: agent.name,
    owner: agent === owner,
    dropped: drop?.reason ?? null,
    detail: drop?.detail ?? null,
    load: agent.load,
    capacity: agent.capacity,
    idleMinutes: idleOf(agent, now),
  }));
  const droppedWords = checked.filter((c) => c.drop).map((c) => `${c.agent.name} ${c.drop!.detail}`);
  if (ruleOf?.preferAccountOwner && !input.accountOwnerId)
    why.push('The rule prefers the account owner, but the account has none.');
  if (owner && !checked[0]!.drop) {
    why.push(`Assigned to the account owner ${owner.name} (${owner.load}/${owner.capacity}).`);
    return decision(owner.id, candidates);
  }
  if (owner) why.push(`The account owner ${owner.name} is ${checked[0]!.drop!.detail}, so the team takes it.`);
  const eligible = checked.filter((c) => !c.drop && c.agent !== owner).map((c) => c.agent);
  if (!eligible.length) {
    why.push(
      pool.length
        ? `Nobody can take it now: ${droppedWords.join('; ')}.`
        : team
          ? 'The workspace has no agents.'
          : 'No team and no one to assign.',
    );
    return decision(null, candidates);
  }
  // agents with more of the intent's skills first, then the least busy
  const has = (a: RoutingAgent) => wanted.skills.filter((w) => a.skills.some((s) => lower(s) === lower(w)));
  const winner = eligible.sort((a, b) => has(b).length - has(a).length || better(a, b))[0]!;
  const matched = has(winner);
  const idle = idleOf(winner, now);
  const wants = ticket.intent ? `the skills ${intentName(ticket.intent)} wants` : '';
  const skillWords = wanted.skills.length
    ? matched.length
      ? `, has ${matched.join(', ')} (${wants}, from ` +
        (wanted.source === 'settings'
          ? 'the routing settings'
          : wanted.source === 'playbook'
            ? 'its playbook'
            : 'the taxonomy') +
        `)`
      : `; nobody available has ${wanted.skills.join(', ')} (${wants})`
    : '';
  why.push(
    `Assigned to ${winner.name}: lowest load (${winner.load}/${winner.capacity})` +
      `${idle === null ? ', never assigned before' : `, idle ${idle} min`}` +
      `${skills.length ? `, has ${skills.join(', ')}` : ''}${skillWords}` +
      `${ticket.language ? `, speaks ${ticket.language}` : ''}.` +
      (droppedWords.length ? ` Skipped: ${droppedWords.join('; ')}.` : ''),
  );
  return decision(winner.id, candidates);
}

/**
 * The agents after one more assignment to `agentId` at `now` (load + 1, last assigned now), for routing
 * a run of tickets one after another. A null agent changes nothing.
 */
export function recordAssignment(agents: RoutingAgent[], agentId: string | null, now: Date): RoutingAgent[] {
  if (!agentId) return agents;
  return agents.map((a) => (a.id === agentId ? { ...a, load: a.load + 1, lastAssignedAt: now } : a));
}
