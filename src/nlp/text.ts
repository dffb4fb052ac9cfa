/**
 * Shared, allocation-light text helpers for the ticket-understanding modules (sentiment, urgency,
 * language). Pure functions, no I/O.
 */
import { z } from 'zod';

/** Words that negate what follows them ("not good", "never works", "isn't", "dont"). */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  'none',
  'nobody',
  'nothing',
  'neither',
  'nor',
  'nowhere',
  'cannot',
  'without',
  'aint',
  "ain't",
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'dont',
  'doesnt',
  'didnt',
  'cant',
  'couldnt',
  'wont',
  'wouldnt',
  'shouldnt',
  'hasnt',
  'havent',
  'hadnt',
  'mustnt',
  'neednt',
  'mightnt',
  'darent',
  'shant',
  'oughtnt',
  'rarely',
  'seldom',
  'uh-uh',
  'nope',
  'nah',
]);

/**
 * Normalises text for matching: Unicode NFKC, typographic quotes and dashes to ASCII, collapsed
 * whitespace. Case is kept (callers that need it lower-case call `toLowerCase`).
 */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201B\u2032\u00B4`]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/gi;
const EMAIL_RE = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const CODE_FENCE_RE = /```[\s\S]*?```/g;
const INLINE_CODE_RE = /`[^`\n]*`/g;
const PATH_RE = /(?:^|\s)(?:[\w.-]*\/[\w./-]+|[A-Za-z]:\\[\w\\.-]+)/g;
const IDENT_RE = /\b\w*(?:[a-z][A-Z]|_\w|\.\w+\()\w*\b/g; // camelCase, snake_case, calls like foo.bar(
const HEXISH_RE = /\b(?=[a-f0-9-]*\d)[a-f0-9-]{12,}\b/gi; // ids, hashes, uuids

/**
 * Removes what is not natural language: code fences and inline code, URLs, e-mail addresses, file
 * paths, identifiers (camelCase/snake_case) and long hex ids. Used before language detection so
 * product words and pasted logs do not skew it.
 */
export function stripNoise(text: string): string {
  return text
    .replace(CODE_FENCE_RE, ' ')
    .replace(INLINE_CODE_RE, ' ')
    .replace(URL_RE, ' ')
    .replace(EMAIL_RE, ' ')
    .replace(PATH_RE, ' ')
    .replace(IDENT_RE, ' ')
    .replace(HEXISH_RE, ' ');
}

/** One word token with its position in the text it came from. */
export const TokenSchema = z.object({
  /** The word as written. */
  raw: z.string(),
  /** Lower-case form with apostrophes removed ("Don't" → "dont"). */
  lower: z.string(),
  /** Offset of the token's first character in the text it came from. */
  index: z.number().int().min(0),
});
/** One word token with its position in the text it came from. */
export type Token = z.infer<typeof TokenSchema>;

const WORD_RE = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu;

/** Splits text into word tokens (letters/digits with inner apostrophes or hyphens). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const raw = m[0];
    out.push({ raw, lower: raw.toLowerCase().replace(/'/g, ''), index: m.index });
  }
  return out;
}

/** Lower-case word list of a text (apostrophes removed), for quick set look-ups. */
export function words(text: string): string[] {
  return tokenize(text).map((t) => t.lower);
}

/** True when a lower-cased word (apostrophes removed, so "don't" is "dont") negates. */
export function isNegator(lowerWord: string): boolean {
  return NEGATORS.has(lowerWord);
}

/**
 * True when one of the `window` words just before character offset `index` of `text` negates
 * ("I am not worried" → `worried` is negated). Stops at a clause boundary (. ! ? ; , but).
 */
export function negatedBefore(text: string, index: number, window = 3): boolean {
  const start = Math.max(0, index - 60);
  let before = text.slice(start, index);
  const boundary = Math.max(
    before.lastIndexOf('.'),
    before.lastIndexOf('!'),
    before.lastIndexOf('?'),
    before.lastIndexOf(';'),
    before.lastIndexOf(','),
    before.toLowerCase().lastIndexOf(' but '),
  );
  if (boundary >= 0) before = before.slice(boundary + 1);
  const ws = words(before);
  for (let i = Math.max(0, ws.length - window); i < ws.length; i++) {
    if (isNegator(ws[i]!)) return true;
  }
  return false;
}

/** Clamps a number into [lo, hi]. */
export function clamp(x: number, lo = 0, hi = 1): number {
  return x < lo ? lo : Math.min(x, hi);
}

/** Rounds to `digits` decimals (for stable, readable scores). */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Shortens a piece of evidence to at most `max` characters. */
export function excerpt(s: string, max = 80): string {
  const t = s.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** Noisy-OR of independent weights in [0,1]: 1 − Π(1 − w). */
export function noisyOr(weights: Iterable<number>): number {
  let p = 1;
  for (const w of weights) p *= 1 - clamp(w);
  return 1 - p;
}
