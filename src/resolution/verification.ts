/**
 * Answer verification: one calibrated estimate of "this reply answers this ticket", used by both answering
 * paths (extractive and LLM) and never skipped. Evidence from the ask and the passage (or the draft) is
 * combined by a small logistic model; its probability is compared with the intent's autonomy threshold,
 * like the classifier's confidence. A new workspace uses the prior weights below; once it has enough
 * outcomes of its own (accepted vs reopened / marked wrong / asked for a human) the weights are refitted
 * on them, pulled toward the prior (`fitAnswerJudge`). Pure functions.
 */
import { z } from 'zod';
import { contentWords, isTypoOf, splitUnits } from './text.js';

/** The evidence the judgement weighs; every feature is a number, mostly in [0, 1]. */
export const ANSWER_FEATURES = [
  'intentMatch',
  'intentConfidence',
  'lexical',
  'margin',
  'coverage',
  'titleCoverage',
  'semantic',
  'articleRecord',
  'facts',
  'capability',
  'capabilityUncovered',
  'rivalCloser',
  'gap',
] as const;
export type AnswerFeature = (typeof ANSWER_FEATURES)[number];
export const AnswerFeaturesSchema = z.object(
  Object.fromEntries(ANSWER_FEATURES.map((f) => [f, z.number()])) as Record<AnswerFeature, z.ZodNumber>,
);
export type AnswerFeatures = z.infer<typeof AnswerFeaturesSchema>;

/**
 * A logistic model over the features: `bias + Σ weight·feature`, then the sigmoid. Every feature but `gap`
 * describes one candidate passage, and their weighted sum also ranks the candidates; `gap` is how far the
 * best candidate's sum is ahead of the next one's (an answer that clearly stands out is more likely right).
 */
export const AnswerJudgeWeightsSchema = z.object({ bias: z.number(), weights: AnswerFeaturesSchema });
export type AnswerJudgeWeights = z.infer<typeof AnswerJudgeWeightsSchema>;

/**
 * The prior of a new workspace, fitted once on the dev half of the realistic benchmark's tickets
 * (bench/fixtures/pipewise-tickets.json; see docs/answering.md): a logistic regression on every passage
 * retrieved for a dev ticket whose intent the classifier got right (right = the ticket may be answered and
 * the passage's article is among its right ones) ranks the passages, then a ticket-level logistic fit on
 * the best passage's sum and its gap to the next one calibrates the probability (Platt scaling), the two
 * folded into one linear model. Hand-set on the dev tickets, because that fit cannot measure them:
 * `intentMatch` (an article of another intent than the classified one; the bias is lowered by the same amount,
 * so matching articles score as fitted), `articleRecord` (ln usefulness; a new workspace has no record),
 * `semantic` 2, `intentConfidence` 4 (the policy lets an answer playbook's ticket through from
 * MIN_INTENT_CONFIDENCE; the bias is lowered by 4 × 0.9, so a ticket at the old gate of 0.9 scores as fitted and
 * one at 0.6 loses 1.2 on the logit scale), and what a yes/no question about a capability leaves uncovered
 * (`capabilityUncovered` −5: "Can I rename a pipeline?" is answered only by a passage that speaks of renaming, an
 * article on the neighbouring feature says neither yes nor no; it is left out of the `gap`, see `judgeCandidates`;
 * `capability` itself weighs 0 until a workspace's own outcomes say otherwise), with the bias raised by 0.5. Rounded
 * to 3 decimals.
 */
export const PRIOR_ANSWER_JUDGE: AnswerJudgeWeights = {
  bias: -6.802,
  weights: {
    intentMatch: 1.5,
    intentConfidence: 4,
    lexical: 1.256,
    margin: 1.134,
    coverage: 0.671,
    titleCoverage: 0.54,
    semantic: 2,
    articleRecord: 1,
    facts: 6,
    capability: 0,
    capabilityUncovered: -5,
    rivalCloser: 0,
    gap: 1.549,
  },
};

/** The prior when no sentence encoder measures `semantic` (DESKMIND_ANSWER_SEMANTIC=false, or the encoder failed):
 * fitted the same way without it. */
