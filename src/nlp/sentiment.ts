/**
 * Sentiment and support-specific emotion cues for a ticket text.
 *
 * The sentiment part follows VADER (Hutto & Gilbert, 2014): each word of the lexicon has a valence,
 * changed by boosters/dampeners before it, negation within three words, ALL-CAPS emphasis, a
 * contrast word ("but") that weighs the later clause more, and exclamation/question marks; the sum
 * is normalised to a compound score in [-1, 1].
 *
 * The emotion part matches explicit support-desk cues ("third time", "still broken", "cancel my
 * account", "lawyer", "asap", shouting, "!!!") and returns every cue that fired, so each decision
 * made downstream can be explained.
 */
import { z } from 'zod';
import { BOOSTERS, CONTRAST_WORDS, DAMPENERS, EMOTICONS, VALENCE } from './lexicon/sentiment.js';
import { clamp, excerpt, isNegator, negatedBefore, noisyOr, normalise, round, tokenize } from './text.js';

/** Compound score at or above which a text is positive. */
export const POSITIVE_THRESHOLD = 0.05;
/** Compound score at or below which a text is negative. */
export const NEGATIVE_THRESHOLD = -0.05;
/** Only the first this-many characters are analysed (pasted logs can be huge). */
export const MAX_ANALYSED_CHARS = 20_000;

/** VADER constants. */
const B_INCR = 0.293;
const B_DECR = -0.293;
const C_INCR = 0.733;
const N_SCALAR = -0.74;
const ALPHA = 15;
const CONTRAST_BEFORE = 0.5;
const CONTRAST_AFTER = 1.5;

/** Overall polarity of a text. */
export const SentimentLabelSchema = z.enum(['negative', 'neutral', 'positive']);
/** Overall polarity of a text. */
export type SentimentLabel = z.infer<typeof SentimentLabelSchema>;

/** The emotions scored from 0 to 1. */
export const EmotionSchema = z.enum(['frustration', 'anger', 'anxiety']);
/** The emotions scored from 0 to 1. */
export type Emotion = z.infer<typeof EmotionSchema>;

/** What a cue signals: one of the emotions, a churn signal, or a legal threat. */
export const CueKindSchema = z.enum(['frustration', 'anger', 'anxiety', 'churn', 'legal']);
/** What a cue signals: one of the emotions, a churn signal, or a legal threat. */
export type CueKind = z.infer<typeof CueKindSchema>;

/** One cue that fired, with the text that made it fire. */
export const SentimentCueSchema = z.object({
  cue: z.string(),
  kind: CueKindSchema,
  weight: z.number().min(0).max(1),
  evidence: z.string(),
});
/** One cue that fired, with the text that made it fire. */
export type SentimentCue = z.infer<typeof SentimentCueSchema>;

/** Emotion scores from 0 (absent) to 1 (strong). */
export const EmotionScoresSchema = z.object({
  frustration: z.number().min(0).max(1),
  anger: z.number().min(0).max(1),
  anxiety: z.number().min(0).max(1),
});
/** Emotion scores from 0 (absent) to 1 (strong). */
export type EmotionScores = z.infer<typeof EmotionScoresSchema>;

/** Result of `analyseSentiment`. */
export const SentimentResultSchema = z.object({
  /** negative / neutral / positive from `compound` and the thresholds. */
  label: SentimentLabelSchema,
  /** Normalised VADER compound score in [-1, 1]. */
  compound: z.number().min(-1).max(1),
  /** Proportions of positive, negative and neutral weight (sum to 1, or all 0 for empty text). */
  pos: z.number().min(0).max(1),
  neg: z.number().min(0).max(1),
  neu: z.number().min(0).max(1),
  emotions: EmotionScoresSchema,
  /** Every cue that fired, strongest first. */
  cues: z.array(SentimentCueSchema),
  /** True when a cancellation or competitor cue fired. */
  churnRisk: z.boolean(),
});
/** Result of `analyseSentiment`. */
export type SentimentResult = z.infer<typeof SentimentResultSchema>;

interface CueDef {
  cue: string;
  kind: CueKind;
  weight: number;
  re: RegExp;
  /** When true, a match preceded by a negator ("not worried") does not count. */
  negatable?: boolean;
}

