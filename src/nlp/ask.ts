/**
 * Finding the ask: the part of a customer's message that asks for something.
 *
 * An e-mail carries much that is not the question: the quoted thread below the reply ("On Mon, … wrote:",
 * "> …" lines, "-----Original Message-----"), a signature ("-- ", "Sent from my iPhone", a sign-off with
 * a name, title and phone number under it), a greeting that may carry a name ("hello, Maria here"), a line
 * that only states an order number. A long message may bury one question under paragraphs of story.
 *
 * `findAsk` removes the thread, signature, greeting, sign-off and reference-only lines (they are kept apart
 * as context), and when what remains is long it keeps the sentences that ask — questions, requests,
 * statements of a problem — with the first and last paragraphs' leading sentences, within a word budget.
 * Classification and retrieval read `ask.text`; a short, clean message comes back unchanged.
 */
import { z } from 'zod';

/** A message with more words than this (after the thread and signature are removed) is reduced to its asking sentences.
 */
export const LONG_MESSAGE_WORDS = 60;
/** Most words the reduced ask keeps. */
export const ASK_WORD_BUDGET = 60;

/** What `findAsk` found, for the decision record. */
export const AskSchema = z.object({
  /** The text to classify and retrieve on. */
  text: z.string(),
  /** The customer's own new words (thread and signature removed; greeting and sign-off kept). */
  fresh: z.string(),
  /** True when sentences were left out because the message was long. */
  reduced: z.boolean(),
  words: z.object({ original: z.number().int(), fresh: z.number().int(), ask: z.number().int() }),
  /** What was set aside, as short labels with counts of lines or sentences. */
  removed: z.object({
    quotedLines: z.number().int(),
    signatureLines: z.number().int(),
    greeting: z.string().nullable(),
    signOff: z.string().nullable(),
    referenceLines: z.array(z.string()),
    contextSentences: z.number().int(),
  }),
  /** Facts stated that are not questions: order or invoice numbers, the name the customer gave. */
  references: z.object({ orderNumbers: z.array(z.string()), name: z.string().nullable() }),
});
/** What `findAsk` found, for the decision record. */
export type Ask = z.infer<typeof AskSchema>;