export const PRIOR_ANSWER_JUDGE_LEXICAL: AnswerJudgeWeights = {
  bias: -6.802,
  weights: {
    intentMatch: 1.5,
    intentConfidence: 4,
    lexical: 1.256,
    margin: 1.134,
    coverage: 0.671,
    titleCoverage: 0.54,
    semantic: 0,
    articleRecord: 1,
    facts: 6,
    capability: 0,
    capabilityUncovered: -5,
    rivalCloser: 0,
    gap: 1.549,
  },
};

/** The `gap` of a lone candidate (no other article to compare with), on the model's scale; fitted with the prior. */
export const LONE_CANDIDATE_GAP = 1.804;

/** What the judgement needs about the ask and one candidate answer. */
export interface AnswerEvidence {
  /** The customer's ask (the question part of the ticket). */
  ask: string;
  /** Names of the customer and their company: not words of the question. */
  names?: (string | null | undefined)[] | undefined;
  /** The answer's text: a passage, or the sentences of a draft. */
  answer: string;
  /** The article's title and the passage's heading, which say what the text is about. */
  title: string;
  heading?: string | null | undefined;
  /** The article is written for the classifier's intent. */
  intentMatch: boolean;
  /** The classifier's confidence in that intent (0 when out of scope). */
  intentConfidence: number;
  /** The passage's lexical score relative to the best lexical match (1 = best), when retrieval measured it. */
  lexical?: number | undefined;
  /** The article the passage belongs to: passages of one article do not compete with each other for `gap`. */
  articleId?: string | undefined;
  /** The answer states the customer's own facts that answer the ask (the billing notice of a past-due account). */
  facts?: boolean | undefined;
  /** The passage's retrieval score and the best score of another article (for the margin). */
  score?: number | undefined;
  runnerUp?: number | undefined;
  /** The article's learned usefulness (1 = no record; wrong answers lower it). */
  usefulness?: number | undefined;
  /** A semantic similarity of ask and passage in [0, 1] from a sentence encoder, when one is available. */
  semantic?: number | undefined;
  /** The closest meaning (same scale as `semantic`) of another intent's article the intent's restriction set aside. */
  rivalSemantic?: number | undefined;
  /** Content-word sets of the other candidate passages' units: rarer words weigh more. */
  background?: Set<string>[] | undefined;
  /** How far this candidate is ahead of the next one (see `AnswerJudgeWeights`); set by `judgeCandidates`. */
  gap?: number | undefined;
  /** Overrides the title/heading coverage (a draft is judged with the smaller of its article's and its own coverage).
   */
  titleCoverage?: number | undefined;
}

/** A judgement as the decision record keeps it. */
export const AnswerVerificationSchema = z.object({
  probability: z.number(),
  threshold: z.number(),
  passed: z.boolean(),
  features: AnswerFeaturesSchema,
  /** Each feature's pull on the log-odds (weight × value), for the explanation. */
  contributions: AnswerFeaturesSchema,
  /** Words of the ask the answer does not cover, most important first. */
  missing: z.array(z.string()),
  /** A question of a several-question ask that the answer does not touch (none of its topic words): it is not sent. */
  unanswered: z.string().nullable().optional(),
  /** `prior`, or `workspace` once refitted on the workspace's outcomes. */
  model: z.enum(['prior', 'workspace']),
  /** A plain-words explanation. */
  explanation: z.string(),
});
export type AnswerVerification = z.infer<typeof AnswerVerificationSchema>;

/**
 * Words that mean the same thing in support requests, mapped to one stem so "lost my passphrase" covers
 * "forgot your password". Keys and values are stems as `contentWords` makes them.
 */