const N = "(?:n't|nt| not)"; // contraction after do/is/can..., apostrophes normalised to '
/** Who a customer may leave for: "a competitor", a named help-desk vendor, "another tool". */
const COMPETITOR_TARGET =
  String.raw`(?:a |one of your |your )?competitors?|zendesk|freshdesk|intercom|help ?scout|hubspot|gorgias|kustomer|` +
  String.raw`zoho desk|(?:another|a different|a new|a competing|a cheaper|a better|other) ` +
  String.raw`(?:providers?|vendors?|tools?|services?|platforms?|solutions?|help ?desks?|apps?)`;

/** Support-desk cue catalogue. Patterns run on normalised text, case-insensitive. */
const CUES: readonly CueDef[] = [
  // frustration
  {
    cue: 'repeat_contact',
    kind: 'frustration',
    weight: 0.6,
    re: new RegExp(
      String.raw`\b(?:second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th|\d+th|umpteenth|nth|another)` +
        String.raw`\s+time\b|\b(?:asked|told|contacted|written|wrote|emailed|messaged|called|reported)` +
        String.raw`\s+(?:\w+\s+){0,3}(?:twice|three times|four times|multiple times|several times|many times|` +
        String.raw`so many times|\d+\s+times)\b`,
      'i',
    ),
  },
  // "How many times do I have to ask?" is exasperation; "How many times do you retry a failed charge?" is a question
  // about a number: the cue needs the customer as the one who keeps doing it (or "how many more times").
  {
    cue: 'how_many_times',
    kind: 'frustration',
    weight: 0.6,
    re: new RegExp(
      String.raw`\bhow many more times\b|\bhow many times\s+(?:` +
        String.raw`(?:do|must|should|will|would|can|did|have|has|am|are)\s+(?:i|we)\b|(?:i|we)(?:'ve| have)\b|` +
        String.raw`(?:do|will|would|must)\s+(?:you|they)\s+(?:need|want|expect)\s+(?:me|us)\b|(?:is|has)\s+this\b)`,
      'i',
    ),
  },
  {
    cue: 'again_emphatic',
    kind: 'frustration',
    weight: 0.4,
    re: new RegExp(
      String.raw`\b(?:yet|once|happening|happened|broken|broke|down|failed|failing|crashed|crashing|stopped)` +
        String.raw`\s+again\b|\bagain\s*(?:!|\?{2,})`,
      'i',
    ),
  },
  { cue: 'again', kind: 'frustration', weight: 0.2, re: /\bagain\b/i },
  {
    cue: 'still_broken',
    kind: 'frustration',
    weight: 0.55,
    re: new RegExp(
      `\\bstill\\s+(?:not\\b|broken|down|failing|failed|crashing|crashes|buggy|wrong|missing|stuck|waiting|` +
        `happening|the same|unable|no\\b|nothing|(?:does|do|is|are|can|wo|did)${N}|cannot|having|getting|seeing|` +
        `an? (?:issue|problem|error|bug))`,
      'i',
    ),
  },
  {
    cue: 'not_working',
    kind: 'frustration',
    weight: 0.25,
    re: new RegExp(
      `\\b(?:(?:does|do|is|did|wo)${N}|not|never)\\s+(?:\\w+\\s+)?(?:working|work|works|load|loading|loads|` +
        `fixed|resolved|sync(?:ing)?|send(?:ing)?)\\b`,
      'i',
    ),
  },
  {
    cue: 'waste_of_time',
    kind: 'frustration',
    weight: 0.55,
    re: new RegExp(
      String.raw`\bwast(?:e|ed|ing)\s+(?:of\s+)?(?:(?:my|our|so much|so many|hours of)\s+)?(?:time|hours|` +
        String.raw`days|money|a day|an afternoon)\b`,
      'i',
    ),
  },
  {
    cue: 'nobody_answers',
    kind: 'frustration',
    weight: 0.55,
    re: new RegExp(
      `\\b(?:nobody|no one|no-one|noone)\\s+(?:\\w+\\s+)?(?:answers?|answered|answering|replies|replied|` +
        `replying|responds?|responded|responding|gets back|got back|helps?|helped|cares?|reads?|listens?)\\b|` +
        `\\bno\\s+(?:one\\s+)?(?:answer|reply|response|replies|responses|help)\\b|\\b(?:(?:have|has|did)${N}|` +
        `never)\\s+(?:heard|got|gotten|received)\\s+(?:back|an?y?\\s+(?:answer|reply|response|update))`,
      'i',
    ),
  },
  {
    cue: 'long_wait',
    kind: 'frustration',
    weight: 0.45,
    re: new RegExp(
      String.raw`\b(?:waiting|waited|been waiting)\s+(?:for\s+)?(?:over\s+|more than\s+|almost\s+)?(?:\d+|` +
        String.raw`two|three|four|five|six|several|many|a few|days|weeks|hours|a week|a month|ages|forever)\b`,
      'i',
    ),
  },
  {
    cue: 'tried_everything',
    kind: 'frustration',
    weight: 0.35,
    re: /\btried\s+(?:literally\s+)?(?:everything|every\s+\w+|all\s+(?:the|of|your))\b/i,
  },
  {
    cue: 'fed_up',
    kind: 'frustration',
    weight: 0.6,
    re: new RegExp(
      String.raw`\b(?:fed up|sick (?:and tired )?of|had enough|tired of|wits'? end|los(?:ing|t) (?:my|our) ` +
        String.raw`patience|at the end of my rope)\b`,
      'i',
    ),
  },
  {
    cue: 'frustrated',
    kind: 'frustration',
    weight: 0.5,
    negatable: true,
    re: /\b(?:frustrat\w*|annoy\w*|irritat\w*|exasperat\w*|disappoint\w*)\b/i,
  },
  {
    cue: 'keeps_happening',
    kind: 'frustration',
    weight: 0.3,
    re: new RegExp(
      String.raw`\b(?:keeps?|kept)\s+(?:on\s+)?(?:happening|failing|crashing|breaking|logging|asking|getting|` +
        String.raw`showing|freezing|timing|erroring|throwing|returning|sending|charging)\b|\bevery (?:single )` +
        String.raw`?time\b|\bover and over\b|\bconstantly\b`,
      'i',
    ),
  },
  // anger
  { cue: 'unacceptable', kind: 'anger', weight: 0.6, negatable: true, re: /\bunacceptable\b/i },
  {
    cue: 'ridiculous',
    kind: 'anger',
    weight: 0.5,
    negatable: true,
    re: new RegExp(
      String.raw`\b(?:ridiculous|absurd|outrageous|insane|pathetic|disgraceful|shameful|appalling|atrocious|` +
        String.raw`laughable|a joke|joke of a)\b`,
      'i',
    ),
  },
  {
    cue: 'angry',
    kind: 'anger',
    weight: 0.6,
    negatable: true,
    re: /\b(?:angry|furious|livid|pissed|fuming|mad at|outraged|infuriat\w*|enraged|seething)\b/i,
  },
  {
    cue: 'insult',
    kind: 'anger',
    weight: 0.5,
    re: new RegExp(
      String.raw`\b(?:incompetent|incompetence|useless|clowns?|idiots?|morons?|amateurs?|scam(?:mers?|med)?|` +
        String.raw`fraud(?:ulent|sters?)?|rip-?off|ripped off|thieves|robbery|daylight robbery)\b`,
      'i',
    ),
  },
  {
    cue: 'profanity',
    kind: 'anger',
    weight: 0.45,
    re: /\b(?:wtf|fuck\w*|f\*+k\w*|shit\w*|bullshit|crap|crappy|damn(?:ed)?|goddamn|bs)\b/i,
  },
  { cue: 'harsh_words', kind: 'anger', weight: 0.4, re: /\b(?:worst|terrible|horrible|awful|horrendous)\b/i },
  // legal threats
  {
    cue: 'lawyer',
    kind: 'legal',
    weight: 0.7,
    re: new RegExp(
      String.raw`\b(?:lawyers?|attorneys?|solicitors?|legal action|legal steps|(?:take|taking) (?:you|this|` +
        String.raw`your company) to court|see you in court|small claims|lawsuit|litigation)\b`,
      'i',
    ),
  },
  { cue: 'sue', kind: 'legal', weight: 0.7, re: /\b(?:sue|suing|sued)\b/i },
  {
    cue: 'chargeback',
    kind: 'legal',
    weight: 0.6,
    re: new RegExp(
      String.raw`\b(?:charge-?backs?|charge back|dispute (?:the|this|these|your) (?:charges?|payments?|` +
        String.raw`transactions?)|file a dispute|(?:contact|call|calling|contacting|told) my bank|(?:contact|` +
        String.raw`call|calling|contacting) my card (?:company|issuer))\b`,
      'i',
    ),
  },
  {
    cue: 'report_you',
    kind: 'legal',
    weight: 0.6,
    re: new RegExp(
      String.raw`\breport(?:ing)?\s+(?:you|your company|you guys|this company|this)\s+to\b|\breport(?:ing)` +
        String.raw`?\s+(?:you|your company|you guys)\b|\b(?:better business bureau|bbb|consumer protection|ftc|` +
        String.raw`trading standards|ombudsman|data protection authority|gdpr complaint)\b`,
      'i',
    ),
  },
  // churn
  {
    cue: 'cancel_account',
    kind: 'churn',
    weight: 0.7,
    negatable: true,
    re: new RegExp(
      String.raw`\bcancel(?:l?ing|l?ed|lation of)?\s+(?:my|our|the|this)\s+(?:\w+\s+)?(?:account|` +
        String.raw`subscription|plan|membership|contract|service|seats?)\b|\b(?:close|delete|terminate|end)` +
        String.raw`\s+(?:my|our)\s+(?:\w+\s+)?(?:account|subscription|contract)\b|\bi\s*(?:'?m|am|want to|will|` +
        String.raw`'?ll|would like to)\s+(?:be\s+)?cancel(?:l?ing)?\b`,
      'i',
    ),
  },
  {
    cue: 'switching_competitor',
    kind: 'churn',
    weight: 0.7,
    re: new RegExp(
      `\\b(?:switch(?:ing)?|mov(?:e|ing)|migrat(?:e|ing)|go(?:ing)?|leav(?:e|ing)\\s+(?:you\\s+)?for|jump(?:ing)? ` +
        `ship)\\s+(?:over\\s+)?to\\s+(?:${COMPETITOR_TARGET})\\b|\\b(?:${COMPETITOR_TARGET})\\s+(?:is|are|` +
        `offers?|has|have)\\s+(?:cheaper|better|more)\\b|\\btake (?:my|our) business elsewhere\\b|\\blooking ` +
        `(?:at|for|into) (?:alternatives|other (?:providers|vendors|tools|options))\\b|\\b(?:not|wo${N}|will ` +
        `not)\\s+(?:be\\s+)?(?:going to\\s+)?renew(?:ing)?\\b`,
      'i',
    ),
  },
  // anxiety
  {
    cue: 'worried',
    kind: 'anxiety',
    weight: 0.5,
    negatable: true,
    re: new RegExp(
      String.raw`\b(?:worried|worry|worrying|concerned|nervous|anxious|scared|afraid|panic\w*|freaking out|` +
        String.raw`stressed|terrified)\b`,
      'i',
    ),
  },
  {
    cue: 'urgent',
    kind: 'anxiety',
    weight: 0.5,
    negatable: true,
    re: new RegExp(
      String.raw`\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|as soon as possible|emergency|immediately|right away|` +
        String.raw`critical|time[- ]sensitive)\b`,
      'i',
    ),
  },
  {
    cue: 'data_loss',
    kind: 'anxiety',
    weight: 0.7,
    re: new RegExp(
      String.raw`\blost\s+(?:all\s+)?(?:of\s+)?(?:my|our|the)\s+(?:\w+\s+)?(?:data|files|work|records|` +
        String.raw`contacts|tickets|history|projects?|documents|customers|emails)\b|\b(?:data|files|everything|` +
        String.raw`records|tickets|contacts|history)\s+(?:(?:is|are|has|have)\s+)?(?:been\s+|just\s+)?(?:gone|` +
        String.raw`missing|deleted|wiped|disappeared|vanished|erased)\b`,
      'i',
    ),
  },
  {
    cue: 'deadline',
    kind: 'anxiety',
    weight: 0.45,
    re: new RegExp(
      String.raw`\b(?:deadline|due (?:today|tomorrow|tonight)|by (?:tomorrow|tonight|end of (?:the )?(?:day|` +
        String.raw`week))|eod|launch(?:ing)? (?:today|tomorrow)|go(?:ing)? live (?:today|tomorrow)|before ` +
        String.raw`(?:tomorrow|monday|the meeting|our launch)|in (?:an hour|\d+ hours?))\b`,
      'i',
    ),
  },
  {
    cue: 'business_impact',
    kind: 'anxiety',
    weight: 0.5,
    re: new RegExp(
      `\\b(?:blocking (?:us|me|our)|(?:ca${N}|cannot|unable to)\\s+work|dead in the water|business (?:is ` +
        `)?(?:stopped|down|halted)|los(?:ing|t) (?:money|customers|sales|revenue|business))\\b`,
      'i',
    ),
  },
];

