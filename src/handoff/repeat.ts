/**
 * "Had to repeat information": after a handoff, did an agent ask the customer for something the handoff packet
 * already held? Deterministic and explainable:
 *
 * 1. The agent's public reply, without a quoted thread or signature (`findAsk(...).fresh`), is split into
 *    sentences; a sentence asks when it ends with "?" or requests something of the customer ("please send…",
 *    "could you confirm…", "let me know…", "I need your…").
 * 2. An asking sentence asks for a field when it names it (plan or tier; billing or an invoice; an error;
 *    the page or screen; the account or email) with a cue that it wants the information ("what", "which",
 *    "send", "confirm", "are you on"… — not "do you still get the error?"), or asks about the steps already
 *    tried ("have you tried…", "what have you tried"). A specific step ("have you tried clearing the
 *    cache?") counts only when the customer's own account of what they tried shares a content word with it
 *    (else it is a new suggestion, not a repeat).
 * 3. The question repeats when the packet snapshot taken at the handoff before it held that field.
 *
 * Pure: the callers give the timeline (or the snapshots) and the replies.
 */
import { findAsk } from '../nlp/ask.js';
import { contentWords } from '../resolution/text.js';
import { PACKET_FIELD_LABELS, type PacketField } from './fields.js';
import { PacketSnapshotSchema, type PacketSnapshot } from './snapshot.js';
import { sentencesOf } from './summary.js';

/** Requests of the customer without a question mark. */
const REQUEST_RE = new RegExp(
  String.raw`\b(?:(?:please|pls|kindly|could you|can you|would you|would you mind|can i ask you to)\s+` +
    String.raw`(?:\w+\s+){0,2}?(?:send|share|tell|confirm|provide|attach|forward|paste|describe|give|` +
    String.raw`let (?:me|us) know)|let (?:me|us) know|` +
    String.raw`(?:i|we)(?:'d| would)? need (?:you to (?:send|share|confirm|provide|tell)|your|the)|` +
    String.raw`(?:i|we)(?:'d| would) like to know)\b`,
  'i',
);

/** The fields a question can ask about again, each with the words that name it. */
const FIELD_WORDS: Partial<Record<PacketField, RegExp>> = {
  plan: /\b(?:plan|plans|tier|subscription|edition|seats?|licen[cs]es?)\b/i,
  billing: /\b(?:invoices?|billing|billed|bill|payments?|paid|pay|charged?|charges|card|receipts?)\b/i,
  errors:
    /\b(?:errors?|exceptions?|stack ?traces?|error (?:code|message)s?|what (?:does|did) (?:it|the screen) say)\b/i,
  page: /\b(?:page|url|screen|which (?:part|section|feature)|where (?:in|on) the app)\b/i,
  account: new RegExp(
    String.raw`\b(?:e-?mail(?: address)?|account (?:id|name|number|email)|which account|user ?name|login email|` +
      String.raw`company name|workspace name|your account)\b`,
    'i',
  ),
  steps_tried: /\b(?:have you (?:already |also )?tried|did you (?:already |also )?try|tried|steps)\b/i,
};
/** Cues that a question asks for information (not "do you still get the error?", "would an upgrade help?"). */
const INFO_CUE_RE = new RegExp(
  String.raw`\b(?:what|which|exact|send|share|paste|screenshot|copy|tell|confirm|provide|give|let (?:me|us) know|` +
    String.raw`are you (?:on|using)|do you (?:use|have)|is (?:it|your)|remind|need)\b`,
  'i',
);
/** A question about the steps tried in general ("what have you tried so far?"). */
const ANY_STEPS_RE = new RegExp(
  String.raw`\b(?:what (?:have|did) you (?:already )?(?:tried|try|done|do)|what steps|tried anything|` +
    String.raw`which steps|steps (?:you|have you))\b`,
  'i',
);
/** Words of the asking itself, not of the step asked about. */
const ASKING_WORDS = new Set(contentWords('have you already also tried try did steps anything yet so far before'));

/** One question of an agent that asked the customer for something the packet already held. */
export interface RepeatedQuestion {
  question: string;
  fields: PacketField[];
  /** In plain words: what it asked about and what the packet showed. */
  reason: string;
}