const SYNONYMS: Record<string, string> = {
  lost: 'forgot',
  forget: 'forgot',
  forgott: 'forgot',
  forgotten: 'forgot',
  remember: 'forgot',
  recall: 'forgot',
  fresh: 'new',
  passphras: 'password',
  pwd: 'password',
  passwd: 'password',
  login: 'sign',
  logon: 'sign',
  signin: 'sign',
  log: 'sign',
  bill: 'invoic',
  receipt: 'invoic',
  phon: 'phone',
  iphon: 'phone',
  android: 'phone',
  mobil: 'phone',
  devic: 'phone',
  handy: 'phone',
  '2fa': 'two-factor',
  mfa: 'two-factor',
  otp: 'cod',
  authent: 'authenticator',
  download: 'export',
  dump: 'export',
  spreadsheet: 'csv',
  excel: 'csv',
  teammat: 'member',
  colleagu: 'member',
  user: 'member',
  peopl: 'member',
  seat: 'member',
  rerun: 'retry',
  restart: 'retry',
  declin: 'fail',
  bounc: 'fail',
  reject: 'fail',
  cancel: 'cancel',
  stop: 'cancel',
  terminat: 'cancel',
  mail: 'email',
  inbox: 'email',
  mailbox: 'email',
  alert: 'notif',
  notification: 'notif',
  notifi: 'notif',
  yearly: 'annual',
  annually: 'annual',
  whitelist: 'allow',
  allowlist: 'allow',
};

/** Words of a support request that carry no topic. */
const FILLER = new Set(
  (
    'hi hello hey thank thanks pleas help need want would like could can get know tell ask question quick issu ' +
    'problem work use tri try way someon anyon ani thing someth everyth still again alway just realli also yet ' +
    'now today yesterday morn week month time day team we us our my me i you your pipewis support ' +
    'much request urgent up im ive id going say one through reason hop well writ sorry guy folk ok okay sure ' +
    'anyway actual basic mayb perhap possibl whether wonder curious thought mean kind sort lot bit littl real ' +
    'what whats how why when where which who ' +
    // negations describe the trouble ("can't log in"); an answer need not repeat them
    'not no never cant cannot dont doesnt didnt wont isnt arent wasnt'
  ).split(' '),
);

/** The topic words of a text: content words without filler, synonyms folded together. */
export function keyTerms(text: string): string[] {
  return contentWords(text)
    .map((w) => SYNONYMS[w] ?? w)
    .filter((w) => !FILLER.has(w) && w.length > 1);
}

const CAPABILITY_QUESTION = new RegExp(
  // at the start of a sentence or clause: "how can I …" and "under which terms can I …" ask how, not whether
  String.raw`(?:^|[.?!;:\n]\s*|,\s*|\b(?:and|also|but|so|then)\s+)` +
    String.raw`(?:can (?:i|we|my|our|one)|could (?:i|we)|is (?:there|it possible)|are there|` +
    String.raw`do you (?:support|offer|integrate|have|allow|provide)|` +
    String.raw`does (?:pipewise|it|the \w+) (?:support|offer|allow|have|integrate|work)|` +
    String.raw`what is the (?:max|maximum|limit))\b`,
  'i',
);

/**
 * The clause of the ask that asks whether the product can do something ("Can I rename a pipeline?", "Is there a dbt
 * integration?", "Do you support YubiKeys?"), from its opening words to the end of its sentence, or null. Only a
 * passage that speaks of that very thing answers it: an article on the neighbouring feature says neither yes nor no.
 * A request to support ("Can you send me the invoice?") is not such a question.
 */