/** Words written in capitals that are acronyms, not shouting. */
const ACRONYMS: ReadonlySet<string> = new Set([
  'API',
  'APIS',
  'CSV',
  'SSO',
  'URL',
  'URLS',
  'PDF',
  'HTTP',
  'HTTPS',
  'SAML',
  'DNS',
  'SMTP',
  'IMAP',
  'CRM',
  'CEO',
  'CTO',
  'CFO',
  'FAQ',
  'USD',
  'EUR',
  'GBP',
  'VAT',
  'PST',
  'EST',
  'CET',
  'UTC',
  'GMT',
  'JSON',
  'XML',
  'SDK',
  'CLI',
  'MFA',
  'TOTP',
  'OTP',
  'SMS',
  'AWS',
  'GCP',
  'SLA',
  'FYI',
  'ETA',
  'BTW',
  'IOS',
  'MAC',
  'OSX',
  'SQL',
  'CSS',
  'HTML',
  'GDPR',
  'HIPAA',
  'SOC',
  'ISO',
  'LDAP',
  'SCIM',
  'OAUTH',
  'JWT',
  'CORS',
  'SSL',
  'TLS',
  'VPN',
  'CDN',
  'UUID',
  'PNG',
  'JPG',
  'JPEG',
  'GIF',
  'XLSX',
  'ZIP',
  'TXT',
  'DOCX',
  'POST',
  'GET',
  'PUT',
  'PATCH',
  'DELETE',
  'ACH',
  'IBAN',
  'BIC',
  'SWIFT',
  'PO',
  'TBD',
  'ASAP',
  'NPS',
  'CSAT',
  'KPI',
  'ROI',
  'SEO',
  'LLC',
  'INC',
  'LTD',
  'GMBH',
]);

