/**
 * What each pipeline stage contributes to a ticket's decision record: one zod schema per stage result, and the
 * decision record as a union discriminated by stage. The stages (src/pipeline/stages) return these types, later
 * stages read them from a typed record, and every module that reads stored decisions gets them typed
 * (src/store/repos/decisions.ts).
 */
import { z } from 'zod';
import { PageContextSchema } from './schemas.js';
import { AskSchema } from '../nlp/ask.js';
import { IntentPredictionSchema } from '../nlp/intent/schema.js';
import { MemoryRecordSchema } from '../nlp/intent/memory.js';
import { LanguageResultSchema } from '../nlp/language.js';
import { SentimentResultSchema } from '../nlp/sentiment.js';
import { UrgencyResultSchema } from '../nlp/urgency.js';
import { AnswerVerificationSchema } from '../resolution/verification.js';
import { RoutingDecisionSchema } from '../routing/schemas.js';

const iso = z.string();

// ── enrich ─────────────────────────────────────────────────────────────────

/** A failed payment as the billing provider reported it. */
export const PaymentFailureSchema = z.object({
  invoiceId: z.string().nullable(),
  amountDue: z.number().nullable(),
  currency: z.string().nullable(),
  attemptCount: z.number().nullable(),
  nextPaymentAttempt: iso.nullable(),
  reason: z.string().nullable(),
  invoiceUrl: z.string().nullable(),
  at: iso,
});
export type PaymentFailure = z.infer<typeof PaymentFailureSchema>;

/** Billing state of the customer's account (from signed Stripe webhooks or an on-demand look-up). */
export const BillingFactsSchema = z.object({
  provider: z.string(),
  customerId: z.string(),
  /** active | trialing | past_due | cancelled | downgraded | none */
  state: z.string(),
  /** The provider's own status (e.g. `unpaid`, `incomplete`). */
  status: z.string().nullable(),
  plan: z.string().nullable(),
  mrr: z.number().nullable(),
  currency: z.string().nullable(),
  seats: z.number().nullable(),
  renewalDate: iso.nullable(),
  trialEnd: iso.nullable(),
  cancelAt: iso.nullable(),
  cancelledAt: iso.nullable(),
  downgradedAt: iso.nullable(),
  previousPlan: z.string().nullable(),
  previousMrr: z.number().nullable(),
  paymentFailed: PaymentFailureSchema.nullable(),
  lastPaymentAt: iso.nullable(),
  lastRefund: z
    .object({ chargeId: z.string(), amount: z.number(), currency: z.string().nullable(), at: iso })
    .nullable(),
  /** `stored`: as signed webhooks (or an earlier look-up) left it; `lookup`: fetched through the API for this ticket.
   */
  via: z.enum(['stored', 'lookup']),
});
export type BillingFacts = z.infer<typeof BillingFactsSchema>;

/** The company (and contact) the CRM knows. */
export const CrmFactsSchema = z.object({
  provider: z.string(),
  companyId: z.string(),
  companyName: z.string().nullable(),
  domain: z.string().nullable(),
  contactId: z.string().nullable(),
  /** The tier read from the configured property (mapped), or null when the property is empty. */
  tier: z.string().nullable(),
  tierProperty: z.string(),
  lifecycleStage: z.string().nullable(),
  renewalDate: z.string().nullable(),
  ownerId: z.string().nullable(),
  ownerEmail: z.string().nullable(),
  ownerName: z.string().nullable(),
  /** When the CRM was asked; `cached` facts come from the account, synced within the refresh interval. */
  syncedAt: iso,
  cached: z.boolean(),
});
export type CrmFacts = z.infer<typeof CrmFactsSchema>;

/** The customer's product usage, summarised. */
export const UsageSummarySchema = z.object({
  lastSeen: iso.nullable(),
  events30d: z.number(),
  features: z.array(z.object({ name: z.string(), count: z.number(), lastUsed: iso })),
  recentErrors: z.array(z.object({ message: z.string(), at: iso, event: z.string().nullable() })),
});
export type UsageSummary = z.infer<typeof UsageSummarySchema>;