export function capabilityClause(ask: string): string | null {
  const text = ask.slice(0, 4_000);
  const m = CAPABILITY_QUESTION.exec(text);
  if (!m) return null;
  const rest = text.slice(m.index).replace(/^[\s.?!;:,]+/, '');
  const end = rest.search(/[?.!\n]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** True when the ask asks whether the product can do something (see {@link capabilityClause}). */
export const asksIfPossible = (ask: string): boolean => capabilityClause(ask) !== null;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round3 = (x: number) => Math.round(x * 1000) / 1000;

const GREETING_LINE = /^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)\b[^.!?\n]{0,80}[,.!]?$/i;
const SIGN_OFF_LINE = new RegExp(
  String.raw`^(?:thanks?(?: you)?(?: so much| a lot| in advance)?|many thanks|cheers|best(?: regards| ` +
    String.raw`wishes)?|regards|kind regards|warm regards|sincerely|br)\b[^.!?\n]{0,40}[,.!]?$`,
  'i',
);
const NOISE = [
  /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, // email addresses
  /https?:\/\/\S+/g,
  /\+?\(?\d[\d ()-]{6,}\d/g, // phone numbers
  /#?\b[A-Z]{2,6}-\d{3,}\b/g, // order and ticket references (PW-48213)
  /^(?:re|fwd?|aw|tr):\s*/gim,
];

/**
 * The customer's own question: without quoted replies, forwarded history, signatures, greetings and
 * sign-offs, contact details, references, and the names of the customer and their company (`names`).
 * @example askOf('Hi, Dana here.\nHow do I export runs?\n\n--\nDana Smith', ['Dana Smith']) // 'How do I export runs?'
 */
export function askOf(text: string, names: (string | null | undefined)[] = []): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (
      /^(?:--\s*|__+|sent from my \w+)$/i.test(t) ||
      /^on .{6,160} wrote:$/i.test(t) ||
      /^-{2,} ?(?:original|forwarded) message/i.test(t)
    )
      break;
    if (t.startsWith('>') || GREETING_LINE.test(t) || SIGN_OFF_LINE.test(t)) continue;
    // A line of one to three capitalised words is a name or a title.
    if (/^(?:\p{Lu}[\p{L}'.-]*\s*){1,3}[,.]?$/u.test(t)) continue;
    out.push(line);
  }
  let ask = out.join('\n');
  for (const re of NOISE) ask = ask.replace(re, ' ');
  const words = names.flatMap((n) => (n ?? '').split(/\s+/)).filter((w) => w.length > 1);
  for (const w of words) ask = ask.replace(new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi'), ' ');
  ask = ask.trim();
  return ask || text.trim();
}

const QUESTION_WORDS = 'how what why when where which who is are do does did can could will would should';
const QUESTION_OPENING = `(?:${QUESTION_WORDS.split(' ').join('|')})`;
const QUESTION_START = new RegExp(String.raw`^${QUESTION_OPENING}\b`, 'i');
const QUESTION_BREAK = new RegExp(String.raw`(?<=\?)\s+|\n+|,?\s+(?:and|also|plus)\s+(?=${QUESTION_OPENING}\b)`, 'i');

/** The questions of an ask that asks several (a sentence ending in "?" or opening with a question word), else []. */
export function questionsOf(question: string): string[] {
  const parts = question
    .split(QUESTION_BREAK)
    .map((p) => p.trim())
    .filter((p) => p.endsWith('?') || QUESTION_START.test(p));
  return parts.length >= 2 ? parts : [];
}

/** The features of one candidate answer (see `AnswerEvidence`). */
export function answerFeatures(e: AnswerEvidence): {
  features: AnswerFeatures;
  missing: string[];
  unanswered: string | null;
} {
  const question = askOf(e.ask, e.names ?? []);
  const ask = [...new Set(keyTerms(question))];
  const answerWords = new Set(keyTerms(e.answer));
  const titleWords = new Set(keyTerms(`${e.title}\n${e.heading ?? ''}`));
  for (const w of titleWords) answerWords.add(w);
  const background = e.background ?? [];
  // Rarer words weigh more; a word no candidate has weighs the most (the knowledge base may not know it).
  const weight = (w: string) => {
    const df = background.filter((u) => u.has(w)).length;
    return Math.log(2 + background.length / (df + 0.5));
  };
  const weights = new Map(ask.map((w) => [w, weight(w)]));
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  // A word of the ask counts as covered when the text has it, or has the word it is a typing slip of.
  const covers = (has: Set<string>) => {
    const list = [...has];
    return new Set(ask.filter((w) => has.has(w) || list.some((h) => isTypoOf(w, h))));
  };
  const share = (covered: Set<string>) =>
    total ? ask.filter((w) => covered.has(w)).reduce((a, w) => a + weights.get(w)!, 0) / total : 0;
  const inAnswer = covers(answerWords);
  const missing = ask.filter((w) => !inAnswer.has(w)).sort((a, b) => weights.get(b)! - weights.get(a)!);
  const margin = e.score !== undefined && e.score > 0 ? clamp01((e.score - (e.runnerUp ?? 0)) / e.score) : 0;
  const coverage = round3(share(inAnswer));
  // What a capability question asks about must be covered, the rest of the message ("I cannot afford this item")
  // need not be.
  const clause = capabilityClause(question);
  const asked = clause === null ? [] : [...new Set(keyTerms(clause))].filter((w) => weights.has(w));
  const askedWeight = asked.reduce((a, w) => a + weights.get(w)!, 0);
  const capability = clause === null ? 0 : 1;
  const uncovered = askedWeight
    ? asked.filter((w) => !inAnswer.has(w)).reduce((a, w) => a + weights.get(w)!, 0) / askedWeight
    : 0;
  const features: AnswerFeatures = {
    intentMatch: e.intentMatch ? 1 : 0,
    intentConfidence: clamp01(e.intentConfidence),
    lexical: clamp01(e.lexical ?? 0),
    margin,
    coverage,
    titleCoverage: round3(e.titleCoverage ?? share(covers(titleWords))),
    semantic: clamp01(e.semantic ?? 0),
    articleRecord: round3(Math.max(-2, Math.log(e.usefulness ?? 1))),
    facts: e.facts ? 1 : 0,
    capability,
    capabilityUncovered: round3(uncovered),
    rivalCloser:
      e.semantic !== undefined && e.rivalSemantic !== undefined ? round3(clamp01(e.rivalSemantic - e.semantic)) : 0,
    gap: round3(e.gap ?? LONE_CANDIDATE_GAP),
  };
  // Of several questions, one the answer does not touch at all (two topic words or more, none covered) is left
  // unanswered: a reply to the other would look like an answer to the whole message. (The reply quotes the sentences
  // that share the ask's words, so a question with none of its words in the passage gets no sentence of its own.)
  const unanswered =
    questionsOf(question).find((q) => {
      const terms = [...new Set(keyTerms(q))].filter((w) => weights.has(w));
      return terms.length >= 2 && !terms.some((w) => inAnswer.has(w));
    }) ?? null;
  return { features, missing, unanswered };
}

/** The model's log-odds of a feature vector and each feature's contribution. */
export function scoreAnswer(
  features: AnswerFeatures,
  model: AnswerJudgeWeights,
): { probability: number; contributions: AnswerFeatures } {
  const contributions = Object.fromEntries(
    ANSWER_FEATURES.map((f) => [f, round3(model.weights[f] * features[f])]),
  ) as AnswerFeatures;
  const z = model.bias + ANSWER_FEATURES.reduce((a, f) => a + model.weights[f] * features[f], 0);
  return { probability: sigmoid(z), contributions };
}

const LABELS: Record<AnswerFeature, string> = {
  intentMatch: 'the article is written for the intent',
  intentConfidence: "the classifier's confidence",
  lexical: 'the ask and the passage share words',
  margin: 'it stands out from the other articles',
  coverage: "the answer covers the ask's words",
  titleCoverage: 'the title and heading match the ask',
  semantic: 'the meaning is close',
  articleRecord: "the article's record of answers",
  facts: "the customer's own billing facts answer it",
  capability: 'it asks whether something is possible',
  capabilityUncovered: 'the answer does not speak of what it asks about',
  rivalCloser: "another intent's article is closer in meaning",
  gap: 'it stands out from the other candidates',
};

/** A candidate's weighted sum without `gap`: what ranks the candidates of one ticket. */
export function candidateScore(features: AnswerFeatures, model: AnswerJudgeWeights): number {
  return ANSWER_FEATURES.reduce((a, f) => (f === 'gap' ? a : a + model.weights[f] * features[f]), 0);
}

/** Candidates whose score is this close to the best one (in logits) count as tied; retrieval's order decides. */
export const NEAR_BEST = 0.5;

/**
 * Judges the candidate answers of one ticket: ranks them by `candidateScore` (near ties in retrieval order), gives the
 * chosen one its gap to the
 * next one and returns its verification (with its index), or null when there is none.
 */
export function judgeCandidates(
  candidates: AnswerEvidence[],
  threshold: number,
  model: { weights: AnswerJudgeWeights; source: 'prior' | 'workspace' },
): { index: number; gap: number; verification: AnswerVerification } | null {
  if (!candidates.length) return null;
  const features = candidates.map((c) => answerFeatures(c).features);
  const scores = features.map((f) => candidateScore(f, model.weights));
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  // Retrieval's order breaks near ties: the judgement's score is a gate, the ranking weighs more (the hybrid score,
  // the article's record); of candidates within NEAR_BEST of the best score, the first retrieved is answered from.
  const [topScore] = order[0]!;
  const index = scores.findIndex((s) => s >= topScore - NEAR_BEST);
  // The next candidate is the best passage of another article: another passage of the same article is no rival. Other
  // articles of the same intent are (judging the best of them without its siblings answered wrongly on the dev
  // tickets).
  const group = candidates[index]!.articleId;
  const next = order.find(([, i]) => i !== index && (group === undefined || candidates[i]!.articleId !== group));
  // (a rival above the chosen one makes the gap negative: the chosen answer must then carry the judgement alone).
  // What a capability question leaves uncovered says whether the question is answered at all, not how clearly one
  // answer stands out: a rival that covers even less must not lend the chosen one a lead (it let "Can I have two
  // separate logins for the same email address?" through on the article about changing the login email).
  const lead = (i: number) => scores[i]! - model.weights.weights.capabilityUncovered * features[i]!.capabilityUncovered;
  const gap = next ? lead(index) - lead(next[1]) : LONE_CANDIDATE_GAP;
  return { index, gap, verification: verifyAnswer({ ...candidates[index]!, gap }, threshold, model) };
}

/**
 * Judges one candidate answer: the probability that it answers the ask, compared with `threshold`.
 * @example verifyAnswer({ ask, answer: passage.text, title, intentMatch: true, intentConfidence: 0.95 }, 0.9).passed
 */
export function verifyAnswer(
  e: AnswerEvidence,
  threshold: number,
  model: { weights: AnswerJudgeWeights; source: 'prior' | 'workspace' } = {
    weights: PRIOR_ANSWER_JUDGE,
    source: 'prior',
  },
): AnswerVerification {
  const { features, missing, unanswered } = answerFeatures(e);
  const { probability, contributions } = scoreAnswer(features, model.weights);
  // Below the threshold the classifier's intent is a guess, and the knowledge base must not contradict it: an article
  // of another intent closer in meaning to the ask than this answer says the guess is likely wrong.
  const contested = features.intentConfidence < threshold && features.rivalCloser > 0;
  const passed = probability >= threshold && !contested && !unanswered;
  const ranked = ANSWER_FEATURES.filter((f) => contributions[f] !== 0).sort(
    (a, b) => Math.abs(contributions[b]) - Math.abs(contributions[a]),
  );
  const helped = ranked
    .filter((f) => contributions[f] > 0)
    .slice(0, 2)
    .map((f) => LABELS[f]);
  const hurt = ranked
    .filter((f) => contributions[f] < 0)
    .slice(0, 2)
    .map((f) => LABELS[f]);
  const explanation =
    `${passed ? 'Answers the question' : 'Does not clearly answer the question'}: estimated ` +
    `${(probability * 100).toFixed(0)}% likely to answer it (needs ${(threshold * 100).toFixed(0)}%)` +
    (helped.length ? `; for: ${helped.join(', ')}` : '') +
    (hurt.length ? `; against: ${hurt.join(', ')}` : '') +
    (missing.length ? `; not covered: ${missing.slice(0, 4).join(', ')}` : '') +
    (contested
      ? `; and another intent's article is closer in meaning to the question while the intent's confidence ` +
        `(${(features.intentConfidence * 100).toFixed(0)}%) is below the ` +
        `${(threshold * 100).toFixed(0)}% it needs alone`
      : '') +
    (unanswered ? `; and it does not touch one of the questions: "${unanswered.slice(0, 120)}"` : '') +
    '.';
  return {
    probability: round3(probability),
    threshold,
    passed,
    features,
    contributions,
    missing: missing.slice(0, 8),
    unanswered,
    model: model.source,
    explanation,
  };
}

/** The content-word sets of passages' units, the background `answerFeatures` weighs words against. */
export const backgroundOf = (texts: string[]): Set<string>[] =>
  texts.flatMap((t) => splitUnits(t).map((u) => new Set(keyTerms(u.text))));

/** One past answer: the features it was judged on and whether it held (accepted) or not. */
export const AnswerSampleSchema = z.object({ features: AnswerFeaturesSchema, success: z.boolean() });
export type AnswerSample = z.infer<typeof AnswerSampleSchema>;

/**
 * Fits the logistic model on samples: the minimum of the mean log-loss plus `strength`·‖w − prior‖² / n, found by
 * Newton's method with step halving (a few steps of a 14 × 14 linear solve; the penalty keeps the Hessian
 * invertible). With few samples
 * the weights stay near the prior, with many they follow the workspace's own evidence.
 * @example fitAnswerJudge(samples, PRIOR_ANSWER_JUDGE).weights.coverage
 */
export function fitAnswerJudge(
  samples: AnswerSample[],
  prior: AnswerJudgeWeights,
  opts: { strength?: number; iterations?: number } = {},
): AnswerJudgeWeights {
  const strength = opts.strength ?? 1;
  const iterations = opts.iterations ?? 50;
  // θ = [bias, ...weights in ANSWER_FEATURES order]; each sample's row starts with 1 for the bias
  const d = ANSWER_FEATURES.length + 1;
  const theta0 = [prior.bias, ...ANSWER_FEATURES.map((f) => prior.weights[f])];
  const theta = [...theta0];
  const rows = samples.map((s) => [1, ...ANSWER_FEATURES.map((f) => s.features[f])]);
  const ys = samples.map((s) => (s.success ? 1 : 0));
  const objective = (t: number[]) =>
    rows.reduce((a, x, i) => {
      const z = x.reduce((acc, v, j) => acc + v * t[j]!, 0);
      // log(1 + e^z) − y·z, written to stay finite for large |z|
      return a + Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - ys[i]! * z;
    }, 0) + t.reduce((a, v, j) => a + strength * (v - theta0[j]!) ** 2, 0);
  for (let it = 0; it < iterations && rows.length; it++) {
    const g = theta.map((t, j) => 2 * strength * (t - theta0[j]!));
    const h = Array.from({ length: d }, (_, j) => Array.from({ length: d }, (_, k) => (j === k ? 2 * strength : 0)));
    rows.forEach((x, i) => {
      const p = sigmoid(x.reduce((a, v, j) => a + v * theta[j]!, 0));
      const err = p - ys[i]!;
      const curv = p * (1 - p);
      for (let j = 0; j < d; j++) {
        if (x[j] === 0) continue;
        g[j]! += err * x[j]!;
        for (let k = 0; k < d; k++) h[j]![k]! += curv * x[j]! * x[k]!;
      }
    });
    const step = solve(h, g);
    // damped: halve the step until the objective falls (a full Newton step can overshoot from far away)
    const before = objective(theta);
    let t = 1;
    let next = theta.map((v, j) => v - step[j]!);
    while (objective(next) > before && t > 1e-6) {
      t /= 2;
      next = theta.map((v, j) => v - t * step[j]!);
    }
    const largest = Math.max(...next.map((v, j) => Math.abs(v - theta[j]!)));
    theta.splice(0, d, ...next);
    if (largest < 1e-7) break;
  }
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    bias: r(theta[0]!),
    weights: Object.fromEntries(ANSWER_FEATURES.map((f, j) => [f, r(theta[j + 1]!)])) as AnswerFeatures,
  };
}

/** Solves `a·x = b` by Gaussian elimination with partial pivoting (`a` symmetric positive definite here). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const lead = m[c]![c]!;
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / lead;
      if (f !== 0) for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let acc = m[r]![n]!;
    for (let k = r + 1; k < n; k++) acc -= m[r]![k]! * x[k]!;
    x[r] = acc / m[r]![r]!;
  }
  return x;
}