const ALL_CAPS_RE = /^[\p{Lu}][\p{Lu}\p{N}'-]*$/u;
const HAS_LOWER_RE = /\p{Ll}/u;
const LETTER_RE = /\p{L}/u;

function isAllCaps(raw: string): boolean {
  return raw.length > 1 && ALL_CAPS_RE.test(raw) && LETTER_RE.test(raw);
}

/** Praise that turns sarcastic in a complaint ("Great… broken again. Fantastic work"). */
const PRAISE = new Set([
  'great',
  'fantastic',
  'wonderful',
  'awesome',
  'brilliant',
  'perfect',
  'lovely',
  'nice',
  'amazing',
  'superb',
  'excellent',
  'terrific',
  'splendid',
  'marvelous',
  'marvellous',
  'fabulous',
  'outstanding',
  'impressive',
  'stellar',
  'genius',
  'bravo',
  'thanks',
  'thank',
  'good',
  'cool',
  'love',
  'loving',
  'wow',
  'yay',
  'congrats',
  'congratulations',
  'glad',
  'happy',
  'beautiful',
]);
/** What the praise is about when it is a verdict on the company's work ("fantastic work", "great job"). */
const VERDICT_NOUNS =
  /^\s*(?:work|job|jobs|service|support|stuff|update|release|product|team|guys|folks|everyone|people)\b/i;
/** A problem the customer reports. */
const PROBLEM_RE = new RegExp(
  String.raw`\b(?:broken|broke|breaks|down|crash(?:ed|es|ing)?|fail(?:s|ed|ing|ure)?|errors?|bugs?|buggy|` +
    String.raw`glitch\w*|outage|stuck|frozen|freez\w*|unusable|useless|lost|missing|wrong|wiped|deleted|` +
    String.raw`declined|locked(?: out)?|(?:logs?|logged|kick(?:s|ed)?|throws?) (?:me |us )?out|nothing ` +
    String.raw`(?:works|syncs|loads|happens)|still nothing|fail to \w+|charged (?:me )?(?:twice|again)|` +
    String.raw`double[- ]charged|overcharged|not (?:working|loading|fixed|resolved)|(?:doesn'?t|does not|` +
    String.raw`don'?t|won'?t|can'?t|cannot|isn'?t|stopped) (?:\w+ )?(?:work|load|open|sync|send|log|save|let)` +
    String.raw`\w*|still (?:not|broken|waiting|down)|(?:yet|once|broken|down|failed|crashed)\s+again|` +
    String.raw`again\s*[.!?]|for nothing|(?:third|fourth|fifth|\d+(?:st|nd|rd|th)) time|waiting (?:for )` +
    String.raw`?(?:\d+|days|weeks|hours))\b`,
  'i',
);
/** The problem is over: praise is then meant ("it works now, great"). */
const SOLVED_RE = new RegExp(
  String.raw`\b(?:works? (?:now|again|fine now|perfectly now)|working (?:now|again)|now (?:it )?(?:works|` +
    String.raw`is working|loads|syncs)|now (?:it'?s |all )?(?:fine|good|working)|(?:is |are |got )?(?:fixed|` +
    String.raw`solved|resolved|sorted) (?:now|it)|(?:that|this|which|you) (?:fixed|solved|did) (?:it|the ` +
    String.raw`trick)|all good now|back (?:up|to normal)|problem (?:is )?(?:gone|solved|fixed))\b`,
  'i',
);

/**
 * Token indices of praise that reads as irony: in a text that reports a problem (and does not say it is
 * solved), praise standing alone as an exclamation ("Great…", "great,", "Oh wonderful."), praise of the
 * work itself ("Fantastic work", "great job"), "love how/that/it when …" and "thanks a lot / for nothing".
 */
export function ironicPraise(
  text: string,
  tokens: ReturnType<typeof tokenize> = tokenize(text),
): { indices: Set<number>; evidence: string[] } {
  const indices = new Set<number>();
  const evidence: string[] = [];
  if (!PROBLEM_RE.test(text) || SOLVED_RE.test(text)) return { indices, evidence };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!PRAISE.has(t.lower)) continue;
    const before = text.slice(Math.max(0, t.index - 12), t.index);
    const after = text.slice(t.index + t.raw.length, t.index + t.raw.length + 40);
    const clauseStart =
      /(?:^|[.!?,;:)-]\s*|\b(?:oh|just|so|how|really|wow|yeah|well|soo+)\s+)$/i.test(before) || t.index === 0;
    const standsAlone = clauseStart && /^\s*(?:\.{2,}|[,.!…;:-]|$)/.test(after);
    const verdict = clauseStart && VERDICT_NOUNS.test(after);
    const loveHow =
      (t.lower === 'love' || t.lower === 'loving') && /^\s+(?:how|that|it when|the way|when)\b/i.test(after);
    const thanksFor =
      (t.lower === 'thanks' || t.lower === 'thank') &&
      new RegExp(
        String.raw`^\s*(?:you\s+)?(?:(?:so much |very much )?for nothing|a lot\b|a bunch\b|again\b|for ` +
          String.raw`(?:that|this|breaking|ruining|wasting))`,
        'i',
      ).test(after);
    // A bare "thanks" after a complaint is as often polite as sarcastic: it is left alone.
    const bareThanks = (t.lower === 'thanks' || t.lower === 'thank') && !thanksFor;
    if ((standsAlone && !bareThanks) || verdict || loveHow || thanksFor) {
      indices.add(i);
      evidence.push(excerpt(text.slice(t.index, t.index + t.raw.length + 20).trim()));
    }
  }
  return { indices, evidence };
}

