/**
 * What the handoff packet showed when the ticket was handed off, kept on the `ticket.handed_off` event
 * (`data.packet`): the facts only (tier and plan, billing, errors, page, account, what the customer tried, the
 * ask and the facts' summary lines), each list and string bounded. The live packet changes as the ticket does;
 * the snapshot is what the agent had at the moment they took over, so "did the packet have it?" can be asked
 * later, of that moment. Pure.
 */
import { z } from 'zod';
import type { Enrichment } from '../domain/stage-results.js';
import { findAsk } from '../nlp/ask.js';
import { customerFacts, factLines } from '../resolution/facts.js';
import { alreadyTried, askLine, oneLine } from './summary.js';
import { PACKET_FIELDS, type PacketField } from './fields.js';

export const PacketFieldSchema = z.enum(PACKET_FIELDS);

/** Most entries a snapshot keeps of each list, and most characters of each entry. */
export const SNAPSHOT_LIMITS = { list: 5, facts: 8, chars: 300 } as const;

const short = z.string().max(SNAPSHOT_LIMITS.chars);
const list = (max: number) => z.array(short).max(max);

/** The packet at handoff time. */
export const PacketSnapshotSchema = z.object({
  /** What the customer asks, in one line. */
  ask: short,
  /** What they said they already tried, in their words. */
  tried: list(SNAPSHOT_LIMITS.list),
  /** The facts' lines as the packet's summary showed them (billing, account, page, errors). */
  facts: list(SNAPSHOT_LIMITS.facts),
  intent: short.nullable(),
  tier: short.nullable(),
  plan: short.nullable(),
  billingState: short.nullable(),
  /** The invoice of a failed payment. */
  invoiceId: short.nullable(),
  errors: list(SNAPSHOT_LIMITS.list),
  page: z
    .object({ url: short.nullable(), route: short.nullable(), featureId: short.nullable(), title: short.nullable() })
    .nullable(),
  email: short.nullable(),
  accountName: short.nullable(),
  /** Order, invoice or case numbers the customer gave. */
  references: list(SNAPSHOT_LIMITS.list),
  previousTickets: z.number().int(),
  /** The fields the packet held a fact for: a question about one of them asks the customer to repeat it. */
  holds: z.array(PacketFieldSchema),
});
export type PacketSnapshot = z.infer<typeof PacketSnapshotSchema>;

const cut = (s: string | null | undefined): string | null => (s?.trim() ? oneLine(s, SNAPSHOT_LIMITS.chars) : null);
const cutAll = (xs: (string | null | undefined)[], max: number): string[] =>
  [...new Set(xs.flatMap((x) => cut(x) ?? []))].slice(0, max);

/** The ticket's page: enrichment's (the latest message's or the ticket's), else the one the ticket came with. */
type PageLike = Record<string, unknown> | null | undefined;
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * The snapshot of a handoff packet, from what the packet is built of: the customer's public messages (oldest
 * first), enrichment's result, the stored account and customer, the ticket's page and its intent.
 * @example snapshotOf({ messages: ['I was charged twice, I already checked my bank.'], enrichment: null,
 * account: { tier: 'pro' }, customer: { email: 'a@b.c' } }).holds // ['ask', 'plan', 'account', 'steps_tried']
 */
export function snapshotOf(input: {
  messages: string[];
  enrichment: Enrichment | null | undefined;
  account?: {
    name?: string | null;
    plan?: string | null;
    tier?: string | null;
    billingState?: string | null;
    seats?: number | null;
  } | null;
  customer?: { email?: string | null } | null;
  page?: PageLike;
  intent?: string | null;
}): PacketSnapshot {
  const facts = customerFacts(input.enrichment, input.account);
  const page = input.enrichment?.page ?? input.page ?? null;
  const pageFacts = facts.page ?? {
    url: str(page?.url),
    route: str(page?.route),
    featureId: str(page?.featureId),
    title: str(page?.title),
  };
  const texts = input.messages.filter((m) => m.trim());
  const pageErrors = Array.isArray(page?.recentErrors) ? page.recentErrors.filter((e) => typeof e === 'string') : [];
  const snapshot: Omit<PacketSnapshot, 'holds'> = {
    ask: texts.length ? oneLine(askLine(texts), SNAPSHOT_LIMITS.chars) : '',
    tried: cutAll(alreadyTried(texts.map((m) => findAsk(m).fresh || m)), SNAPSHOT_LIMITS.list),
    facts: cutAll(factLines(facts, { links: false }), SNAPSHOT_LIMITS.facts),
    intent: cut(input.intent),
    tier: cut(facts.tier),
    plan: cut(facts.plan),
    billingState: cut(facts.billingState),
    invoiceId: cut(facts.failedPayment?.invoiceId),
    errors: cutAll([...facts.recentErrors, ...pageErrors], SNAPSHOT_LIMITS.list),
    page: Object.values(pageFacts).some(Boolean)
      ? {
          url: cut(pageFacts.url),
          route: cut(pageFacts.route),
          featureId: cut(pageFacts.featureId),
          title: cut(pageFacts.title),
        }
      : null,
    email: cut(input.customer?.email ?? input.enrichment?.customer?.email),
    accountName: cut(input.account?.name ?? input.enrichment?.account?.name),
    references: cutAll(findAsk(texts).references.orderNumbers, SNAPSHOT_LIMITS.list),
    previousTickets: input.enrichment?.previousTickets ?? 0,
  };
  return { ...snapshot, holds: heldFields(snapshot) };
}

/**
 * `snapshotOf`, or null should it fail on some unforeseen input: a handoff never fails for want of its
 * snapshot (the metrics count a handoff without one as not checked).
 */
export function trySnapshotOf(input: Parameters<typeof snapshotOf>[0]): PacketSnapshot | null {
  try {
    return snapshotOf(input);
  } catch {
    return null;
  }
}

/** The fields a snapshot holds a fact for. */
export function heldFields(s: Omit<PacketSnapshot, 'holds'>): PacketField[] {
  const held: Record<PacketField, boolean> = {
    ask: !!s.ask,
    plan: !!(s.tier || s.plan),
    billing: !!((s.billingState && s.billingState !== 'none') || s.invoiceId),
    errors: s.errors.length > 0,
    page: !!s.page,
    account: !!(s.email || s.accountName),
    steps_tried: s.tried.length > 0,
    history: s.previousTickets > 0,
    intent: !!s.intent,
    other: false,
  };
  return PACKET_FIELDS.filter((f) => held[f]);
}
