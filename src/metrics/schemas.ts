import { z } from 'zod';
import { AI_OUTCOMES } from '../learning/outcomes.js';

/** The period of a metrics query: tickets created in [from, to); the last 30 days by default. */
export const MetricsRangeQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const QualityQuerySchema = MetricsRangeQuerySchema.extend({
  groupBy: z.enum(['intent', 'tier', 'week']).optional(),
}).strict();
export type QualityQuery = z.infer<typeof QualityQuerySchema>;

const rate = z.number().min(0).max(1).nullable();

/** Quality of one group of tickets (or of all of them). Rates are null when their denominator is 0. */
export const QualityRowSchema = z.object({
  /** The group (intent, tier or week start, UTC Monday); null for the total. */
  key: z.string().nullable(),
  tickets: z.number().int(),
  /** Tickets the assistant answered publicly, whatever happened next. */
  aiAnswered: z.number().int(),
  /** aiAnswered / tickets. Deflection is not resolution. */
  deflectionRate: rate,
  /** Answers that held: confirmed by the customer, or no reopen / request for a human / "wrong" verdict within the
   * window. */
  aiResolved: z.number().int(),
  /** aiResolved / tickets (ALL tickets). Answers still inside their window count as not (yet) resolved. */
  resolutionRate: rate,
  /** The assistant's answers by outcome. */
  aiOutcomes: z.record(z.enum(AI_OUTCOMES), z.number().int()),
  /** Tickets resolved at least once (by anyone). */
  resolved: z.number().int(),
  /** Resolved with one public reply, never reopened, no request for a human. */
  firstContactResolved: z.number().int(),
  /** firstContactResolved / resolved. */
  firstContactResolutionRate: rate,
  reopened: z.number().int(),
  /** reopened / resolved. */
  reopenRate: rate,
  /** Tickets handed to a human. */
  escalated: z.number().int(),
  /** escalated / tickets. */
  escalationRate: rate,
  /** Tickets whose first routing reached a named team. */
  routed: z.number().int(),
  /** Routed tickets that no person moved to another team or agent afterwards. */
  routedCorrectly: z.number().int(),
  /** routedCorrectly / routed: only tickets that reached a named team. */
  routingAccuracy: rate,
  /** Tickets whose first routing found no team. */
  unassigned: z.number().int(),
  /** unassigned / (routed + unassigned). */
  unassignedRate: rate,
  medianFirstResponseMinutes: z.number().nullable(),
  /** Handed-off tickets a person has replied to publicly since the handoff. */
  handoffsReplied: z.number().int(),
  /** Median / 90th percentile (nearest rank) of minutes from the first handoff to the first human public reply. */
  medianHandoffReplyMinutes: z.number().nullable(),
  p90HandoffReplyMinutes: z.number().nullable(),
  medianResolutionMinutes: z.number().nullable(),
  csat: z.object({ average: z.number().nullable(), count: z.number().int() }),
});
export type QualityRow = z.infer<typeof QualityRowSchema>;

export const QualityReportSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  groupBy: z.enum(['intent', 'tier', 'week']).nullable(),
  windowHours: z.number(),
  total: QualityRowSchema,
  groups: z.array(QualityRowSchema),
});
export type QualityReport = z.infer<typeof QualityReportSchema>;

/** Intent accuracy of one week against the labels people gave (confirmed or relabelled). */
export const IntentAccuracyWeekSchema = z.object({
  week: z.string(),
  labelled: z.number().int(),
  correct: z.number().int(),
  accuracy: rate,
  /** The model versions that made those predictions. */
  modelVersions: z.array(z.string()),
});

export const LearningReportSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  intentAccuracy: z.object({
    labelled: z.number().int(),
    correct: z.number().int(),
    accuracy: rate,
    weeks: z.array(IntentAccuracyWeekSchema),
  }),
  /** Every model version the workspace stored, oldest first. */
  models: z.array(
    z.object({
      kind: z.string(),
      version: z.number().int(),
      createdAt: z.iso.datetime(),
      source: z.string().nullable(),
    }),
  ),
});
export type LearningReport = z.infer<typeof LearningReportSchema>;
