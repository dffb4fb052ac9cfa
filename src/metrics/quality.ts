import {
  AI_OUTCOMES,
  byPerson,
  classifyOutcome,
  loadTicketFacts,
  outcomeOf,
  SUCCESSFUL_OUTCOMES,
  type AiOutcome,
  type TicketFacts,
} from '../learning/outcomes.js';
import { getLearningSettings } from '../learning/thresholds.js';
import type { Ctx } from '../store/ctx.js';
import type { QualityQuery, QualityReport, QualityRow } from './schemas.js';
import { median, quantile, rangeOf, ratio, weekOf } from './stats.js';

const minutes = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 60_000;

/** What the quality metrics need to know about one ticket (pure, from its facts). */
export interface TicketQuality {
  ai: AiOutcome | null;
  resolved: boolean;
  firstContact: boolean;
  reopened: boolean;
  escalated: boolean;
  /** Its first routing reached a named team. */
  routed: boolean;
  routedCorrectly: boolean;
  /** Its first routing found no team. */
  unassigned: boolean;
  firstResponseMinutes: number | null;
  /** Minutes from its first handoff to the first public reply by a person after it; null if none yet. */
  handoffReplyMinutes: number | null;
  resolutionMinutes: number | null;
  csat: number | null;
}

/**
 * Minutes from the ticket's first handoff to the first public reply a person (an agent, not the assistant)
 * wrote after it, or null when it was never handed off or no person has replied since.
 *
 * @example handoffReplyMinutes(timeline) // 42
 */
export function handoffReplyMinutes(tl: TicketFacts['timeline']): number | null {
  const handoff = tl.find((e) => e.type === 'ticket.handed_off');
  if (!handoff) return null;
  const reply = tl.find(
    (e) =>
      e.type === 'message.created' &&
      e.data.authorType === 'agent' &&
      e.data.visibility === 'public' &&
      e.createdAt >= handoff.createdAt,
  );
  return reply ? minutes(handoff.createdAt, reply.createdAt) : null;
}

/** Reads one ticket's quality facts from its timeline. */
export function ticketQuality(f: TicketFacts, opts: { now: Date; windowHours: number }): TicketQuality {
  const tl = f.timeline;
  const firstResolved = tl.find((e) => e.type === 'ticket.resolved');
  const reopened = tl.some((e) => e.type === 'ticket.reopened');
  const askedForHuman = tl.some((e) => outcomeOf(e) === 'asked_for_human');
  const repliesBeforeResolution = tl.filter(
    (e) =>
      e.type === 'message.created' &&
      e.data.visibility === 'public' &&
      (e.data.authorType === 'agent' || e.data.authorType === 'assistant') &&
      (!firstResolved || e.createdAt <= firstResolved.createdAt),
  ).length;
  const firstRoutedAt = tl.findIndex((e) => e.type === 'ticket.routed');
  const noTeam = firstRoutedAt >= 0 && !tl[firstRoutedAt]!.data.teamId;
  // only a routing that reached a named team can be right or wrong; one that found no team is counted apart
  const firstRouted = noTeam ? -1 : firstRoutedAt;
  // A transfer: after routing, a person moved the ticket to another team, or took it from its assignee.
  const transferred =
    firstRouted >= 0 &&
    tl
      .slice(firstRouted + 1)
      .some(
        (e) => byPerson(e) && (e.type === 'team.changed' || (e.type === 'assignee.changed' && e.data.from != null)),
      );
  const csat = tl.filter((e) => outcomeOf(e) === 'csat' && typeof e.data.rating === 'number').at(-1);
  return {
    ai: classifyOutcome(tl, opts)?.outcome ?? null,
    resolved: !!firstResolved,
    firstContact: !!firstResolved && !reopened && !askedForHuman && repliesBeforeResolution === 1,
    reopened,
    escalated: tl.some((e) => e.type === 'ticket.handed_off'),
    routed: firstRouted >= 0,
    routedCorrectly: firstRouted >= 0 && !transferred,
    unassigned: noTeam,
    firstResponseMinutes: f.firstResponseAt ? minutes(f.createdAt, f.firstResponseAt) : null,
    handoffReplyMinutes: handoffReplyMinutes(tl),
    resolutionMinutes: firstResolved ? minutes(f.createdAt, firstResolved.createdAt) : null,
    csat: csat ? (csat.data.rating as number) : null,
  };
}

