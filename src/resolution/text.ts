/**
 * Text helpers of the resolution module: content words (stop words dropped, light stemming) and a
 * markdown-aware splitter into sentences and list items. Pure functions.
 */
import { STOP_WORDS } from '../nlp/lexicon/language.js';
import { NEGATORS, tokenize } from '../nlp/text.js';

/** Negators stay content words: "you can" and "you cannot" must not look alike. */
const STOP = new Set(STOP_WORDS.en.split(/\s+/).filter((w) => w && !NEGATORS.has(w)));
/** Redaction placeholders (`[EMAIL_1]`) and citations (`[2]`) are not words of the text. */
const MARKERS_RE = /\[(?:[A-Z]+_\d+|\d+(?:\s*,\s*\d+)*)\]/g;

/** Light English stemming so "refunds", "refunded" and "refunding" match "refund". */
export function stem(word: string): string {
  if (/\d/.test(word)) return word;
  let s = word;
  if (s.length > 4 && s.endsWith('ies')) s = `${s.slice(0, -3)}y`;
  else if (s.length > 3 && s.endsWith('s') && !/(ss|us|is)$/.test(s)) s = s.slice(0, -1);
  if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  if (s.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(s) && !s.endsWith('ll')) s = s.slice(0, -1);
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  return s;
}

/** The content words of a text: lower-cased, stemmed, stop words and markers dropped; numbers kept. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const t of tokenize(text.replace(MARKERS_RE, ' '))) {
    for (const part of t.lower.split('-')) {
      if (!part || STOP.has(part)) continue;
      if (part.length < 2 && !/\d/.test(part)) continue;
      out.push(stem(part));
    }
  }
  return out;
}

/** True for a token that carries a number ("30", "2fa", "v2"). */
export const isNumeric = (word: string): boolean => /\d/.test(word);

/** True when a content word negates. */
export const isNegation = (word: string): boolean => NEGATORS.has(word);

/** One unit of a text: a sentence of a paragraph, an item of a list, or a heading. */
export interface TextUnit {
  text: string;
  kind: 'sentence' | 'item' | 'heading';
  /** Index of the paragraph or list the unit belongs to. */
  block: number;
  /** For list items: `ul` or `ol`. */
  list?: 'ul' | 'ol' | undefined;
}

const ABBREVIATIONS = /\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|approx|incl|no|fig)\.$/i;
const SENTENCE_END_RE = /([.!?]+["')\]]*)(\s+)(?=["'([]?[\p{Lu}\p{N}])/gu;
const CITATION_ONLY_RE = /^(?:\[\d+(?:\s*,\s*\d+)*\]\s*)+/;

/** Removes inline markdown: emphasis and code marks; links become "text (url)". */
export function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[\s(])[*_]([^*_\n]+)[*_](?=[\s).,!?:;]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .trim();
}

/** Splits one paragraph into sentences (abbreviations kept whole; a leading citation joins the sentence before). */
export function splitSentences(paragraph: string): string[] {
  const flat = paragraph.replace(/\s+/g, ' ').trim();
  if (!flat) return [];
  const out: string[] = [];
  let start = 0;
  for (const m of flat.matchAll(SENTENCE_END_RE)) {
    const end = m.index + m[1]!.length;
    const candidate = flat.slice(start, end).trim();
    if (ABBREVIATIONS.test(candidate)) continue;
    if (candidate) out.push(candidate);
    start = end + m[2]!.length;
  }
  const rest = flat.slice(start).trim();
  if (rest) out.push(rest);
  // "… 30 days. [1] Next …" → the citation belongs to the sentence before.
  for (let i = 1; i < out.length; i++) {
    const cite = CITATION_ONLY_RE.exec(out[i]!);
    if (cite) {
      out[i - 1] = `${out[i - 1]} ${cite[0].trim()}`;
      out[i] = out[i]!.slice(cite[0].length).trim();
    }
  }
  return out.filter(Boolean);
}

/**
 * Splits markdown-ish text into units: headings (`#` lines, or lone short lines without end
 * punctuation), list items (bullets or numbers) and the sentences of paragraphs, each tagged with its
 * block so callers can keep lists and paragraphs together.
 */
export function splitUnits(text: string): TextUnit[] {
  const units: TextUnit[] = [];
  let block = -1;
  let current: 'p' | 'ul' | 'ol' | 'none' = 'none';
  let paragraph: string[] = [];
  const flush = () => {
    const text = stripInlineMarkdown(paragraph.join(' '));
    // A lone short line without end punctuation is a heading written as plain text ("Lost your phone").
    if (paragraph.length === 1 && !/[.!?:;,)]$/.test(text) && text.split(/\s+/).length <= 10)
      units.push({ text, kind: 'heading', block });
    else for (const s of splitSentences(text)) units.push({ text: s, kind: 'sentence', block });
    paragraph = [];
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line || /^```/.test(line) || /^(-{3,}|\*{3,})$/.test(line)) {
      flush();
      current = 'none';
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const bullet = /^[-*+•]\s+(.*)$/.exec(line);
    const numbered = /^\d{1,3}[.)]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      block++;
      current = 'none';
      units.push({ text: stripInlineMarkdown(heading[1]!), kind: 'heading', block });
    } else if (bullet || numbered) {
      flush();
      const list = bullet ? 'ul' : 'ol';
      if (current !== list) block++;
      current = list;
      units.push({ text: stripInlineMarkdown((bullet ?? numbered)![1]!), kind: 'item', block, list });
    } else {
      if (current !== 'p') {
        flush();
        block++;
        current = 'p';
      }
      paragraph.push(line);
    }
  }
  flush();
  // A "heading" nothing follows is text after all ("Go to Settings → Billing").
  const last = units.at(-1);
  if (last?.kind === 'heading') last.kind = 'sentence';
  return units.filter((u) => u.text.length > 0);
}

/**
 * True when `a` is a typing slip of `b` (or the other way): one edit apart (a letter left out, added, changed or two
 * swapped) for words of 4–7 letters, two for longer ones, starting with the same letter. "invooic" ~ "invoic",
 * "trnsfer" ~ "transfer"; words under 4 letters must match exactly.
 */
export function isTypoOf(a: string, b: string): boolean {
  if (a === b) return true;
  const n = Math.min(a.length, b.length);
  if (n < 4 || a[0] !== b[0]) return false;
  const max = n >= 8 ? 2 : 1;
  if (Math.abs(a.length - b.length) > max) return false;
  // Optimal string alignment distance, rows of three, stopped as soon as a row exceeds `max`.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      low = Math.min(low, d);
    }
    if (low > max) return false;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]! <= max;
}