export const SOURCE_STATUSES = ['ok', 'empty', 'timed_out', 'failed'] as const;
export const SourceReportSchema = z.object({
  source: z.string(),
  status: z.enum(SOURCE_STATUSES),
  ms: z.number(),
  detail: z.string().nullable(),
});
export type SourceReport = z.infer<typeof SourceReportSchema>;

/** The account as enrichment sees it: the stored account with what CRM and billing added. */
export const EnrichedAccountSchema = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  /** Null when neither a stored account nor the CRM says (billing alone does not tell a tier). */
  tier: z.string().nullable(),
  /** Where the tier came from: the stored account or the CRM. */
  tierSource: z.enum(['account', 'crm', 'unknown']),
  plan: z.string().nullable(),
  mrr: z.number(),
  seats: z.number().nullable(),
  billingState: z.string(),
  lifecycleStage: z.string().nullable(),
  renewalDate: z.string().nullable(),
  owner: z
    .object({ agentId: z.string().nullable(), email: z.string().nullable(), name: z.string().nullable() })
    .nullable(),
});
export type EnrichedAccount = z.infer<typeof EnrichedAccountSchema>;

export const PreviousTicketSchema = z.object({
  id: z.string(),
  subject: z.string(),
  intent: z.string().nullable(),
  status: z.string(),
  /** open | resolved_by_assistant | resolved_by_agent, with `reopened` when it was. */
  outcome: z.string(),
  reopened: z.boolean(),
  createdAt: iso,
});

