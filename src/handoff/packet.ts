import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { analyseSentiment } from '../nlp/sentiment.js';
import { AccountSchema, CustomerSchema, PageContextSchema, Timestamp } from '../domain/schemas.js';
import { getAccount } from '../people/get-account.js';
import type { Ctx } from '../store/ctx.js';
import { getTicket, getTicketDetail } from '../tickets/get-ticket.js';
import { getCustomer } from '../people/get-customer.js';
import { messages, tickets } from '../store/schema.js';
import { createRedactor } from '../resolution/redact.js';
import type { LlmProvider } from '../resolution/llm.js';
import { customerFacts, factLines } from '../resolution/facts.js';
import { contentWords } from '../resolution/text.js';
import { alreadyTried, briefLines, briefOf, HandoffBriefSchema, oneLine, sentencesOf } from './summary.js';
import { describeSentiment, explainCheck, explainReason } from '../domain/explain.js';
import { intentName } from '../nlp/taxonomy.js';
import { composeAnswer } from '../resolution/compose.js';
import type { PassageInput } from '../resolution/schemas.js';
import {
  BillingFactsSchema,
  CrmFactsSchema,
  EnrichedAccountSchema,
  EnrichmentSchema,
  UsageSummarySchema,
} from '../domain/stage-results.js';
import { latestResult, stageDecisions } from '../store/repos/decisions.js';
import { PacketFieldSchema, PacketSnapshotSchema, trySnapshotOf, type PacketSnapshot } from './snapshot.js';
import { handoffSnapshots, ticketRepeat } from './repeat.js';
import { HandoffVerdictSchema } from './verdict.js';
import { ticketHandoffVerdicts } from '../store/repos/handoffs.js';

/** Everything a human needs to take a ticket over without asking the customer to repeat themselves. */
export const HandoffPacketSchema = z.object({
  ticketId: z.uuid(),
  /** The brief as lines: the ask, what was tried, the facts, the tone, the suggested next step. */
  summary: z.array(z.string()),
  /** `extractive` (every field taken from the conversation and the facts) or `llm` (the ask line written by a
   * configured model, checked against the conversation). */
  summarySource: z.enum(['extractive', 'llm']),
  brief: HandoffBriefSchema,
  alreadyTried: z.array(z.string()),
  aiSaid: z.array(z.object({ text: z.string(), visibility: z.string(), at: Timestamp })),
  whyHandedOff: z.object({
    /** The code (a guardrail, `human_requested`, `ai_error`, `reopened`, `compose_…`); `text` says it plainly. */
    reason: z.string().nullable(),
    failed: z.array(z.string()),
    detail: z.string().nullable(),
    text: z.string(),
    /** Every guardrail that failed, code and sentence. */
    failedChecks: z.array(z.object({ check: z.string(), text: z.string() })),
  }),
  intent: z.object({
    intent: z.string().nullable(),
    confidence: z.number().nullable(),
    alternatives: z.array(z.object({ intent: z.string(), probability: z.number() })),
  }),
  sentiment: z.object({
    trend: z.array(z.object({ at: Timestamp, compound: z.number(), label: z.string() })),
    direction: z.enum(['improving', 'worsening', 'steady', 'unknown']),
    cues: z.array(z.string()),
    /** How the customer sounds, in words ("Frustrated ("third time"). Tone neutral."). */
    summary: z.string(),
  }),
  customer: CustomerSchema.nullable(),
  account: AccountSchema.nullable(),
  page: PageContextSchema.nullable(),
  /** What enrichment found for the latest run: the account as enriched, billing, CRM and usage, and what was missing.
   */
  context: z.object({
    account: EnrichedAccountSchema.nullable(),
    billing: BillingFactsSchema.nullable(),
    crm: CrmFactsSchema.nullable(),
    usage: UsageSummarySchema.nullable(),
    previousTickets: EnrichmentSchema.shape.history,
    missing: z.array(z.string()),
  }),
  recentTickets: z.array(
    z.object({
      id: z.uuid(),
      subject: z.string(),
      status: z.string(),
      intent: z.string().nullable(),
      createdAt: Timestamp,
    }),
  ),
  similarResolved: z.array(
    z.object({
      id: z.uuid(),
      subject: z.string(),
      intent: z.string().nullable(),
      resolution: z.string().nullable(),
      rank: z.number(),
    }),
  ),
  /**
   * A reply to start from: the assistant's own (`assistant`: composed or drafted by the pipeline), else one
   * drafted here from the best passages retrieved (`passages`); null when no article says anything relevant.
   */
  suggestedReply: z
    .object({
      text: z.string(),
      sources: z.array(z.object({ articleId: z.string(), title: z.string() })),
      source: z.enum(['assistant', 'passages']),
    })
    .nullable(),
  relevantArticles: z.array(z.object({ articleId: z.string(), title: z.string(), score: z.number() })),
  /** What the packet showed when the ticket was last handed off (null for a handoff older than snapshots). */
  atHandoff: PacketSnapshotSchema.nullable(),
  /** The verdicts people gave on this packet, one per person, oldest first. */
  verdicts: z.array(HandoffVerdictSchema),
  /** Questions people asked the customer after the handoff whose answer the packet already showed, and why. */
  askedAgain: z.array(z.object({ question: z.string(), fields: z.array(PacketFieldSchema), reason: z.string() })),
});
export type HandoffPacket = z.infer<typeof HandoffPacketSchema>;