const QUOTE_HEADER = [
  /^\s*On\b.{0,300}\bwrote:\s*$/i, // Gmail, Apple Mail ("On Mon, 3 Jun 2024 at 10:12, Ann <a@b.c> wrote:")
  /^\s*(?:Le|Am|El|Il|Op)\b.{0,300}(?:a écrit|schrieb|escribió|ha scritto|schreef)\s*:\s*$/i,
  /^\s*-{2,}\s*(?:Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$/i,
  /^\s*_{5,}\s*$/, // Outlook's rule above the quoted header
  /^\s*From:\s.+$/i, // an Outlook header block ("From: … Sent: … To: … Subject: …")
];
const SIGNATURE_START = [/^--\s?$/, /^\s*sent from my \w+/i, /^\s*get outlook for \w+/i, /^\s*sent (?:via|with) \w+/i];
const SIGN_OFF_RE = new RegExp(
  String.raw`^\s*(?:(?:many |kind(?:est)? |best |warm(?:est)? |with )?(?:regards|wishes)|best|cheers|` +
    String.raw`thanks(?: (?:a lot|again|so much|in advance))?|thank you(?: (?:so much|in advance))?|thx|ty|` +
    String.raw`sincerely|yours(?: truly| sincerely)?|all the best|talk soon|br|rgds|saludos|gracias|merci|` +
    String.raw`danke|cordialement|mit freundlichen grüßen|grüße)\s*[,` +
    String.raw`.!]?\s*(?:[-–—]?\s*[\p{Lu}][\p{L}'-]*(?:\s+[\p{Lu}][\p{L}'-]*)?)?\s*[,.!]?\s*$`,
  'iu',
);
const GREETING_RE = new RegExp(
  String.raw`^\s*(?:(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|dear|hola|` +
    String.raw`bonjour|salut|hallo|ciao|olá|ola)\b(?:\s+(?:there|all|team|folks|guys|everyone|support(?: ` +
    String.raw`team)?|sir|madam|sir or madam|to whom it may concern|` +
    String.raw`[\p{Lu}][\p{L}'-]*(?:\s+[\p{Lu}][\p{L}'-]*)?))?|to whom it may concern)\s*[,.!:;—–-]*\s*`,
  'iu',
);
/** "Maria here", "Maria Lopez from Acme here (account AC-123)", "this is Maria (from Acme)", "my name is Maria". */
const INTRO_RE = new RegExp(
  String.raw`^\s*(?:(?:it'?s|this is|my name is|my name's|i am|i'm)` +
    String.raw`\s+([\p{Lu}][\p{L}'-]*(?:\s+[\p{Lu}][\p{L}'-]*)?)(?:\s+(?:from|at|of|with)` +
    String.raw`\s+[\p{L}\p{N}&.'-]+(?:\s+[\p{Lu}][\p{L}\p{N}&.'-]*)*)?|` +
    String.raw`([\p{Lu}][\p{L}'-]*(?:\s+[\p{Lu}][\p{L}'-]*)?)(?:\s+(?:from|at|of|with)\s+[\p{L}\p{N}&.'-]+` +
    String.raw`(?:\s+[\p{L}\p{N}&.'-]+){0,3}?)?\s+here(?:\s+(?:from|at)\s+[\p{L}\p{N}&.'-]+)?)` +
    // "(account PW-48866)", "(order 1234)" after the introduction
    String.raw`(?:\s*\([^)\n]{0,80}\))?\s*[,.!:;—–-]*\s*`,
  'iu',
);
const ORDER_NUMBER_RE = new RegExp(
  String.raw`(?:\b(?:order|purchase|invoice|ticket|case|reference|ref|booking|account|customer|` +
    String.raw`confirmation|po)\b\s*(?:no\.?|number|num|nr|id|#)?\s*[:#]?\s*)([A-Z]{0,4}-?\d[\d-]{3,})\b|` +
    String.raw`#(\d{4,})\b`,
  'gi',
);
/** A line or sentence that only gives a reference: "Order #12345", "Order number: 113542617735902.", "Ref:
 * INV-2024-001". */
const REFERENCE_ONLY_RE = new RegExp(
  String.raw`^\s*(?:(?:my|the|our)\s+)?(?:order|purchase|invoice|ticket|case|reference|ref|booking|account|` +
    String.raw`customer|confirmation|po)\s*(?:no\.?|number|num|nr|id|#)?\s*(?:is|was)?\s*[:#]?\s*[A-Z]{0,` +
    String.raw`4}-?\d[\d-]{3,}\s*[.,;]?\s*$|^\s*#\d{4,}\s*[.,;]?\s*$`,
  'i',
);
const QUESTION_START_RE = new RegExp(
  String.raw`^(?:how|what|why|when|where|which|who|whom|whose|is|are|am|was|were|do|does|did|can|could|` +
    String.raw`would|will|should|shall|may|might|have|has|any idea|is there|are there)\b`,
  'i',
);
const REQUEST_RE = new RegExp(
  String.raw`\b(?:please|pls|plz|kindly|help|need|needs|want|wanna|would like|i'd like|like to|looking for|` +
    String.raw`trying to|tried to|unable|can't|cannot|can not|couldn't|won't|doesn't|don't know|isn't|not ` +
    String.raw`working|no longer|stopped|keeps?|broken|error|fail(?:s|ed|ing)?|wrong|missing|charged|refund|` +
    String.raw`cancel|locked|lost|how (?:do|can|to)|never (?:got|received|arrived|came)|nothing (?:has )?(?:shown|` +
    String.raw`arrived|come|came|happen(?:s|ed)?)|has(?:n't| not) (?:arrived|come|shown)|did(?:n't| not) (?:get|` +
    String.raw`receive|arrive|work)|expired|declined|rejected|kick(?:s|ing|ed)? me out)\b`,
  'i',
);
/** Words that announce the ask after a story ("The reason I'm writing: …", "My question is …"). */
const ASK_CUE_RE = new RegExp(
  String.raw`\b(?:the (?:reason|thing) (?:i'?m|i am) (?:writing|contacting you|reaching out|asking)|` +
    String.raw`i'?m (?:writing|contacting you|reaching out) (?:because|about|as)|my (?:actual |real )?(?:question|` +
    String.raw`problem|issue|request) is|the (?:actual |real )?(?:problem|issue|question) is|long story short|` +
    String.raw`what i (?:need|want) (?:to know )?is)\b`,
  'i',
);

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** The sentences of a paragraph (on . ! ? followed by space, and on line breaks). */
function sentencesOfParagraph(paragraph: string): string[] {
  const flat = paragraph.replace(/\s+/g, ' ').trim();
  if (!flat) return [];
  return flat
    .split(/(?<=[.!?…])\s+(?=["'([]?[\p{Lu}\p{N}¿¡])|(?<=[?!])\s+/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The sentence without the words that announce it ("The reason I'm writing: it expired" → "it expired"). */
function withoutCue(sentence: string): string {
  const m = ASK_CUE_RE.exec(sentence);
  if (!m || m.index > 20) return sentence;
  const rest = sentence
    .slice(m.index + m[0].length)
    .replace(/^\s*(?:[:,;-]|is that|is|that)?\s*/i, '')
    .trim();
  return words(rest) >= 3 ? rest : sentence;
}

/** True when a sentence asks: a question or a request / statement of a problem. */
export function isAsking(sentence: string): boolean {
  const s = sentence.trim();
  return s.endsWith('?') || QUESTION_START_RE.test(s) || REQUEST_RE.test(s);
}

/** Cuts the quoted thread: everything from its first header or `>` line, when something is left above. */
function cutThread(lines: string[]): { kept: string[]; quoted: number } {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const twoLines = i + 1 < lines.length ? `${line} ${lines[i + 1]}` : line;
    const header =
      QUOTE_HEADER.some((re) => re.test(line)) || (/^\s*On\b/i.test(line) && /\bwrote:\s*$/i.test(twoLines));
    const quoted = /^\s*>/.test(line);
    if (!header && !quoted) continue;
    const kept = lines.slice(0, i);
    if (!kept.some((l) => l.trim())) {
      // The message is only a quote (a forward): keep the quoted text, without its marks.
      return {
        kept: lines.filter((l) => !QUOTE_HEADER.some((re) => re.test(l))).map((l) => l.replace(/^\s*(?:>\s?)+/, '')),
        quoted: 0,
      };
    }
    return { kept, quoted: lines.length - i };
  }
  return { kept: lines, quoted: 0 };
}

/** Cuts the signature and a trailing sign-off with what follows it (name, title, phone). */
function cutSignature(lines: string[]): { kept: string[]; signature: number; signOff: string | null } {
  let end = lines.length;
  let signature = 0;
  const marker = lines.findIndex((l) => SIGNATURE_START.some((re) => re.test(l)));
  if (marker > 0) {
    signature = lines.length - marker;
    end = marker;
  }
  // A sign-off within the last few non-empty lines, with only short lines (a name, a title, a number) after it.
  let signOff: string | null = null;
  const nonEmpty = lines
    .slice(0, end)
    .map((l, i) => ({ l, i }))
    .filter((x) => x.l.trim());
  for (let k = nonEmpty.length - 1; k >= Math.max(1, nonEmpty.length - 6); k--) {
    const { l, i } = nonEmpty[k]!;
    const after = nonEmpty.slice(k + 1);
    if (SIGN_OFF_RE.test(l) && after.every((x) => words(x.l) <= 6 && !/[?]$/.test(x.l.trim()))) {
      signOff = l.trim();
      signature += end - i;
      end = i;
      break;
    }
  }
  return { kept: lines.slice(0, end), signature, signOff };
}

/** Removes a greeting and a self-introduction from the start of a message, keeping any question after them. */
function cutGreeting(text: string): { rest: string; greeting: string | null; name: string | null } {
  let rest = text;
  let greeting = '';
  let name: string | null = null;
  const g = GREETING_RE.exec(rest);
  // "Hi" must stand apart ("Hi, …" / "Hi\n"), not start a sentence ("Hey, why is…" keeps the why).
  if (
    g?.[0].trim() &&
    (/[,.!:;—–-]\s*$|\n/.test(g[0]) || g[0].length === rest.length || /^\s*\n/.test(rest.slice(g[0].length)))
  ) {
    greeting = g[0];
    rest = rest.slice(g[0].length);
  }
  const intro = INTRO_RE.exec(rest);
  if (intro && /[,.!:;—–-]\s*$|\n/.test(intro[0])) {
    name = (intro[1] ?? intro[2] ?? '').trim() || null;
    greeting += intro[0];
    rest = rest.slice(intro[0].length);
  }
  return {
    rest: rest.trimStart(),
    greeting: greeting.trim() ? greeting.trim().replace(/[,.!:;—–-]+$/, '') : null,
    name,
  };
}

/**
 * The ask of a customer's message (or of several messages, oldest first): the text to classify and
 * retrieve on, and what was set aside as context.
 * @example findAsk('Hi, Maria here.\nHow do I reset my password?\n\nThanks,\nMaria').text === 'How do I reset my
 * password?'
 */
export function findAsk(messages: string | string[], opts: { longWords?: number; budget?: number } = {}): Ask {
  const list = (Array.isArray(messages) ? messages : [messages]).filter((m) => m.trim());
  const longWords = opts.longWords ?? LONG_MESSAGE_WORDS;
  const budget = opts.budget ?? ASK_WORD_BUDGET;
  const removed: Ask['removed'] = {
    quotedLines: 0,
    signatureLines: 0,
    greeting: null,
    signOff: null,
    referenceLines: [],
    contextSentences: 0,
  };
  const references: Ask['references'] = { orderNumbers: [], name: null };
  const freshParts: string[] = [];
  const paragraphs: string[] = [];
  for (const message of list) {
    const lines = message.replace(/\r\n?/g, '\n').split('\n');
    const thread = cutThread(lines);
    const sig = cutSignature(thread.kept);
    removed.quotedLines += thread.quoted;
    removed.signatureLines += sig.signature;
    removed.signOff ??= sig.signOff;
    const fresh = sig.kept.join('\n').trim();
    freshParts.push(fresh);
    for (const m of fresh.matchAll(ORDER_NUMBER_RE)) references.orderNumbers.push((m[1] ?? m[2])!);
    const greet = cutGreeting(fresh);
    removed.greeting ??= greet.greeting;
    references.name ??= greet.name;
    for (const p of greet.rest.split(/\n\s*\n/)) {
      const kept = p
        .split('\n')
        .filter((line) => {
          if (!REFERENCE_ONLY_RE.test(line)) return true;
          removed.referenceLines.push(line.trim());
          return false;
        })
        .join('\n')
        .trim();
      if (kept) paragraphs.push(kept);
    }
  }
  references.orderNumbers = [...new Set(references.orderNumbers)];
  const fresh = freshParts.join('\n\n');
  // Sentences that only give a reference, inside a paragraph, are facts too.
  const sentences = paragraphs.map((p) =>
    sentencesOfParagraph(p).filter((s) => {
      if (!REFERENCE_ONLY_RE.test(s)) return true;
      removed.referenceLines.push(s);
      return false;
    }),
  );
  const flat = sentences.flatMap((ss, p) => ss.map((text, i) => ({ text, p, i })));
  const clean = sentences
    .map((ss) => ss.join(' '))
    .filter(Boolean)
    .join('\n');
  const original = list.reduce((n, m) => n + words(m), 0);
  const result = (text: string, reduced: boolean): Ask => ({
    text,
    fresh,
    reduced,
    words: { original, fresh: words(fresh), ask: words(text) },
    removed,
    references,
  });
  // Nothing but a greeting or a reference: the message itself is the ask.
  if (!clean) return result(fresh || list.join('\n'), false);
  if (words(clean) <= longWords) return result(clean, false);

  // A long message: the asking sentences, then the first and last paragraphs' first sentences, within the budget.
  const last = sentences.length - 1;
  const rank = (x: (typeof flat)[number]) => {
    const question = x.text.endsWith('?') || QUESTION_START_RE.test(x.text);
    const request = REQUEST_RE.test(x.text);
    const edge = (x.p === 0 && x.i === 0) || (x.p === last && x.i === 0);
    // A sentence the customer announces as the reason for writing outranks every other.
    const cue = ASK_CUE_RE.test(x.text);
    // Later questions first: a story leads up to its question.
    return (
      (cue ? 6 : 0) + (question ? 4 : 0) + (request ? 2 : 0) + (edge ? 1 : 0) + (x.p === last ? 0.5 : 0) + x.p * 0.01
    );
  };
  const byRank = flat.map((x, k) => ({ ...x, k, r: rank(x) })).sort((a, b) => b.r - a.r);
  // The first and last paragraphs stand in for the ask only when no sentence asks; an announced ask keeps only the
  // questions beside it.
  const top = byRank[0]?.r ?? 0;
  const floor = top >= 6 ? 4 : top >= 2 ? 2 : 1;
  const chosen = new Set<number>();
  let used = 0;
  for (const x of byRank) {
    if (x.r < floor) break;
    const n = words(x.text);
    if (used > 0 && used + n > budget) continue;
    chosen.add(x.k);
    used += n;
    // A short question ("Can you fix it?") needs the sentence before it to mean anything.
    if (
      n < 6 &&
      x.k > 0 &&
      flat[x.k - 1]!.p === x.p &&
      !chosen.has(x.k - 1) &&
      used + words(flat[x.k - 1]!.text) <= budget * 1.5
    ) {
      chosen.add(x.k - 1);
      used += words(flat[x.k - 1]!.text);
    }
    if (used >= budget) break;
  }
  if (!chosen.size) chosen.add(0);
  const kept = flat.filter((_, k) => chosen.has(k));
  removed.contextSentences = flat.length - kept.length;
  return result(kept.map((x) => withoutCue(x.text)).join(' '), true);
}
