/**
 * The grounding check: every factual sentence of a reply must be supported by a knowledge passage.
 * Support is the share of the sentence's content words found in a window of up to three consecutive
 * sentences of the passage; the numbers it states must appear there, and so must its negations.
 */
import { z } from 'zod';
import type { AnswerSentence, Passage } from './schemas.js';
import { contentWords, isNegation, isNumeric, splitUnits } from './text.js';

/** Least share of a sentence's content words a passage window must contain. */
export const DEFAULT_GROUNDING_THRESHOLD = 0.6;
const WINDOW = 3;
const MIN_CONTENT_WORDS = 3;
const CONVERSATIONAL_RE = new RegExp(
  String.raw`^(?:hi|hello|hey|dear|thanks|thank you|best|regards|kind regards|cheers|sincerely|sorry|` +
    String.raw`apologies|i hope|hope this|happy to help|glad to help|feel free|let (?:me|us) know|please let ` +
    String.raw`(?:me|us) know|if you (?:have|need) (?:any )?(?:other|more|further)|don't hesitate|do not ` +
    String.raw`hesitate)\b`,
  'i',
);

/** How one sentence is supported. */
export const SentenceSupportSchema = z.object({
  text: z.string(),
  /** False for greetings, sign-offs, questions and other text that states no fact. */
  factual: z.boolean(),
  /** Best support found, 0..1. */
  support: z.number(),
  supported: z.boolean(),
  /** Article of the best-supporting passage, when one supports it. */
  articleId: z.string().nullable(),
  /** Why an unsupported sentence failed. */
  reason: z.enum(['low_overlap', 'number_missing', 'negation_missing', 'bad_citation']).nullable(),
});
export type SentenceSupport = z.infer<typeof SentenceSupportSchema>;

export const GroundingReportSchema = z.object({
  grounded: z.boolean(),
  /** Share of factual sentences supported (0 when there are none). */
  score: z.number(),
  threshold: z.number(),
  sentences: z.array(SentenceSupportSchema),
});
export type GroundingReport = z.infer<typeof GroundingReportSchema>;

/** True when a sentence states something checkable (not a greeting, sign-off or question). */
export function isFactual(text: string): boolean {
  const t = text.trim();
  if (!t || t.endsWith('?') || CONVERSATIONAL_RE.test(t)) return false;
  return new Set(contentWords(t)).size >= MIN_CONTENT_WORDS;
}

/** A passage prepared for support look-ups: the content words of each sentence and of each window of them. */
interface PreparedPassage {
  units: Set<string>[];
  windows: { words: Set<string>; start: number }[];
}

const prepared = new WeakMap<Passage, PreparedPassage>();

function prepare(passage: Passage): PreparedPassage {
  let p = prepared.get(passage);
  if (!p) {
    const units = [{ text: passage.title }, ...splitUnits(passage.text)].map((u) => new Set(contentWords(u.text)));
    const windows = units.map((_, start) => ({
      words: new Set(units.slice(start, start + WINDOW).flatMap((u) => [...u])),
      start,
    }));
    p = { units, windows: windows.length ? windows : [{ words: new Set(), start: 0 }] };
    prepared.set(passage, p);
  }
  return p;
}

type Support = { support: number; reason: SentenceSupport['reason']; articleId: string | null };

/**
 * The best support a sentence finds among candidate passages. Numbers must appear in the window; a
 * negation must appear in the window's sentence that shares the most words with the claim.
 */
function bestSupport(words: string[], candidates: Passage[], threshold: number): Support {
  const unique = [...new Set(words)];
  const negations = unique.filter(isNegation);
  let best: Support = { support: 0, reason: 'low_overlap', articleId: null };
  for (const passage of candidates) {
    const { units, windows } = prepare(passage);
    for (const window of windows) {
      const hit = unique.filter((w) => window.words.has(w)).length;
      const support = unique.length ? hit / unique.length : 0;
      let reason: SentenceSupport['reason'] = null;
      if (unique.some((w) => isNumeric(w) && !window.words.has(w))) reason = 'number_missing';
      else if (negations.length) {
        const inWindow = units.slice(window.start, window.start + WINDOW);
        const closest = inWindow.reduce(
          (a, u) => (unique.filter((w) => u.has(w)).length > unique.filter((w) => a.has(w)).length ? u : a),
          inWindow[0] ?? new Set<string>(),
        );
        if (negations.some((w) => !closest.has(w))) reason = 'negation_missing';
      }
      if (!reason && support < threshold) reason = 'low_overlap';
      const better = (reason === null) !== (best.reason === null) ? reason === null : support > best.support;
      if (better) best = { support, reason, articleId: passage.articleId };
    }
  }
  return best;
}

/** A sentence to check and the passages it may rely on (all of them when `candidates` is absent). */
export interface Claim {
  text: string;
  candidates?: Passage[] | undefined;
}

/** Checks claims against passages; see `isGrounded`. A claim whose candidate list is empty cites nothing real. */
export function checkClaims(
  claims: Claim[],
  passages: Passage[],
  threshold = DEFAULT_GROUNDING_THRESHOLD,
): GroundingReport {
  const sentences = claims.map((c): SentenceSupport => {
    if (!isFactual(c.text))
      return { text: c.text, factual: false, support: 0, supported: true, articleId: null, reason: null };
    if (c.candidates && c.candidates.length === 0)
      return { text: c.text, factual: true, support: 0, supported: false, articleId: null, reason: 'bad_citation' };
    const best = bestSupport(contentWords(c.text), c.candidates ?? passages, threshold);
    return {
      text: c.text,
      factual: true,
      support: Math.round(best.support * 1000) / 1000,
      supported: best.reason === null,
      articleId: best.articleId,
      reason: best.reason,
    };
  });
  const factual = sentences.filter((s) => s.factual);
  const supported = factual.filter((s) => s.supported).length;
  return {
    grounded: factual.length > 0 && supported === factual.length,
    score: factual.length ? supported / factual.length : 0,
    threshold,
    sentences,
  };
}

/**
 * Checks the sentences of a reply: a sentence sourced from an article must be supported by that
 * article's passages; `template` and `none` sentences are not checked.
 */
export function checkGrounding(
  sentences: AnswerSentence[],
  passages: Passage[],
  threshold = DEFAULT_GROUNDING_THRESHOLD,
): GroundingReport {
  const claims = sentences
    .filter((s) => s.source !== 'template' && s.source !== 'none')
    .map((s) => ({ text: s.text, candidates: passages.filter((p) => p.articleId === s.source) }));
  return checkClaims(claims, passages, threshold);
}

/**
 * True when every factual knowledge sentence is supported by its article's passages (and there is one).
 * @example isGrounded(answer.sentences, passages) // false → hand off
 */
export function isGrounded(
  sentences: AnswerSentence[],
  passages: Passage[],
  threshold = DEFAULT_GROUNDING_THRESHOLD,
): boolean {
  return checkGrounding(sentences, passages, threshold).grounded;
}
