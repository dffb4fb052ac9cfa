/** Text normalisation, tokenisation and clause splitting for the intent classifier. */

const CONTRACTIONS: [RegExp, string][] = [
  [/\bcan't\b/g, 'can not'],
  [/\bwon't\b/g, 'will not'],
  [/\bshan't\b/g, 'shall not'],
  [/n't\b/g, ' not'],
  [/'m\b/g, ' am'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'],
  [/'s\b/g, ''],
];

/** Lower-cases, strips diacritics and expands common English contractions. */
export function normalize(text: string): string {
  let s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  s = s.replace(/[\u2018\u2019\u02bc`´]/g, "'");
  for (const [re, rep] of CONTRACTIONS) s = s.replace(re, rep);
  return s;
}

const TOKEN_RE = /[\p{L}\p{N}]+/gu;

/** Splits a text into normalised word tokens (letters/digits runs). */
export function tokenize(text: string): string[] {
  return normalize(text).match(TOKEN_RE) ?? [];
}

const CONNECTIVE_RE = new RegExp(
  String.raw`\s*(?:[.?!;]+(?:\s+|$)|\n+|,?\s+(?:and also|also|plus|and then|another thing|additionally|` +
    String.raw`besides that|on top of that|in addition)\s+|,\s*and\s+|\s+and\s+(?=(?:can|could|how|what|why|` +
    String.raw`when|where|is|are|do|does|did|will|would|i|my|please)\b))`,
  'i',
);

/**
 * Splits a text into sentence/clause parts that may carry separate intents.
 * Parts shorter than two tokens are merged into their neighbour.
 */
export function splitClauses(text: string): string[] {
  const raw = text
    .split(new RegExp(CONNECTIVE_RE.source, 'gi'))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const parts: string[] = [];
  for (const p of raw) {
    const n = tokenize(p).length;
    if (n === 0) continue;
    if (n < 3 && parts.length > 0) parts[parts.length - 1] += ' ' + p;
    else parts.push(p);
  }
  if (parts.length > 1 && tokenize(parts[0]!).length < 3) {
    const first = parts.shift()!;
    parts[0] = first + ' ' + parts[0]!;
  }
  return parts;
}

/** A line that closes a message: a sign-off ("Kind regards,", "Thanks in advance"), a "Sent from my …" line or "--". */
const SIGN_OFF_RE = new RegExp(
  String.raw`^(?:(?:kind|best|warm|many|with)?\s*(?:regards|wishes|thanks|thank you)(?: in advance| so ` +
    String.raw`much| again| for your help)?|cheers|sincerely|yours(?: truly| sincerely)?|sent from my\b.*|` +
    String.raw`get outlook for\b.*|-- ?)\s*[,.!]?\s*$`,
  'i',
);

/** The text before its sign-off line (what follows it is a name or a signature, not an ask); the whole text when it has
 * none. */
export function withoutSignOff(text: string): string {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l, n) => n > 0 && SIGN_OFF_RE.test(l.trim()));
  return i > 0 ? lines.slice(0, i).join('\n') : text;
}