/** Swear words VADER reads only as intensifiers ("damn good"). */
const PROFANE_BOOSTERS = new Set([
  'damn',
  'goddamn',
  'goddamned',
  'fucking',
  'freaking',
  'frigging',
  'friggin',
  'bloody',
  'effing',
]);
/** The valence of a swear word that intensifies nothing ("change the damn address"): annoyance. */
const BARE_PROFANITY = -1.5;

/**
 * VADER-style valence sum and sifted proportions for a list of tokens. Unless `baseline`, praise in a
 * complaint counts against (`ironicPraise`) and a swear word that intensifies nothing counts as annoyance.
 */
function vaderScore(
  text: string,
  baseline: boolean,
): { compound: number; pos: number; neg: number; neu: number; ironic: string[] } {
  let prepared = text;
  for (const [re, word] of EMOTICONS) prepared = prepared.replace(re, word);
  const tokens = tokenize(prepared);
  const n = tokens.length;
  if (n === 0) return { compound: 0, pos: 0, neg: 0, neu: 0, ironic: [] };
  const ironic = !baseline ? ironicPraise(prepared, tokens) : { indices: new Set<number>(), evidence: [] };
  const lw = tokens.map((t) => t.lower);
  let anyCaps = false;
  let anyLower = false;
  for (const t of tokens) {
    if (isAllCaps(t.raw)) anyCaps = true;
    else if (HAS_LOWER_RE.test(t.raw)) anyLower = true;
  }
  const capDiff = anyCaps && anyLower;

  const sentiments = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const w = lw[i]!;
    if (!baseline && PROFANE_BOOSTERS.has(w) && !lw.slice(i + 1, i + 4).some((x) => VALENCE.has(x))) {
      sentiments[i] = BARE_PROFANITY;
      continue;
    }
    if (BOOSTERS.has(w) || DAMPENERS.has(w)) continue;
    if (w === 'kind' && lw[i + 1] === 'of') continue;
    let v = VALENCE.get(w);
    if (v === undefined) continue;
    if (ironic.indices.has(i)) v = -Math.abs(v);
    if (capDiff && isAllCaps(tokens[i]!.raw)) v += v > 0 ? C_INCR : -C_INCR;
    for (let k = 1; k <= 3 && i - k >= 0; k++) {
      const j = i - k;
      const pw = lw[j]!;
      // Unlike original VADER, another sentiment word ends the look-back: in "doesn't work :(" the
      // negator belongs to "work", not to the frown.
      if (VALENCE.has(pw)) break;
      const bigram = j > 0 ? `${lw[j - 1]} ${pw}` : '';
      let s = 0;
      if (BOOSTERS.has(pw)) s = B_INCR;
      else if (DAMPENERS.has(pw) || DAMPENERS.has(bigram)) s = B_DECR;
      if (s !== 0) {
        if (v < 0) s = -s;
        if (capDiff && isAllCaps(tokens[j]!.raw)) s += v > 0 ? C_INCR : -C_INCR;
        if (k === 2) s *= 0.95;
        if (k === 3) s *= 0.9;
        v += s;
      }
      if (isNegator(pw)) {
        // "never so good" / "never this good" intensify instead of negating (VADER).
        if (k > 1 && pw === 'never' && (lw[i - 1] === 'so' || lw[i - 1] === 'this')) v *= 1.25;
        else if (!(pw === 'without' && lw[j + 1] === 'doubt')) v *= N_SCALAR;
      }
    }
    sentiments[i] = v;
  }

  // Contrast: the clause after the first "but"/"however" weighs more, the one before less.
  for (let i = 0; i < n; i++) {
    if (CONTRAST_WORDS.has(lw[i]!)) {
      for (let j = 0; j < n; j++) {
        if (j < i) sentiments[j]! *= CONTRAST_BEFORE;
        else if (j > i) sentiments[j]! *= CONTRAST_AFTER;
      }
      break;
    }
  }

  let sum = 0;
  let posSum = 0;
  let negSum = 0;
  let neuCount = 0;
  for (const s of sentiments) {
    sum += s;
    if (s > 0) posSum += s + 1;
    else if (s < 0) negSum += s - 1;
    else neuCount += 1;
  }
  // Punctuation emphasis.
  let excl = 0;
  let quest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 33) excl++;
    else if (c === 63) quest++;
  }
  const ep = Math.min(excl, 4) * 0.292;
  const qm = quest > 1 ? (quest <= 3 ? quest * 0.18 : 0.96) : 0;
  const amp = ep + qm;
  if (sum > 0) {
    sum += amp;
    posSum += amp;
  } else if (sum < 0) {
    sum -= amp;
    negSum -= amp;
  }
  const compound = clamp(sum / Math.sqrt(sum * sum + ALPHA), -1, 1);
  const total = posSum + Math.abs(negSum) + neuCount;
  return {
    compound,
    pos: total ? posSum / total : 0,
    neg: total ? Math.abs(negSum) / total : 0,
    neu: total ? neuCount / total : 0,
    ironic: ironic.evidence,
  };
}