/** Least share of a model-written ask line's content words the conversation must contain for the line to be used. */
export const MIN_LLM_ASK_SUPPORT = 0.7;

/** Words a brief uses about the customer rather than from them. */
const BRIEF_WORDS = new Set(
  contentWords('customer user client asks asking wants wanting needs requests requesting help know'),
);

/**
 * The ask in one line, written by the configured LLM: the conversation goes out with personal data redacted,
 * and the line comes back with it restored. The line is kept only when the conversation contains most of its
 * content words (grounded); otherwise, and on any failure, null (the extractive line stands).
 */
async function llmAskLine(llm: LlmProvider, texts: string[], customerName: string | null): Promise<string | null> {
  const redactor = createRedactor({ names: [customerName] });
  const conversation = texts.map((t, i) => `Message ${i + 1}: ${redactor.redact(t)}`).join('\n\n');
  const completion = await llm.draft({
    messages: [
      {
        role: 'system',
        content:
          'You brief a support agent taking over a ticket. In one sentence, state what the customer is asking ' +
          'for, using only words and facts from the messages. No greeting, no advice.',
      },
      { role: 'user', content: conversation },
    ],
    maxTokens: 80,
    temperature: 0,
  });
  if (!completion.ok || !completion.content.trim()) return null;
  const restored = redactor.restore(completion.content.trim());
  if (restored.unknown.length) return null;
  const line = sentencesOf(restored.text)[0];
  if (!line) return null;
  const said = new Set(texts.flatMap((t) => contentWords(t)));
  const words = contentWords(line).filter((w) => !BRIEF_WORDS.has(w));
  if (words.length === 0 || words.filter((w) => said.has(w)).length / words.length < MIN_LLM_ASK_SUPPORT) return null;
  return oneLine(line);
}

/** A suggested reply composed from the retrieved passages (no LLM), or null when they say nothing relevant. */
function replyFromPassages(
  question: string,
  passages: PassageInput[],
  customer: { name: string | null } | null,
): HandoffPacket['suggestedReply'] {
  const usable = passages.filter((p) => typeof p.text === 'string' && p.text.trim());
  if (!usable.length) return null;
  const reply = composeAnswer({
    playbook: { kind: 'answer', template: null, action: null },
    question,
    passages: usable,
    customer: customer ? { name: customer.name } : null,
  });
  return reply.sources.length && reply.coverage > 0
    ? { text: reply.text, sources: reply.sources, source: 'passages' }
    : null;
}

