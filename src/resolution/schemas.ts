/**
 * Schemas of the resolution building blocks: playbooks and their actions, the context a reply is
 * written for, knowledge passages, action results and composed answers. Types are inferred from them.
 */
import { z } from 'zod';
import { AccountSchema, CustomerSchema, Timestamp } from '../domain/schemas.js';
import { CustomerFactsSchema } from './facts.js';

export const PLAYBOOK_KINDS = ['answer', 'action', 'handoff'] as const;
/** answer: reply from the knowledge base; action: call the workspace's backend; handoff: always a human. */
export const PlaybookKindSchema = z.enum(PLAYBOOK_KINDS);
export type PlaybookKind = z.infer<typeof PlaybookKindSchema>;

export const PLAYBOOK_MODES = ['auto', 'shadow', 'off'] as const;
/** auto: the assistant sends; shadow: it drafts and a human approves; off: not used. */
export const PlaybookModeSchema = z.enum(PLAYBOOK_MODES);
export type PlaybookMode = z.infer<typeof PlaybookModeSchema>;

/** An intent id as playbooks name it (`refund_request`, `how_to.export`). */
export const IntentSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, _ . : - only');

const template = z.string().trim().min(1).max(10_000);

/** An HTTP call a playbook makes to the workspace's own backend. */
export const PlaybookActionSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    method: z.literal('POST').default('POST'),
    /** JSON Schema the built input must satisfy before anything is sent. */
    inputSchema: z.record(z.string(), z.unknown()),
    /** The request body: JSON whose strings may hold placeholders, e.g. `{ "email": "{{customer.email}}" }`. */
    input: z.record(z.string(), z.unknown()).default({}),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /** The reply when the call succeeds; may use `{{action.result.<path>}}`. */
    successTemplate: template,
    /** The reply when the call fails. */
    failureTemplate: template,
  })
  .strict();
export type PlaybookAction = z.output<typeof PlaybookActionSchema>;
export type PlaybookActionInput = z.input<typeof PlaybookActionSchema>;

/** What an admin saves for an intent. */
export const PlaybookInputSchema = z
  .object({
    kind: PlaybookKindSchema,
    mode: PlaybookModeSchema.default('shadow'),
    /** answer: wraps `{{answer}}`; handoff: the acknowledgement sent to the customer (optional). */
    template: template.nullish(),
    action: PlaybookActionSchema.nullish(),
    /** Autonomy threshold for this intent; null uses the workspace default. */
    threshold: z.number().min(0).max(1).nullish(),
    /** Skills an agent should have for this intent: routing prefers agents who have them (`routing.intentSkills`
     * overrides). */
    skills: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  })
  .strict();
export type PlaybookInput = z.input<typeof PlaybookInputSchema>;
export type PlaybookInputParsed = z.output<typeof PlaybookInputSchema>;

export const PlaybookSchema = z.object({
  id: z.uuid(),
  intent: z.string(),
  kind: PlaybookKindSchema,
  mode: PlaybookModeSchema,
  template: z.string().nullable(),
  action: PlaybookActionSchema.nullable(),
  threshold: z.number().nullable(),
  skills: z.array(z.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Playbook = z.infer<typeof PlaybookSchema>;

/** The customer, account and ticket a reply or an action is made for (all fields optional). */
export const ReplyContextSchema = z.object({
  ticket: z.object({ id: z.string(), subject: z.string().nullish() }).nullish(),
  customer: CustomerSchema.pick({ id: true, name: true, email: true, externalId: true }).partial().nullish(),
  account: AccountSchema.pick({ id: true, name: true, externalId: true, plan: true, tier: true, billingState: true })
    .partial()
    .nullish(),
  /** What enrichment knows: billing, the failed invoice, trial, seats, the page and its errors. */
  facts: CustomerFactsSchema.nullish(),
});
export type ReplyContext = z.infer<typeof ReplyContextSchema>;

/** A knowledge-base passage the reply may draw on. */
export const PassageSchema = z.object({
  articleId: z.string(),
  title: z.string(),
  text: z.string(),
  score: z.number(),
});
export type Passage = z.infer<typeof PassageSchema>;

/** A passage as given: ours, or a retrieval hit (`articleTitle`, `chunkId`, `heading`). */
export const PassageInputSchema = z
  .union([
    PassageSchema.extend({ heading: z.string().nullish() }),
    z.object({
      articleId: z.string(),
      articleTitle: z.string(),
      chunkId: z.string().optional(),
      heading: z.string().nullish(),
      text: z.string(),
      score: z.number(),
    }),
  ])
  .transform(
    (p): Passage => ({
      articleId: p.articleId,
      title: 'title' in p ? p.title : p.articleTitle,
      text: p.text,
      score: p.score,
    }),
  );
export type PassageInput = z.input<typeof PassageInputSchema>;

export const ACTION_ERROR_CODES = ['invalid_input', 'timeout', 'http_error', 'network_error'] as const;
/** The result of an action: never a throw for vendor errors. */
export const ActionResultSchema = z.object({
  ok: z.boolean(),
  /** HTTP status, null when no response came. */
  status: z.number().int().nullable(),
  /** The response body (JSON) of a successful call. */
  result: z.unknown().optional(),
  error: z
    .object({
      code: z.enum(ACTION_ERROR_CODES),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    })
    .optional(),
  durationMs: z.number(),
});
export type ActionResult = z.infer<typeof ActionResultSchema>;

/** Where a sentence of a reply comes from: an article id, the playbook template, or `none` (no claim, e.g. a question
 * back). */
export const SentenceSourceSchema = z.union([z.literal('template'), z.literal('none'), z.string()]);

export const AnswerSentenceSchema = z.object({ text: z.string(), source: SentenceSourceSchema });
export type AnswerSentence = z.infer<typeof AnswerSentenceSchema>;

/** A reply ready to send or to show for approval, with its sources and how well it is grounded. */
export const ComposedAnswerSchema = z.object({
  text: z.string(),
  html: z.string().optional(),
  sources: z.array(z.object({ articleId: z.string(), title: z.string() })),
  sentences: z.array(AnswerSentenceSchema),
  /** Share of the reply's factual knowledge sentences supported by a passage (1 for action and handoff replies). */
  groundingScore: z.number().min(0).max(1),
  /** Share of the question's content words the knowledge sentences cover (0 when nothing answers it). */
  coverage: z.number().min(0).max(1),
});
export type ComposedAnswer = z.infer<typeof ComposedAnswerSchema>;