/** Shouting: several words in capitals that are not known acronyms. */
function shoutingCue(text: string): SentimentCue | undefined {
  const tokens = tokenize(text);
  let letterWords = 0;
  const shouted: string[] = [];
  for (const t of tokens) {
    if (!LETTER_RE.test(t.raw)) continue;
    letterWords++;
    if (t.raw.length >= 3 && isAllCaps(t.raw) && !ACRONYMS.has(t.raw.toUpperCase())) shouted.push(t.raw);
  }
  if (shouted.length < 2) return undefined;
  const ratio = shouted.length / Math.max(1, letterWords);
  if (ratio < 0.4 && shouted.length < 4) return undefined;
  return {
    cue: 'shouting',
    kind: 'anger',
    weight: round(clamp(0.3 + 0.4 * ratio, 0.3, 0.7), 2),
    evidence: excerpt(shouted.slice(0, 8).join(' ')),
  };
}

function punctuationCues(text: string): SentimentCue[] {
  const out: SentimentCue[] = [];
  const excl = /(?:!\s*){2,}|(?:[!?]\s*)*(?:!\s*\?|\?\s*!)(?:[!?])*/.exec(text);
  if (excl) {
    const run = excl[0].replace(/\s/g, '');
    out.push({
      cue: 'repeated_exclamation',
      kind: 'frustration',
      weight: run.length >= 3 ? 0.45 : 0.35,
      evidence: run,
    });
  }
  const quest = /\?(?:\s*\?)+/.exec(text);
  if (quest)
    out.push({ cue: 'repeated_question', kind: 'frustration', weight: 0.3, evidence: quest[0].replace(/\s/g, '') });
  return out;
}

