import type { IntentReading } from '../domain/stage-results.js';
import type { Account, Customer, Message, Ticket } from '../domain/schemas.js';
import type { Priority } from '../domain/enums.js';
import type { AutonomySettings } from '../domain/settings.js';
import type { IntentPrediction } from '../nlp/intent/index.js';
import type { MemoryRecord } from '../nlp/intent/memory.js';
import type { RoutingPort } from '../routing/port.js';
import type { RoutingDecision } from '../routing/schemas.js';
import type { decisions } from '../store/schema.js';
import type { EnrichmentSource } from './ports/enrichment.js';
import type {
  CrmFacts,
  Enrichment,
  PlaybookView,
  ReplyVerification,
  RetrievedPassage,
  StageName,
  StageResults,
} from '../domain/stage-results.js';

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
  history: Pick<Ticket, 'id' | 'subject' | 'status' | 'intent' | 'createdAt' | 'reopenCount' | 'tags'>[];
  /** The workspace's autonomy settings in force. */
  settings: AutonomySettings;
  now: Date;
  /** What the enrich stage found (set by the runner once it has run); `account` is then already overlaid with it. */
  enrichment?: Enrichment | undefined;
}

/** What the answer judgement needs from understanding and the policy: the intent's confidence and threshold. */
export interface AnswerJudgeInput {
  intentConfidence: number;
  threshold: number;
  /** The customer's and their company's names (not words of the question). */
  names?: (string | null | undefined)[] | undefined;
  /** Passages of other intents' articles that retrieval ranked with the answers (set aside for the intent). */
  rivals?: RetrievedPassage[] | undefined;
  /** The closest meaning of a rival passage to the ask (set by compose once measured). */
  rivalSemantic?: number | undefined;
}

/** A composed reply, or why none could be made (the ticket then goes to a human). */
export type ComposedReply =
  | {
      ok: true;
      text: string;
      html?: string | null | undefined;
      sources: { articleId: string; title: string }[];
      via: 'extractive' | 'llm';
      grounding: number;
      action?: Record<string, unknown> | undefined;
      verification?: ReplyVerification | undefined;
    }
  | { ok: false; reason: string; detail: string; verification?: ReplyVerification | undefined };

/** The narrow ports stages may use. */
export interface PipelinePorts {
  /**
   * The workspace's intent model, or null when it has none. With `threshold` (the autonomy threshold of an intent),
   * a prediction out of scope or under it is read again with the workspace's memory of labelled examples (`memory`).
   */
  predictIntent(
    workspaceId: string,
    text: string,
    opts?: { threshold?: ((intent: string | null) => number) | undefined },
  ): Promise<{
    prediction: IntentPrediction;
    modelVersion: string;
    scopeAdjusted?: string | null | undefined;
    memory?: MemoryRecord | null | undefined;
    /** How the classifier read the ask (by its words, or with its sentence vector too) and why. */
    reading?: IntentReading | undefined;
  } | null>;
  /** Knowledge-base passages for a question (best first), respecting the customer's tier. */
  retrieve(
    workspaceId: string,
    query: string,
    opts: { intent: string | null; tier: string | null; k: number },
  ): Promise<RetrievedPassage[]>;
  /** The playbook of an intent, or null. */
  playbook(workspaceId: string, intent: string): Promise<PlaybookView | null>;
  /**
   * Composes the reply of a playbook (running its action when it has one), grounded in the passages and
   * judged to answer the ask (`judge`: the intent's confidence and the threshold the judgement must reach).
   */
  compose(
    input: PipelineInput,
    playbook: PlaybookView,
    passages: RetrievedPassage[],
    judge: AnswerJudgeInput,
  ): Promise<ComposedReply>;
  /** Routing rules, teams, agents with their loads, settings and the account owner. */
  routing: RoutingPort;
  /** The workspace's enrichment sources (billing, CRM, usage), each with its timeout; none when absent. */
  enrichmentSources?: ((workspaceId: string) => Promise<EnrichmentSource[]>) | undefined;
}

/** What a stage asks the runner to do to the ticket once every stage has run. */
export type TicketAction =
  | { type: 'set_intent'; intent: string; confidence: number }
  | { type: 'set_priority'; priority: Priority }
  | { type: 'add_tags'; tags: string[] }
  | { type: 'hand_off'; reason: string; detail: string }
  /** Post a public reply as the assistant and mark the ticket resolved pending the customer's reaction. */
  | {
      type: 'auto_resolve';
      text: string;
      html?: string | null | undefined;
      sources: { articleId: string; title: string }[];
    }
  /** Keep a draft for a human to approve (shadow mode), and hand the ticket to a human. */
  | { type: 'draft'; text: string; sources: { articleId: string; title: string }[] }
  /** Give the ticket to a team and, with auto-assignment, an agent, with the explanation. */
  | { type: 'assign'; teamId: string | null; agentId: string | null; explanation: RoutingDecision }
  /** Keep what the CRM said about the customer's company on the account (created and linked when missing). */
  | { type: 'sync_account'; accountId: string | null; customerId: string | null; crm: CrmFacts };

/** A stage's output: an explainable result for the decision record, and actions. */
export interface StageOutcome<R extends object = Record<string, unknown>> {
  result: R;
  modelVersion?: string | undefined;
  actions?: TicketAction[] | undefined;
}

/**
 * The outcomes of the stages that ran before, by stage: each standard stage's typed result, and any other
 * stage's (a workspace's own, a test's probe) under its name.
 */
export type EarlierResults = Readonly<StageOutcomes>;

/** The outcomes of a run's stages by stage, as the runner collects them (a standard stage's result typed by it). */
export type StageOutcomes = { [N in StageName]?: StageOutcome<StageResults[N]> } & {
  [name: string]: StageOutcome | undefined;
};

/** The result type of a stage by its name: the standard stages' from stage-results.ts, any other's a plain record. */
export type ResultOf<N extends string> = N extends StageName ? StageResults[N] : Record<string, unknown>;

/**
 * One step of the ticket pipeline: a plain function of the input, earlier results and ports, e.g.
 * `Stage<'decide'>` returns a `DecideResult`. A stage declares what it asks of the runner besides its result.
 */
export interface Stage<N extends string = string, R extends object = ResultOf<N>> {
  name: N;
  run(input: PipelineInput, earlier: EarlierResults, ports: PipelinePorts): Promise<StageOutcome<R>>;
  /** The input the later stages see once this stage has run (e.g. the account as enrichment found it). */
  overlay?(input: PipelineInput, result: R): PipelineInput;
  /** Reads what earlier tickets of the batch change (the agents' loads): tickets run this stage one at a time. */
  exclusive?: boolean | undefined;
  /** Acts outside the desk (replies, runs playbook actions): a dry run (replay) leaves it out. */
  external?: boolean | undefined;
}

/** One pipeline job: the ticket, why it runs, and the run's id (a retried job keeps it). */
export interface PipelineJobRef {
  workspaceId: string;
  ticketId: string;
  trigger: PipelineTrigger;
  runId: string;
}

/** A run whose stages ran, before its decision record and actions are written. */
export interface DecidedRun {
  job: PipelineJobRef;
  input: PipelineInput;
  outcomes: StageOutcomes;
  records: (typeof decisions.$inferInsert)[];
  failedStage: string | null;
  actions: TicketAction[];
}
