import { z } from 'zod';
import { CHANNELS, PRIORITIES } from '../domain/enums.js';
import { Timestamp, patchOf } from '../domain/schemas.js';

const word = z.string().trim().min(1).max(100);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100);

/**
 * When a rule applies. Every condition given must hold; a list condition holds when the ticket's value
 * is one of the list. An empty object matches every ticket.
 *
 * @example { intent: ['refund_request'], tier: ['enterprise'], pagePrefix: '/billing' }
 */
export const RoutingConditionsSchema = z
  .object({
    intent: list(word).optional(),
    /** The account's tier. */
    tier: list(word).optional(),
    /** The ticket's language (ISO 639-1; "pt" also matches "pt-BR"). */
    language: list(z.string().trim().min(2).max(10)).optional(),
    priority: list(z.enum(PRIORITIES)).optional(),
    /** The ticket carries this tag. */
    tag: word.optional(),
    channel: list(z.enum(CHANNELS)).optional(),
    /** The page context's featureId starts with this. */
    featureId: word.optional(),
    /** The page context's route, or the path of its URL, starts with this. */
    pagePrefix: z.string().trim().min(1).max(512).optional(),
    /** The account attribute `key` equals `equals`. */
    accountAttribute: z
      .object({ key: word, equals: z.union([z.string().max(500), z.number(), z.boolean()]) })
      .strict()
      .optional(),
  })
  .strict();
export type RoutingConditions = z.infer<typeof RoutingConditionsSchema>;

const skill = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}_:.-]+$/u, 'letters, digits, _ : . - only');

/** A routing rule as written by an admin. */
export const RoutingRuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Evaluation order, lower first; new rules go last when omitted. */
    position: z.number().int().min(0).max(1_000_000).optional(),
    enabled: z.boolean().default(true),
    conditions: RoutingConditionsSchema.default({}),
    /** Target team; null keeps the default team and only adds the rule's requirements. */
    teamId: z.uuid().nullable().default(null),
    /** Skills an agent needs to be assigned such a ticket. */
    requiredSkills: z.array(skill).max(50).default([]),
    /** Assign the account's owner first when they can take the ticket. */
    preferAccountOwner: z.boolean().default(false),
  })
  .strict();
export type RoutingRuleInput = z.infer<typeof RoutingRuleInputSchema>;
export const RoutingRulePatchSchema = patchOf(RoutingRuleInputSchema).refine(
  (p) => Object.keys(p).length > 0,
  'nothing to change',
);
export type RoutingRulePatch = z.infer<typeof RoutingRulePatchSchema>;

/** A stored routing rule. */
export const RoutingRuleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number().int(),
  enabled: z.boolean(),
  conditions: RoutingConditionsSchema,
  teamId: z.uuid().nullable(),
  requiredSkills: z.array(z.string()),
  preferAccountOwner: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

/** Why a candidate was not assigned (checked in this order; the first that applies is reported). */
export const DROP_REASONS = [
  'offline',
  'away',
  'outside_working_hours',
  'missing_skill',
  'language',
  'at_capacity',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** One agent the router considered, and why it was dropped (null: eligible). */
export const RoutingCandidateSchema = z.object({
  agentId: z.uuid(),
  name: z.string(),
  /** True for the account owner a `preferAccountOwner` rule put first. */
  owner: z.boolean(),
  dropped: z.enum(DROP_REASONS).nullable(),
  /** The drop reason in words, e.g. "outside working hours (Tue 20:15 in Europe/Berlin)". */
  detail: z.string().nullable(),
  load: z.number().int(),
  capacity: z.number().int(),
  /** Minutes since the agent's last assignment; null when never assigned. */
  idleMinutes: z.number().int().nullable(),
});
export type RoutingCandidate = z.infer<typeof RoutingCandidateSchema>;

/** Where the team came from. */
export const TEAM_SOURCES = ['rule', 'ticket', 'intent', 'alternatives', 'default', 'none'] as const;

/** The router's answer: team, agent (or none) and the full explanation. */
export const RoutingDecisionSchema = z.object({
  teamId: z.uuid().nullable(),
  agentId: z.uuid().nullable(),
  /** The rule that matched, with the conditions it matched on in words (intents by id: `intent is billing_refund`). */
  rule: z.object({ id: z.uuid(), name: z.string(), matched: z.array(z.string()) }).nullable(),
  /** rule, ticket (kept), intent (its team), alternatives (an uncertain intent whose alternatives agree), default (the
   * triage team), none. */
  teamSource: z.enum(TEAM_SOURCES),
  /** When the intent was uncertain and the team came from its alternatives or the default: why, and the intents
   * weighed. */
  uncertain: z
    .object({ reason: z.enum(['out_of_scope', 'multi_intent']), alternatives: z.array(z.string()) })
    .optional(),
  candidates: z.array(RoutingCandidateSchema),
  /** One paragraph an agent can read: intents by their taxonomy names ("Refund request"); the ids are in the fields
   * above. */
  why: z.string(),
});
export type RoutingDecision = z.infer<typeof RoutingDecisionSchema>;
