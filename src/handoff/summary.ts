import { z } from 'zod';
import { findAsk, isAsking } from '../nlp/ask.js';
import { contentWords, splitSentences } from '../resolution/text.js';

const TRIED = new RegExp(
  String.raw`\b(i|we)\s+(have\s+|'ve\s+|already\s+|also\s+)*(tried|restarted|rebooted|reinstalled|cleared|` +
    String.raw`reset|updated|checked|followed|switched|disabled|enabled|logged out|re-?entered|contacted)\b|` +
    String.raw`\balready\b.*\b(tried|did|done|checked)\b|\bdid(n't| not) (help|work|fix)\b`,
  'i',
);

/** The sentences of a text (paragraphs and lines split too). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((p) => splitSentences(p.trim()))
    .map((s) => s.trim())
    .filter((s) => s.length > 2);
}

/** A question about doing something ("How do I reset my password?", "Can I restart it?"), not an account of it. */
const HOW_DO_I = /^(?:how|what|why|when|where|which|can|could|should|shall|may|do|does|would|will)\b.*\b(?:i|we)\b/i;

/** Sentences in which the customer says what they already tried (not questions about how to do it). */
export function alreadyTried(messages: string[]): string[] {
  return messages.flatMap((m) => sentencesOf(m).filter((s) => TRIED.test(s) && !(s.endsWith('?') && HOW_DO_I.test(s))));
}

/** The brief a human reads first when taking a ticket over. */
export const HandoffBriefSchema = z.object({
  /** What the customer asks, in one line. */
  ask: z.string(),
  /** What they already tried, in their words. */
  tried: z.array(z.string()),
  /** The facts that matter: billing, tier and plan, the page and its errors. */
  facts: z.array(z.string()),
  /** How the tone moved over the customer's messages ("neutral → negative (worsening)"). */
  tone: z.string(),
  /** What a similar resolved ticket's reply did, with that ticket; null when none is close. */
  nextStep: z.object({ text: z.string(), fromTicket: z.string(), subject: z.string() }).nullable(),
});
export type HandoffBrief = z.infer<typeof HandoffBriefSchema>;

/** Longest ask line, in characters. */
export const ASK_LINE_CHARS = 200;

/** A sentence cut to `max` characters at a word boundary. */
export function oneLine(text: string, max = ASK_LINE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max / 2)).trimEnd()}…`;
}

/** The ask in one line: the first question of the conversation's ask, else its first request, else its first sentence.
 */
export function askLine(messages: string[]): string {
  const ask = findAsk(messages);
  const sentences = sentencesOf(ask.text);
  const pick = sentences.find((s) => s.endsWith('?')) ?? sentences.find(isAsking) ?? sentences[0] ?? ask.text;
  return oneLine(pick);
}

const GREETING_LINE =
  /^(?:hi|hello|hey|dear|thanks|thank you|good (?:morning|afternoon|evening))\b[^.!?]{0,40}[,!.]?$/i;

/**
 * The next step a similar resolved ticket suggests: the first sentence of its reply that tells the customer
 * what to do (steps, "go to", "click", "we have …"), from the closest ticket of the same intent, else the
 * closest one. Extractive: the sentence is quoted, never rewritten.
 */
export function nextStepFrom(
  similar: { id: string; subject: string; intent: string | null; resolution: string | null }[],
  intent: string | null,
): HandoffBrief['nextStep'] {
  const ranked = [
    ...similar.filter((s) => intent && s.intent === intent),
    ...similar.filter((s) => !intent || s.intent !== intent),
  ];
  for (const s of ranked) {
    if (!s.resolution) continue;
    const sentences = sentencesOf(s.resolution).filter((x) => !GREETING_LINE.test(x) && contentWords(x).length >= 3);
    const step =
      sentences.find((x) =>
        new RegExp(
          String.raw`^(?:\d+[.)]\s*)?(?:go|open|click|select|choose|enter|use|try|update|pay|add|remove|` +
            String.raw`reset|check|contact|reply|sign|log|visit|we(?:'ve| have)?|i(?:'ve| have)?|you can)\b`,
          'i',
        ).test(x),
      ) ?? sentences[0];
    if (step) return { text: oneLine(step), fromTicket: s.id, subject: s.subject };
  }
  return null;
}

/** How the tone moved over the messages' sentiment labels. */
export function toneLine(trend: { label: string; compound: number }[], direction: string, cues: string[]): string {
  if (trend.length === 0) return 'no customer message';
  const labels = trend.length === 1 ? trend[0]!.label : `${trend[0]!.label} → ${trend.at(-1)!.label}`;
  const moved = trend.length > 1 ? ` (${direction})` : '';
  return `${labels}${moved}${cues.length ? `; cues: ${cues.slice(0, 3).join(', ')}` : ''}`;
}

/**
 * The brief of a conversation, extractive and deterministic: the ask in one line, what was tried, the facts,
 * how the tone moved and the next step a similar resolved ticket suggests.
 * @example briefOf({ messages: ['Hi, I was charged twice. I already checked my bank.'], facts: [], trend: [],
 * direction: 'unknown', cues: [], similar: [], intent: null })
 */
export function briefOf(input: {
  messages: string[];
  facts: string[];
  trend: { label: string; compound: number }[];
  direction: string;
  cues: string[];
  similar: { id: string; subject: string; intent: string | null; resolution: string | null }[];
  intent: string | null;
}): HandoffBrief {
  return {
    ask: input.messages.length ? askLine(input.messages) : '',
    tried: alreadyTried(input.messages.map((m) => findAsk(m).fresh || m)),
    facts: input.facts,
    tone: toneLine(input.trend, input.direction, input.cues),
    nextStep: nextStepFrom(input.similar, input.intent),
  };
}

/** The brief as the lines of the packet's summary. */
export function briefLines(b: HandoffBrief): string[] {
  return [
    `Ask: ${b.ask}`,
    ...(b.tried.length ? [`Already tried: ${b.tried.map((t) => oneLine(t, 120)).join(' / ')}`] : []),
    ...b.facts.map((f) => `Fact: ${f}`),
    `Tone: ${b.tone}`,
    ...(b.nextStep ? [`Suggested next step (from "${oneLine(b.nextStep.subject, 80)}"): ${b.nextStep.text}`] : []),
  ];
}
