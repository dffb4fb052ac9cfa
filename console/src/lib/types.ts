/** Wire types of the API, derived from the server's own schemas (z.input: timestamps are ISO strings). */
import type { z } from 'zod';
import type {
  AgentSchema,
  TeamSchema,
  TicketDetailSchema,
  TicketSchema,
  MessageSchema,
  ApiKeySchema,
} from '../../../src/domain/schemas.js';
import type { AutonomySettingsSchema } from '../../../src/domain/settings.js';
import type { ComplianceSchema, QueueItemSchema } from '../../../src/sla/schemas.js';
import type { SlaSettingsSchema } from '../../../src/sla/settings.js';
import type { TaxonomyIntentSchema } from '../../../src/nlp/taxonomy.js';
import type { ProposalSchema } from '../../../src/learning/thresholds.js';
import type { AccountHealthSchema } from '../../../src/insights/health.js';
import type { AnomalySchema } from '../../../src/insights/anomalies.js';
import type { BugReportSchema } from '../../../src/insights/bug-reports.js';
import type { TopicsReportSchema } from '../../../src/insights/topics.js';
import type { TrendsReportSchema } from '../../../src/insights/trends.js';
import type { HandoffPacketSchema } from '../../../src/handoff/packet.js';
import type { ArticleSchema } from '../../../src/knowledge/schemas.js';
import type { PlaybookInputSchema, PlaybookSchema } from '../../../src/resolution/schemas.js';
import type { RoutingRuleInputSchema, RoutingRuleSchema } from '../../../src/routing/schemas.js';
import type { QualityReportSchema, LearningReportSchema } from '../../../src/metrics/schemas.js';
import type { WidgetSettingsSchema } from '../../../src/ingest/widget-session.js';

export type Ticket = z.input<typeof TicketSchema>;
export type QueueItem = z.input<typeof QueueItemSchema>;
export type TicketDetail = z.input<typeof TicketDetailSchema>;
export type Message = z.input<typeof MessageSchema>;
export type Agent = z.input<typeof AgentSchema>;
export type Team = z.input<typeof TeamSchema>;
export type ApiKey = z.input<typeof ApiKeySchema>;
export type HandoffPacket = z.input<typeof HandoffPacketSchema>;
export type Autonomy = z.input<typeof AutonomySettingsSchema>;
export type Article = z.input<typeof ArticleSchema>;
export type Playbook = z.input<typeof PlaybookSchema>;
export type PlaybookInput = z.input<typeof PlaybookInputSchema>;
export type RoutingRule = z.input<typeof RoutingRuleSchema>;
export type RoutingRuleInput = z.input<typeof RoutingRuleInputSchema>;
export type RoutingConditions = NonNullable<RoutingRuleInput['conditions']>;
export type QualityReport = z.input<typeof QualityReportSchema>;
export type LearningReport = z.input<typeof LearningReportSchema>;
export type WidgetSettings = z.input<typeof WidgetSettingsSchema>;
export type Compliance = z.input<typeof ComplianceSchema>;
/** As `GET /sla/policies` answers: every field filled in. */
export type SlaSettings = z.output<typeof SlaSettingsSchema>;
export type SlaPolicy = SlaSettings['policies'][number];
/** An intent as `GET /taxonomy` lists it. */
export type TaxonomyIntent = Pick<
  z.input<typeof TaxonomyIntentSchema>,
  'id' | 'label' | 'description' | 'team' | 'automatable'
>;
/** `GET /learning/thresholds` (its response schema is local to the route; the proposals' is shared). */
export interface Thresholds {
  defaultThreshold: number;
  current: Record<string, number>;
  proposals: z.input<typeof ProposalSchema>[];
}
export type Topics = z.input<typeof TopicsReportSchema>;
export type Trends = z.input<typeof TrendsReportSchema>;
export type Anomaly = z.input<typeof AnomalySchema>;
export type Health = z.input<typeof AccountHealthSchema>;
export type BugReport = z.input<typeof BugReportSchema>;
export interface Me {
  workspaceId: string;
  role: string;
  kind: string;
  agent: Agent | null;
}
export interface Macro {
  id: string;
  name: string;
  body: string;
}
