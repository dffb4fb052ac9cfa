import type { Account, Customer, Message, Ticket } from '../domain/schemas.js';
import type { Priority } from '../domain/enums.js';
import type { IntentPrediction } from '../nlp/intent/index.js';

/** Why the pipeline ran. */
export type PipelineTrigger = 'created' | 'customer_message' | 'replay';

/** Everything the runner loads for the stages; stages never reach into the database themselves. */
export interface PipelineInput {
  workspaceId: string;
  trigger: PipelineTrigger;
  ticket: Ticket;
  messages: Message[];
  customer: Customer | null;
  account: Account | null;
  /** The customer's other tickets, newest first (at most 20). */
  history: Pick<Ticket, 'id' | 'subject' | 'status' | 'intent' | 'createdAt' | 'reopenCount'>[];
  now: Date;
}

/** The narrow ports stages may use. */
export interface PipelinePorts {
  /** The workspace's intent model, or null when it has none. */
  predictIntent(workspaceId: string, text: string): Promise<{ prediction: IntentPrediction; modelVersion: string } | null>;
  /** Languages the workspace supports. */
  supportedLanguages(workspaceId: string): Promise<string[]>;
}

/** What a stage asks the runner to do to the ticket once every stage has run. */
export type TicketAction =
  | { type: 'set_intent'; intent: string; confidence: number }
  | { type: 'set_priority'; priority: Priority }
  | { type: 'add_tags'; tags: string[] }
  | { type: 'hand_off'; reason: string; detail: string };

/** A stage's output: an explainable result for the decision record, and actions. */
export interface StageOutcome {
  result: Record<string, unknown>;
  modelVersion?: string | undefined;
  actions?: TicketAction[] | undefined;
}

/** One step of the ticket pipeline: a plain function of the input, earlier results and ports. */
export interface Stage {
  name: string;
  run(input: PipelineInput, earlier: Readonly<Record<string, StageOutcome>>, ports: PipelinePorts): Promise<StageOutcome>;
}