const GLOBAL_CUES: ReadonlyArray<CueDef & { global: RegExp }> = CUES.map((d) => ({
  ...d,
  global: new RegExp(d.re.source, 'gi'),
}));

/** Runs the cue catalogue; one entry per cue (the first match that is not negated). */
function matchCues(text: string): SentimentCue[] {
  const out: SentimentCue[] = [];
  for (const def of GLOBAL_CUES) {
    if (def.cue === 'again' && out.some((c) => c.cue === 'again_emphatic' || c.cue === 'repeat_contact')) continue;
    for (const m of text.matchAll(def.global)) {
      if (def.negatable && negatedBefore(text, m.index)) continue;
      out.push({ cue: def.cue, kind: def.kind, weight: def.weight, evidence: excerpt(m[0]) });
      break;
    }
  }
  return out;
}

/**
 * Analyses the sentiment of a ticket text (VADER-style compound score and label) and the
 * support-desk emotion cues in it (frustration, anger, anxiety, churn and legal threats).
 * Praise in a complaint reads as irony and counts against (`ironicPraise`), and a swear word that
 * intensifies nothing reads as annoyance; `baseline: true` gives the plain lexicon score without either
 * (the baseline of `npm run bench -- sentiment`). Pure and fast; only the first
 * `MAX_ANALYSED_CHARS` characters are read.
 */