/** Builds the handoff packet of a ticket from its conversation, decision record and history. */
export async function buildHandoffPacket(
  ctx: Ctx,
  ticketId: string,
  opts: { llm?: LlmProvider | null } = {},
): Promise<HandoffPacket> {
  const detail = await getTicketDetail(ctx, ticketId);
  const fromCustomer = detail.messages.filter((m) => m.authorType === 'customer' && m.visibility === 'public');
  const texts = fromCustomer.map((m) => m.text);
  const understand = latestResult(detail.decisions, 'understand');
  const decide = latestResult(detail.decisions, 'decide');
  const retrieve = latestResult(detail.decisions, 'retrieve');
  const resolved = latestResult(detail.decisions, 'resolve');
  const resolve = resolved && 'composed' in resolved && resolved.composed ? resolved : undefined;
  const enrich = latestResult(detail.decisions, 'enrich');
  const enriched = EnrichmentSchema.safeParse(enrich);
  const enrichment = enriched.success ? enriched.data : null;
  const handoff = [...detail.timeline]
    .reverse()
    .find((e) => e.type === 'ticket.handed_off' || e.type === 'ticket.reopened');
  const reopened = handoff?.type === 'ticket.reopened';
  const lastHandoff = [...detail.timeline].reverse().find((e) => e.type === 'ticket.handed_off');
  const atHandoff = PacketSnapshotSchema.safeParse(lastHandoff?.data.packet);
  const checks = (decide?.checks ?? []).filter((c) => !c.passed);
  const intentId = detail.intent ?? understand?.intent?.intent ?? null;
  const reason = reopened ? 'reopened' : ((handoff?.data.reason as string | undefined) ?? null);

  const trend = fromCustomer.map((m) => {
    const s = analyseSentiment(m.text);
    return { at: m.createdAt, compound: s.compound, label: s.label };
  });
  const direction =
    trend.length < 2
      ? 'unknown'
      : trend.at(-1)!.compound - trend[0]!.compound > 0.2
        ? 'improving'
        : trend.at(-1)!.compound - trend[0]!.compound < -0.2
          ? 'worsening'
          : 'steady';
  const rawCues = fromCustomer.flatMap((m) => analyseSentiment(m.text).cues);
  const cues = [...new Set(rawCues.map((c) => `${c.kind}: ${c.cue}`))];

  const account = detail.customer?.accountId
    ? await getAccount(ctx, detail.customer.accountId).catch(() => null)
    : null;
  const recentTickets = detail.customerId
    ? await ctx.db
        .select({
          id: tickets.id,
          subject: tickets.subject,
          status: tickets.status,
          intent: tickets.intent,
          createdAt: tickets.createdAt,
        })
        .from(tickets)
        .where(
          and(
            eq(tickets.workspaceId, ctx.workspaceId),
            eq(tickets.customerId, detail.customerId),
            ne(tickets.id, ticketId),
          ),
        )
        .orderBy(desc(tickets.createdAt))
        .limit(5)
    : [];

  const suggested = resolve?.reply
    ? { text: String(resolve.reply), sources: resolve.sources ?? [], source: 'assistant' as const }
    : replyFromPassages([detail.subject, ...texts].join('\n'), retrieve?.passages ?? [], detail.customer);
  const similar = await similarResolved(ctx, ticketId, [detail.subject, ...texts].join(' '));
  const extractive = briefOf({
    messages: texts,
    facts: factLines(customerFacts(enrichment, account)),
    trend,
    direction,
    cues,
    similar,
    intent: intentId,
  });
  const fromLlm =
    opts.llm && texts.length
      ? await llmAskLine(opts.llm, texts, detail.customer?.name ?? null).catch(() => null)
      : null;
  const brief = fromLlm ? { ...extractive, ask: fromLlm } : extractive;
  return {
    ticketId,
    summary: briefLines(brief),
    summarySource: fromLlm ? 'llm' : 'extractive',
    brief,
    alreadyTried: alreadyTried(texts),
    aiSaid: detail.messages
      .filter((m) => m.authorType === 'assistant')
      .map((m) => ({ text: m.text, visibility: m.visibility, at: m.createdAt })),
    whyHandedOff: {
      reason,
      failed: decide?.failed ?? [],
      detail: reopened ? null : ((handoff?.data.detail as string | undefined) ?? null),
      text: explainReason(reason, {
        checks,
        detail: handoff?.data.detail as string | undefined,
        intent: intentId,
        intentLabel: intentName,
      }),
      failedChecks: checks.map((c) => ({ check: c.check, text: explainCheck(c, intentName, intentId) })),
    },
    intent: {
      intent: intentId,
      confidence: detail.intentConfidence ?? understand?.intent?.confidence ?? null,
      alternatives: (understand?.intent?.alternatives ?? []).slice(0, 3),
    },
    sentiment: {
      trend,
      direction,
      cues,
      summary: describeSentiment({ compound: trend.at(-1)?.compound ?? null, cues: rawCues, direction }),
    },
    customer: detail.customer,
    account,
    page: (enrichment?.page as HandoffPacket['page'] | null | undefined) ?? detail.pageContext,
    context: {
      account: enrichment?.account ?? null,
      billing: enrichment?.billing ?? null,
      crm: enrichment?.crm ?? null,
      usage: enrichment?.usage ?? null,
      previousTickets: enrichment?.history ?? [],
      missing: enrichment?.missing ?? (enrich ? [] : ['enrichment']),
    },
    recentTickets,
    similarResolved: similar,
    suggestedReply: suggested,
    relevantArticles: (retrieve?.passages ?? []).map(({ articleId, title, score }) => ({ articleId, title, score })),
    atHandoff: atHandoff.success ? atHandoff.data : null,
    verdicts: await ticketHandoffVerdicts(ctx, ticketId),
    askedAgain: ticketRepeat(
      handoffSnapshots(detail.timeline),
      detail.messages
        .filter((m) => m.authorType === 'agent' && m.visibility === 'public')
        .map((m) => ({ at: m.createdAt, text: m.text })),
    ).repeated,
  };
}