/** True when an agent's sentence asks the customer something. */
export function asksCustomer(sentence: string): boolean {
  const s = sentence.trim();
  return s.endsWith('?') || REQUEST_RE.test(s);
}

/** The fields an asking sentence asks about (steps tried only when they are what the customer tried). */
export function fieldsAsked(sentence: string, tried: string[] = []): PacketField[] {
  const fields: PacketField[] = [];
  for (const [field, re] of Object.entries(FIELD_WORDS) as [PacketField, RegExp][]) {
    if (!re.test(sentence)) continue;
    if (field !== 'steps_tried' && !INFO_CUE_RE.test(sentence)) continue;
    if (field === 'steps_tried' && !ANY_STEPS_RE.test(sentence)) {
      const step = contentWords(sentence).filter((w) => !ASKING_WORDS.has(w));
      const said = new Set(tried.flatMap((t) => contentWords(t)));
      if (!step.some((w) => said.has(w))) continue;
    }
    fields.push(field);
  }
  return fields;
}

/** What the snapshot showed of a field, in a few words (for the explanation). */
function shown(s: PacketSnapshot, field: PacketField): string {
  switch (field) {
    case 'plan':
      return [s.tier && `tier ${s.tier}`, s.plan && `plan ${s.plan}`].filter(Boolean).join(', ');
    case 'billing':
      return [s.billingState && `billing ${s.billingState}`, s.invoiceId && `invoice ${s.invoiceId}`]
        .filter(Boolean)
        .join(', ');
    case 'errors':
      return `"${s.errors[0]}"`;
    case 'page':
      return s.page?.featureId ?? s.page?.route ?? s.page?.title ?? s.page?.url ?? 'the page';
    case 'account':
      return s.email ?? s.accountName ?? 'the account';
    case 'steps_tried':
      return `"${s.tried[0]}"`;
    default:
      return PACKET_FIELD_LABELS[field].toLowerCase();
  }
}

/**
 * The questions in an agent's reply that asked for what the snapshot held, each with the fields and why.
 * @example repeatedQuestions(snapshot, 'Thanks! Which plan are you on?')[0]?.fields // ['plan'] if it held a tier
 */
export function repeatedQuestions(snapshot: PacketSnapshot, reply: string): RepeatedQuestion[] {
  const held = new Set(snapshot.holds);
  const fresh = findAsk(reply).fresh || reply;
  return sentencesOf(fresh).flatMap((question) => {
    if (!asksCustomer(question)) return [];
    const fields = fieldsAsked(question, snapshot.tried).filter((f) => held.has(f));
    if (!fields.length) return [];
    const reason =
      `Asked about ${fields.map((f) => PACKET_FIELD_LABELS[f].toLowerCase()).join(' and ')}, which the packet ` +
      `already showed (${fields.map((f) => shown(snapshot, f)).join('; ')}).`;
    return [{ question, fields, reason }];
  });
}

/** The snapshots a ticket's `ticket.handed_off` events kept, oldest first (null for one kept before snapshots). */
export function handoffSnapshots(
  timeline: readonly { type: string; data: Record<string, unknown>; createdAt: Date }[],
): { at: Date; packet: PacketSnapshot | null }[] {
  return timeline
    .filter((e) => e.type === 'ticket.handed_off')
    .map((e) => {
      const packet = PacketSnapshotSchema.safeParse(e.data.packet);
      return { at: e.createdAt, packet: packet.success ? packet.data : null };
    });
}

/** What one ticket says about repeating: whether it could be checked, and the repeated questions. */
export interface TicketRepeat {
  /** A packet snapshot was kept at a handoff and a person replied publicly after it. */
  checked: boolean;
  repeated: RepeatedQuestion[];
}

/**
 * Whether a handed-off ticket's customer had to repeat information: each public reply by a person after a
 * handoff is read against the snapshot of the latest handoff before it.
 */
export function ticketRepeat(
  handoffs: { at: Date; packet: PacketSnapshot | null }[],
  replies: { at: Date; text: string }[],
): TicketRepeat {
  let checked = false;
  const repeated: RepeatedQuestion[] = [];
  for (const reply of replies) {
    const before = handoffs.filter((h) => h.at <= reply.at && h.packet).at(-1);
    if (!before?.packet) continue;
    checked = true;
    repeated.push(...repeatedQuestions(before.packet, reply.text));
  }
  return { checked, repeated };
}