/** Aggregates tickets' quality into one row (pure). */
export function qualityRow(key: string | null, rows: TicketQuality[]): QualityRow {
  const count = (p: (q: TicketQuality) => boolean) => rows.filter(p).length;
  const aiOutcomes = Object.fromEntries(AI_OUTCOMES.map((o) => [o, count((q) => q.ai === o)])) as Record<
    AiOutcome,
    number
  >;
  const tickets = rows.length;
  const aiAnswered = count((q) => q.ai !== null);
  const aiResolved = count((q) => q.ai !== null && SUCCESSFUL_OUTCOMES.includes(q.ai));
  const resolved = count((q) => q.resolved);
  const firstContactResolved = count((q) => q.firstContact);
  const reopened = count((q) => q.reopened);
  const escalated = count((q) => q.escalated);
  const routed = count((q) => q.routed);
  const routedCorrectly = count((q) => q.routedCorrectly);
  const unassigned = count((q) => q.unassigned);
  const handoffReplies = rows.flatMap((q) => (q.handoffReplyMinutes === null ? [] : [q.handoffReplyMinutes]));
  const ratings = rows.flatMap((q) => (q.csat === null ? [] : [q.csat]));
  return {
    key,
    tickets,
    aiAnswered,
    deflectionRate: ratio(aiAnswered, tickets),
    aiResolved,
    resolutionRate: ratio(aiResolved, tickets),
    aiOutcomes,
    resolved,
    firstContactResolved,
    firstContactResolutionRate: ratio(firstContactResolved, resolved),
    reopened,
    reopenRate: ratio(reopened, resolved),
    escalated,
    escalationRate: ratio(escalated, tickets),
    routed,
    routedCorrectly,
    routingAccuracy: ratio(routedCorrectly, routed),
    unassigned,
    unassignedRate: ratio(unassigned, routed + unassigned),
    medianFirstResponseMinutes: median(
      rows.flatMap((q) => (q.firstResponseMinutes === null ? [] : [q.firstResponseMinutes])),
    ),
    handoffsReplied: handoffReplies.length,
    medianHandoffReplyMinutes: median(handoffReplies),
    p90HandoffReplyMinutes: quantile(handoffReplies, 0.9),
    medianResolutionMinutes: median(rows.flatMap((q) => (q.resolutionMinutes === null ? [] : [q.resolutionMinutes]))),
    csat: {
      average: ratings.length ? ratings.reduce((a, b) => a + b, 0) / ratings.length : null,
      count: ratings.length,
    },
  };
}

const groupKey = (f: TicketFacts, by: NonNullable<QualityQuery['groupBy']>): string =>
  by === 'intent' ? (f.intent ?? 'unknown') : by === 'tier' ? (f.tier ?? 'none') : weekOf(f.createdAt);

/**
 * Support quality of the workspace's tickets created in the period, in total and per intent, tier or
 * week: resolution (answers that held, over all tickets) apart from deflection (answered at all), first
 * contact resolution, reopens, escalations, routing accuracy, response and resolution times, CSAT.
 *
 * @example (await qualityMetrics(ctx, { groupBy: 'intent' })).total.resolutionRate
 */
export async function qualityMetrics(ctx: Ctx, query: QualityQuery): Promise<QualityReport> {
  const now = ctx.now();
  const range = rangeOf(query, now);
  const { windowHours } = await getLearningSettings(ctx);
  const facts = await loadTicketFacts(ctx, range);
  const rows = facts.map((f) => ({ f, q: ticketQuality(f, { now, windowHours }) }));
  const groups = new Map<string, TicketQuality[]>();
  if (query.groupBy) {
    for (const { f, q } of rows) {
      const k = groupKey(f, query.groupBy);
      groups.set(k, [...(groups.get(k) ?? []), q]);
    }
  }
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    groupBy: query.groupBy ?? null,
    windowHours,
    total: qualityRow(
      null,
      rows.map((r) => r.q),
    ),
    groups: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, qs]) => qualityRow(k, qs)),
  };
}
