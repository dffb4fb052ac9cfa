import { z } from 'zod';
import { PRIORITIES } from '../domain/enums.js';
import { TicketSchema, Timestamp } from '../domain/schemas.js';

/** Where a ticket stands against one SLA target. */
export const SlaTargetStateSchema = z.object({
  dueAt: Timestamp.nullable(),
  /** Done (replied / resolved) by the due time. */
  met: z.boolean(),
  /** Done late, or still open past the due time. */
  breached: z.boolean(),
  /** Wall-clock minutes left until the due time (negative when overdue); null once done or without a target. */
  remainingMinutes: z.number().int().nullable(),
});
export type SlaTargetState = z.infer<typeof SlaTargetStateSchema>;

/** A ticket's SLA: the policy in force and both targets. */
export const SlaStateSchema = z.object({
  policy: z.string().nullable(),
  firstResponse: SlaTargetStateSchema,
  resolution: SlaTargetStateSchema,
  escalatedAt: Timestamp.nullable(),
  /** Since when the resolution clock is paused (the ticket waits on the customer: pending or snoozed), or null. */
  pausedSince: Timestamp.nullable(),
});
export type SlaState = z.infer<typeof SlaStateSchema>;

/** Queue views: the caller's tickets, a team's, the unassigned ones, or all. */
export const QUEUE_VIEWS = ['mine', 'team', 'unassigned', 'all'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];

/** `GET /queue` query: the view, an optional team, and how many tickets. */
export const QueueQuerySchema = z
  .object({
    view: z.enum(QUEUE_VIEWS).default('all'),
    teamId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type QueueQuery = z.infer<typeof QueueQuerySchema>;

/** A ticket in the priority queue, with its SLA. */
export const QueueItemSchema = TicketSchema.extend({
  sla: SlaStateSchema,
  /** Who is asking, for the queue's rows. */
  customer: z.object({ name: z.string().nullable(), email: z.string().nullable() }).nullable(),
  account: z.object({ name: z.string(), tier: z.string() }).nullable(),
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

/** `GET /sla/compliance` query: tickets created in [from, to). */
export const ComplianceQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/** SLA compliance of one tier and priority (or of everything, in `total`). Percentages are of the targets decided (met
 * or breached). */
export const ComplianceRowSchema = z.object({
  tier: z.string(),
  priority: z.enum(PRIORITIES),
  tickets: z.number().int(),
  firstResponseMet: z.number().int(),
  firstResponseBreached: z.number().int(),
  firstResponseMetPct: z.number().nullable(),
  resolutionMet: z.number().int(),
  resolutionBreached: z.number().int(),
  resolutionMetPct: z.number().nullable(),
  /** Tickets with at least one breached target. */
  breaches: z.number().int(),
});
export type ComplianceRow = z.infer<typeof ComplianceRowSchema>;

/** The compliance report: rows per tier and priority, and their total. */
export const ComplianceSchema = z.object({
  from: Timestamp,
  to: Timestamp,
  rows: z.array(ComplianceRowSchema),
  total: ComplianceRowSchema.omit({ tier: true, priority: true }),
});
export type Compliance = z.infer<typeof ComplianceSchema>;