export function analyseSentiment(text: string, opts: { baseline?: boolean } = {}): SentimentResult {
  const clean = normalise(text.length > MAX_ANALYSED_CHARS ? text.slice(0, MAX_ANALYSED_CHARS) : text);
  const { compound, pos, neg, neu, ironic } = vaderScore(clean, opts.baseline ?? false);
  const cues = matchCues(clean);
  if (ironic.length)
    cues.push({ cue: 'irony', kind: 'frustration', weight: 0.5, evidence: ironic.slice(0, 3).join(' / ') });
  const shout = shoutingCue(clean);
  if (shout) cues.push(shout);
  cues.push(...punctuationCues(clean));
  if (compound <= -0.5) {
    cues.push({
      cue: 'negative_tone',
      kind: 'frustration',
      weight: round(clamp(0.6 * (-compound - 0.3), 0, 0.4), 2),
      evidence: `compound ${round(compound)}`,
    });
  }
  cues.sort((a, b) => b.weight - a.weight);

  const of = (kind: CueKind, scale = 1) => cues.filter((c) => c.kind === kind).map((c) => c.weight * scale);
  const emotions: EmotionScores = {
    frustration: round(noisyOr([...of('frustration'), ...of('churn', 0.5)])),
    anger: round(noisyOr([...of('anger'), ...of('legal'), ...of('churn', 0.3)])),
    anxiety: round(noisyOr(of('anxiety'))),
  };
  const label: SentimentLabel =
    compound >= POSITIVE_THRESHOLD ? 'positive' : compound <= NEGATIVE_THRESHOLD ? 'negative' : 'neutral';
  return {
    label,
    compound: round(compound, 4),
    pos: round(pos),
    neg: round(neg),
    neu: round(neu),
    emotions,
    cues,
    churnRisk: cues.some((c) => c.kind === 'churn'),
  };
}
