/** Wire types of the API, derived from the server's own schemas (z.input: timestamps are ISO strings). */
import type { z } from 'zod';
import type { AgentSchema, TeamSchema, TicketDetailSchema, TicketSchema, MessageSchema, ApiKeySchema } from '../../src/domain/schemas.js';
import type { AutonomySettingsSchema } from '../../src/domain/settings.js';
import type { QueueItemSchema } from '../../src/sla/schemas.js';
import type { HandoffPacketSchema } from '../../src/handoff/packet.js';
import type { ArticleSchema } from '../../src/knowledge/schemas.js';
import type { PlaybookSchema } from '../../src/resolution/schemas.js';
import type { RoutingRuleSchema } from '../../src/routing/schemas.js';
import type { QualityReportSchema, LearningReportSchema } from '../../src/metrics/schemas.js';
import type { WidgetSettingsSchema } from '../../src/ingest/widget-session.js';

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
export type RoutingRule = z.input<typeof RoutingRuleSchema>;
export type QualityReport = z.input<typeof QualityReportSchema>;
export type LearningReport = z.input<typeof LearningReportSchema>;
export type WidgetSettings = z.input<typeof WidgetSettingsSchema>;
export interface Me { workspaceId: string; role: string; kind: string; agent: Agent | null }
export interface Macro { id: string; name: string; body: string }