/** The enrich stage's result: who is asking, the page they are on, and what each source said. */
export const EnrichmentSchema = z.object({
  customer: z
    .object({
      id: z.string(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      locale: z.string().nullable(),
    })
    .nullable(),
  account: EnrichedAccountSchema.nullable(),
  billing: BillingFactsSchema.nullable(),
  crm: CrmFactsSchema.nullable(),
  usage: UsageSummarySchema.nullable(),
  /** The page context as the widget or the API gave it (kept as stored: a key it no longer sends is no error). */
  page: z.looseObject(PageContextSchema.shape).nullable(),
  /** `message`: the latest customer message's page context; `ticket`: the ticket's. */
  pageSource: z.enum(['message', 'ticket']).nullable(),
  previousTickets: z.number(),
  recentTickets7d: z.number(),
  reopenedBefore: z.number(),
  history: z.array(PreviousTicketSchema),
  sources: z.array(SourceReportSchema),
  /** What is not known for this ticket: `customer`, `account`, and every source that was empty, slow or failed. */
  missing: z.array(z.string()),
});
export type Enrichment = z.infer<typeof EnrichmentSchema>;

// ── understand ─────────────────────────────────────────────────────────────

/** What enrichment says about the customer that bears on understanding the ticket. */
export const UnderstandContextSchema = z.object({
  tier: z.string().nullable(),
  billingState: z.string().nullable(),
  mrr: z.number().nullable(),
  paymentFailed: PaymentFailureSchema.nullable(),
  recentlyDowngraded: iso.nullable(),
  featureId: z.string().nullable(),
  recentErrors: z.array(z.string()),
  missing: z.array(z.string()),
});
export type UnderstandContext = z.infer<typeof UnderstandContextSchema>;

/**
 * How the classifier read an ask: by its words alone, or by its words and its sentence vector (a model trained with
 * them, when the words alone do not reach the intent's threshold), with the encoder and the reason in plain words.
 */
export const IntentReadingSchema = z.object({
  by: z.enum(['words', 'words_and_meaning']),
  encoder: z.string().nullable(),
  /** Empty in the records written before the reading said why. */
  detail: z.string().default(''),
});
export type IntentReading = z.infer<typeof IntentReadingSchema>;

/** The understand stage's result: language, the ask, intent (after the priors), sentiment, urgency and context. */
export const UnderstandResultSchema = z.object({
  language: LanguageResultSchema,
  /** The ask as classified (`findAsk`, without the customer's fresh words) and the query it gave. */
  ask: AskSchema.omit({ fresh: true }).extend({ query: z.string() }),
  intent: IntentPredictionSchema.nullable(),
  /** Why a prior (billing, page) changed the model's intent. */
  intentAdjusted: z.string().nullable(),
  /** Why the workspace's out-of-scope confidence brought the top intent in scope. */
  scopeAdjusted: z.string().nullable(),
  /** What the workspace's memory of labelled examples changed, when it was consulted. */
  memory: MemoryRecordSchema.nullable().optional(),
  /** How the classifier read the ask: by its words, or by its words and its sentence vector. */
  reading: IntentReadingSchema.optional(),
  sentiment: SentimentResultSchema,
  urgency: UrgencyResultSchema,
  context: UnderstandContextSchema,
});
/** What the understand stage found: the one type every reader of it uses. */
export type Understood = z.infer<typeof UnderstandResultSchema>;

// ── retrieve ───────────────────────────────────────────────────────────────

/** A knowledge-base passage retrieved for a ticket. */
export const RetrievedPassageSchema = z.object({
  articleId: z.string(),
  title: z.string(),
  text: z.string(),
  score: z.number(),
  /** The article is written for the predicted intent. */
  intentMatch: z.boolean(),
  /** The chunk's heading, its lexical score relative to the best lexical match (1 = best), the article's usefulness. */
  heading: z.string().nullish(),
  lexical: z.number().optional(),
  usefulness: z.number().optional(),
  /** Semantic similarity of the ask and the passage in [0, 1], when a sentence encoder measured it. */
  semantic: z.number().optional(),
});
export type RetrievedPassage = z.infer<typeof RetrievedPassageSchema>;

/** The retrieve stage's result: the passages answered from (the intent's own articles when it has some). */
export const RetrieveResultSchema = z.union([
  z.object({ skipped: z.literal('unsupported language'), passages: z.array(RetrievedPassageSchema).length(0) }),
  z.object({
    passages: z.array(RetrievedPassageSchema),
    bestScore: z.number().nullable(),
    restrictedToIntent: z.boolean(),
    /** The best passages of other intents' articles that the restriction set aside (evidence against the intent). */
    rivals: z.array(RetrievedPassageSchema).optional(),
    candidates: z.number(),
    pageHint: z.array(z.string()).nullable(),
  }),
]);
export type RetrieveResult = z.infer<typeof RetrieveResultSchema>;

// ── decide ─────────────────────────────────────────────────────────────────

/** One guardrail's verdict, kept in the decision record. */
export const CheckSchema = z.object({
  check: z.string(),
  passed: z.boolean(),
  detail: z.string(),
  value: z.union([z.number(), z.string(), z.boolean()]).nullish(),
  threshold: z.union([z.number(), z.string()]).nullish(),
});
export type Check = z.infer<typeof CheckSchema>;

export const POLICY_DECISIONS = ['resolve', 'draft', 'hand_off'] as const;
export type PolicyDecision = (typeof POLICY_DECISIONS)[number];

/** The decision policy's verdict. */
export const PolicyResultSchema = z.object({
  decision: z.enum(POLICY_DECISIONS),
  /** The first guardrail that failed, or why the path was chosen. */
  reason: z.string(),
  /** Every guardrail that failed. */
  failed: z.array(z.string()),
  threshold: z.number(),
  checks: z.array(CheckSchema),
});
export type PolicyResult = z.infer<typeof PolicyResultSchema>;

/** The playbook of an intent, as the pipeline sees it. */
export const PlaybookViewSchema = z.object({
  intent: z.string(),
  kind: z.enum(['answer', 'action', 'handoff']),
  mode: z.enum(['auto', 'shadow', 'off']),
  threshold: z.number().nullable(),
});
export type PlaybookView = z.infer<typeof PlaybookViewSchema>;

/** The decide stage's result: the policy's verdict with the playbook in force. */
export const DecideResultSchema = PolicyResultSchema.extend({ playbook: PlaybookViewSchema.nullable() });
export type DecideResult = z.infer<typeof DecideResultSchema>;

// ── resolve ────────────────────────────────────────────────────────────────

/** The answer judgement of a reply: of the passage it answers from and, with an LLM, of the draft and the judge's
 * verdict. */
export const ReplyVerificationSchema = AnswerVerificationSchema.extend({
  articleId: z.string().nullable(),
  draft: AnswerVerificationSchema.optional(),
  llmJudge: z.object({ answers: z.boolean(), cited: z.number().nullable(), detail: z.string() }).optional(),
});
export type ReplyVerification = z.infer<typeof ReplyVerificationSchema>;

export const ReplySourceSchema = z.object({ articleId: z.string(), title: z.string() });

/** The resolve stage's result: the reply composed (sent or drafted), or why none could be. */
export const ResolveResultSchema = z.union([
  z.object({ skipped: z.literal('handed off') }),
  z.object({
    composed: z.literal(false),
    reason: z.string(),
    detail: z.string(),
    verification: ReplyVerificationSchema.nullable(),
  }),
  z.object({
    composed: z.literal(true),
    path: z.enum(['resolve', 'draft']),
    via: z.enum(['extractive', 'llm']),
    grounding: z.number(),
    verification: ReplyVerificationSchema.nullable(),
    reply: z.string(),
    sources: z.array(ReplySourceSchema),
    /** What the playbook's action did, when it has one. */
    action: z.record(z.string(), z.unknown()).nullable(),
  }),
]);
export type ResolveResult = z.infer<typeof ResolveResultSchema>;

// ── route ──────────────────────────────────────────────────────────────────

/** The route stage's result: the router's decision, or why the ticket was not routed. */
export const RouteResultSchema = z.union([
  z.object({ skipped: z.literal('not handed to a human') }),
  z.object({ skipped: z.literal('already assigned'), agentId: z.string() }),
  RoutingDecisionSchema,
]);
export type RouteResult = z.infer<typeof RouteResultSchema>;

// ── the decision record ────────────────────────────────────────────────────

/** Each stage's result schema, by stage name. */
export const STAGE_RESULTS = {
  enrich: EnrichmentSchema,
  understand: UnderstandResultSchema,
  retrieve: RetrieveResultSchema,
  decide: DecideResultSchema,
  resolve: ResolveResultSchema,
  route: RouteResultSchema,
} as const;
export type StageName = keyof typeof STAGE_RESULTS;
export type StageResults = { [N in StageName]: z.infer<(typeof STAGE_RESULTS)[N]> };

const recordOf = <N extends StageName>(stage: N) =>
  z.object({
    stage: z.literal(stage),
    ok: z.literal(true),
    result: STAGE_RESULTS[stage],
    modelVersion: z.string().nullish(),
  });

/** A stage that failed: its error, and nothing else. */
export const FailedStageRecordSchema = z.object({
  stage: z.string(),
  ok: z.literal(false),
  result: z.object({ error: z.string() }),
  modelVersion: z.string().nullish(),
});

/** One stage's entry in a ticket's decision record: its result by stage when it succeeded, its error when not. */
export const DecisionRecordSchema = z.union([
  z.discriminatedUnion('stage', [
    recordOf('enrich'),
    recordOf('understand'),
    recordOf('retrieve'),
    recordOf('decide'),
    recordOf('resolve'),
    recordOf('route'),
  ]),
  FailedStageRecordSchema,
]);
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;
/** A successful entry of one stage. */
export type StageRecord<N extends StageName> = Extract<DecisionRecord, { stage: N; ok: true }>;
