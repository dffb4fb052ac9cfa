import { contentWords, splitSentences } from '../resolution/text.js';

/** A sentence of the conversation with where it came from. */
export interface ScoredSentence {
  text: string;
  messageIndex: number;
  score: number;
}

const TRIED = /\b(i|we)\s+(have\s+|'ve\s+|already\s+|also\s+)*(tried|restarted|rebooted|reinstalled|cleared|reset|updated|checked|followed|switched|disabled|enabled|logged out|re-?entered|contacted)\b|\balready\b.*\b(tried|did|done|checked)\b|\bdid(n't| not) (help|work|fix)\b/i;

/** The sentences of a text (paragraphs and lines split too). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((p) => splitSentences(p.trim()))
    .map((s) => s.trim())
    .filter((s) => s.length > 2);
}

/**
 * An extractive summary of what the customer wrote: the sentences that share the most content words
 * with the whole conversation (the centre of what it is about), the opening sentence first, in
 * conversation order, at most `max` sentences.
 */
export function summarise(messages: string[], max = 3): string[] {
  const all: { text: string; messageIndex: number; words: Set<string> }[] = [];
  messages.forEach((m, i) => {
    for (const s of sentencesOf(m)) all.push({ text: s, messageIndex: i, words: new Set(contentWords(s)) });
  });
  if (all.length <= max) return all.map((s) => s.text);
  const freq = new Map<string, number>();
  for (const s of all) for (const w of s.words) freq.set(w, (freq.get(w) ?? 0) + 1);
  const scored: ScoredSentence[] = all.map((s, i) => {
    let score = 0;
    for (const w of s.words) score += (freq.get(w) ?? 0) - 1; // words the rest of the conversation repeats
    const density = s.words.size ? score / Math.sqrt(s.words.size) : 0;
    const greeting = /^(hi|hello|hey|thanks|thank you|regards|cheers)\b/i.test(s.text) && s.words.size < 4;
    return { text: s.text, messageIndex: s.messageIndex, score: greeting ? -1 : density + (i === 0 ? 1 : 0) + (s.text.endsWith('?') ? 0.5 : 0) };
  });
  const chosen = scored
    .map((s, i) => ({ ...s, i }))
    .sort((a, b) => b.score - a.score)
    .slice(0, max)
    .sort((a, b) => a.i - b.i);
  return chosen.map((s) => s.text);
}

/** Sentences in which the customer says what they already tried. */
export function alreadyTried(messages: string[]): string[] {
  return messages.flatMap((m) => sentencesOf(m).filter((s) => TRIED.test(s)));
}