/**
 * What the ticket's handoff packet shows now, as the snapshot a `ticket.handed_off` event keeps (for a handoff
 * made outside the pipeline, which builds it from the run's own input).
 */
export async function snapshotTicket(ctx: Ctx, ticketId: string): Promise<PacketSnapshot | null> {
  // One query at a time: this runs inside the caller's transaction.
  const ticket = await getTicket(ctx, ticketId);
  const customer = ticket.customerId ? await getCustomer(ctx, ticket.customerId).catch(() => null) : null;
  const account = customer?.accountId ? await getAccount(ctx, customer.accountId).catch(() => null) : null;
  const said = await ctx.db
    .select({ text: messages.bodyText })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, ctx.workspaceId),
        eq(messages.ticketId, ticketId),
        eq(messages.authorType, 'customer'),
        eq(messages.visibility, 'public'),
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id));
  const where = { workspaceId: ctx.workspaceId, ticketIds: [ticketId] };
  const [enrich] = await stageDecisions(ctx.db, 'enrich', where);
  const [understand] = await stageDecisions(ctx.db, 'understand', where);
  const enriched = EnrichmentSchema.safeParse(enrich?.result);
  return trySnapshotOf({
    messages: said.map((m) => m.text),
    enrichment: enriched.success ? enriched.data : null,
    account,
    customer,
    page: ticket.pageContext,
    intent: ticket.intent ?? understand?.result.intent?.intent ?? null,
  });
}

/** Resolved or closed tickets that read like this one (full-text), each with how it was answered. */
async function similarResolved(ctx: Ctx, ticketId: string, text: string) {
  const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])].slice(0, 40);
  if (words.length === 0) return [];
  const query = sql`to_tsquery('english', ${words.map((w) => w.replace(/'/g, '')).join(' | ')})`;
  const rank = sql<number>`ts_rank_cd(${tickets.search}, ${query})`;
  const rows = await ctx.db
    .select({ id: tickets.id, subject: tickets.subject, intent: tickets.intent, rank })
    .from(tickets)
    .where(
      and(
        eq(tickets.workspaceId, ctx.workspaceId),
        ne(tickets.id, ticketId),
        inArray(tickets.status, ['resolved', 'closed']),
        sql`${tickets.search} @@ ${query}`,
      ),
    )
    .orderBy(desc(rank))
    .limit(5);
  if (rows.length === 0) return [];
  const replies = await ctx.db
    .select({ ticketId: messages.ticketId, text: messages.bodyText, createdAt: messages.createdAt })
    .from(messages)
    .where(
      and(
        inArray(
          messages.ticketId,
          rows.map((r) => r.id),
        ),
        inArray(messages.authorType, ['agent', 'assistant']),
        eq(messages.visibility, 'public'),
      ),
    )
    .orderBy(desc(messages.createdAt));
  return rows.map((r) => ({
    ...r,
    rank: Number(r.rank),
    resolution: replies.find((m) => m.ticketId === r.id)?.text.slice(0, 500) ?? null,
  }));
}
