/**
 * Language detection for ticket texts, biased towards English where evidence is thin.
 *
 * 1. Noise (URLs, e-mails, code, paths, identifiers) is removed.
 * 2. A script check: text mostly in a non-Latin script gets that script's language (Cyrillic → ru/uk,
 *    Han/kana → zh/ja, Hangul → ko, Arabic → ar/fa/ur, ...).
 * 3. Latin text is scored against en, es, fr, de, pt, it, nl with stop-word hits and a character
 *    trigram profile distance (Cavnar & Trenkle "out-of-place"), plus hints from distinctive letters.
 * 4. Short or weakly-evidenced mostly-ASCII text (product words, error codes) stays English with a
 *    lower confidence.
 */
import { z } from 'zod';
import { PROFILED_LANGUAGES, STOP_WORDS, TRIGRAMS, type ProfiledLanguage } from './lexicon/language.js';
import { clamp, normalise, round, stripNoise } from './text.js';

/** Languages supported by default (answers, macros and the classifier exist for them). */
export const DEFAULT_SUPPORTED_LANGUAGES: readonly string[] = ['en'];
/** Fewer words than this and a mostly-ASCII text is taken as English unless evidence is strong. */
export const SHORT_TEXT_WORDS = 4;
/** Only the first this-many characters are read. */
export const MAX_DETECT_CHARS = 4_000;

const TRIGRAM_PROFILE_SIZE = 200;
const MAX_RANK_DIFF = 300;
const TEXT_PROFILE_SIZE = 300;

/** How the language was decided. */
export const LanguageMethodSchema = z.enum(['script', 'profile', 'default']);
/** How the language was decided. */
export type LanguageMethod = z.infer<typeof LanguageMethodSchema>;

/** Result of `detectLanguage`. */
export const LanguageResultSchema = z.object({
  /** ISO 639-1 code ("en", "es", "ru", "zh", ...). */
  language: z.string(),
  /** 0..1; short or noisy texts get a lower confidence. */
  confidence: z.number().min(0).max(1),
  /** True when `language` is in the configured supported list. */
  supported: z.boolean(),
  /** Relative score per candidate language (sums to 1 over the candidates). */
  scores: z.record(z.string(), z.number()),
  /** Dominant script: Latin, Cyrillic, Han, Arabic, ... or "none". */
  script: z.string(),
  method: LanguageMethodSchema,
  /** One sentence on why this language was chosen. */
  reason: z.string(),
});
/** Result of `detectLanguage`. */
export type LanguageResult = z.infer<typeof LanguageResultSchema>;

/** Options of `detectLanguage`. */
export const DetectLanguageOptionsSchema = z.object({
  /** Language codes the workspace supports (default `['en']`). */
  supported: z.array(z.string()).optional(),
});
/** Options of `detectLanguage`. */
export type DetectLanguageOptions = z.infer<typeof DetectLanguageOptionsSchema>;

// ---- data prepared once ----

const TRIGRAM_RANKS: ReadonlyMap<ProfiledLanguage, ReadonlyMap<string, number>> = new Map(
  PROFILED_LANGUAGES.map((lang) => [
    lang,
    new Map(
      TRIGRAMS[lang]
        .split('|')
        .slice(0, TRIGRAM_PROFILE_SIZE)
        .map((t, i) => [t, i] as const),
    ),
  ]),
);

/** Stop word → weight per language (a word shared by k languages weighs 1/k for each). */
const STOP_INDEX: ReadonlyMap<string, ReadonlyArray<readonly [ProfiledLanguage, number]>> = (() => {
  const langsOf = new Map<string, Set<ProfiledLanguage>>();
  for (const lang of PROFILED_LANGUAGES) {
    for (const w of STOP_WORDS[lang].split(/\s+/)) {
      if (!w) continue;
      let s = langsOf.get(w);
      if (!s) langsOf.set(w, (s = new Set()));
      s.add(lang);
    }
  }
  const out = new Map<string, Array<readonly [ProfiledLanguage, number]>>();
  for (const [w, langs] of langsOf)
    out.set(
      w,
      [...langs].map((l) => [l, 1 / langs.size] as const),
    );
  return out;
})();

/** Letters that point at one profiled language (weight per occurrence). */
const LETTER_HINTS: ReadonlyArray<readonly [RegExp, ProfiledLanguage, number]> = [
  [/[ñ¿¡]/g, 'es', 1],
  [/[ãõ]/g, 'pt', 1],
  [/[ßäöü]/g, 'de', 0.8],
  [/[œâêîûëÿ]/g, 'fr', 0.6],
  [/ç/g, 'fr', 0.3],
  [/ç/g, 'pt', 0.3],
  [/[ìò]/g, 'it', 0.6],
  [/ij/g, 'nl', 0.3],
];

interface ScriptDef {
  script: string;
  re: RegExp;
  /** Language of the script, refined by `refine` when letters tell more. */
  language: string;
  refine?: (text: string) => string;
}

const SCRIPTS: readonly ScriptDef[] = [
  {
    script: 'Cyrillic',
    re: /\p{Script=Cyrillic}/gu,
    language: 'ru',
    refine: (t) => (/[іїєґ]/i.test(t) ? 'uk' : /ў/i.test(t) ? 'be' : /[ђћџљњ]/i.test(t) ? 'sr' : 'ru'),
  },
  { script: 'Han', re: /\p{Script=Han}/gu, language: 'zh' },
  { script: 'Kana', re: /[\p{Script=Hiragana}\p{Script=Katakana}]/gu, language: 'ja' },
  { script: 'Hangul', re: /\p{Script=Hangul}/gu, language: 'ko' },
  {
    script: 'Arabic',
    re: /\p{Script=Arabic}/gu,
    language: 'ar',
    refine: (t) => (/[ٹڈڑںے]/.test(t) ? 'ur' : /[پچژگ]/.test(t) ? 'fa' : 'ar'),
  },
  { script: 'Hebrew', re: /\p{Script=Hebrew}/gu, language: 'he' },
  { script: 'Greek', re: /\p{Script=Greek}/gu, language: 'el' },
  { script: 'Thai', re: /\p{Script=Thai}/gu, language: 'th' },
  { script: 'Devanagari', re: /\p{Script=Devanagari}/gu, language: 'hi' },
  { script: 'Bengali', re: /\p{Script=Bengali}/gu, language: 'bn' },
  { script: 'Tamil', re: /\p{Script=Tamil}/gu, language: 'ta' },
  { script: 'Telugu', re: /\p{Script=Telugu}/gu, language: 'te' },
  { script: 'Gujarati', re: /\p{Script=Gujarati}/gu, language: 'gu' },
  { script: 'Georgian', re: /\p{Script=Georgian}/gu, language: 'ka' },
  { script: 'Armenian', re: /\p{Script=Armenian}/gu, language: 'hy' },
  { script: 'Ethiopic', re: /\p{Script=Ethiopic}/gu, language: 'am' },
  { script: 'Khmer', re: /\p{Script=Khmer}/gu, language: 'km' },
];

/** Latin-script languages outside the profiles recognised by their distinctive letters. */
const OTHER_LATIN: ReadonlyArray<readonly [RegExp, string]> = [
  [/[ąęłńśźż]/g, 'pl'],
  [/[ğış]/g, 'tr'],
  [/[řěůď]/g, 'cs'],
  [/[ășț]/g, 'ro'],
  [/[ơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/g, 'vi'],
  [/[åæø]/g, 'sv'],
];

const LETTER_ANY_RE = /\p{L}/gu;
const LATIN_RE = /\p{Script=Latin}/gu;
const NON_ASCII_LATIN_RE = /[^\x00-\x7F]/g;
const WORD_RE = /\p{L}+/gu;

function count(text: string, re: RegExp): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text)) n++;
  return n;
}

function isSupported(lang: string, supported: readonly string[]): boolean {
  return supported.some((s) => s.toLowerCase() === lang || s.toLowerCase().split(/[-_]/)[0] === lang);
}

/** Cavnar–Trenkle similarity in [0,1] of the text's trigram ranks to each profile. */
function trigramSimilarity(lowerWords: readonly string[]): Record<ProfiledLanguage, number> {
  const counts = new Map<string, number>();
  for (const w of lowerWords) {
    const padded = ` ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const g = padded.slice(i, i + 3);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, TEXT_PROFILE_SIZE);
  const out = {} as Record<ProfiledLanguage, number>;
  for (const lang of PROFILED_LANGUAGES) {
    const profile = TRIGRAM_RANKS.get(lang)!;
    let distance = 0;
    for (let i = 0; i < ranked.length; i++) {
      const r = profile.get(ranked[i]![0]);
      distance += r === undefined ? MAX_RANK_DIFF : Math.abs(r - i);
    }
    out[lang] = ranked.length ? 1 - distance / (MAX_RANK_DIFF * ranked.length) : 0;
  }
  return out;
}

/**
 * Detects the language of a ticket text. Pure and fast (only the first `MAX_DETECT_CHARS`
 * characters are read). `supported` in the options lists the workspace's languages (default `['en']`).
 */
export function detectLanguage(text: string, options: DetectLanguageOptions = {}): LanguageResult {
  const supportedList = options.supported ?? DEFAULT_SUPPORTED_LANGUAGES;
  const finish = (
    language: string,
    confidence: number,
    scores: Record<string, number>,
    script: string,
    method: LanguageMethod,
    reason: string,
  ): LanguageResult => ({
    language,
    confidence: round(clamp(confidence)),
    supported: isSupported(language, supportedList),
    scores,
    script,
    method,
    reason,
  });

  const clean = stripNoise(normalise(text.length > MAX_DETECT_CHARS ? text.slice(0, MAX_DETECT_CHARS) : text));
  const lower = clean.toLowerCase();
  const letters = count(clean, LETTER_ANY_RE);
  if (letters === 0)
    return finish('en', 0.1, { en: 1 }, 'none', 'default', 'no natural-language letters; defaulting to English');

  // Script check.
  const latin = count(clean, LATIN_RE);
  let best: { def: ScriptDef; n: number } | undefined;
  let kana = 0;
  let han = 0;
  for (const def of SCRIPTS) {
    const n = count(clean, def.re);
    if (def.script === 'Kana') kana = n;
    if (def.script === 'Han') han = n;
    if (n > 0 && (!best || n > best.n)) best = { def, n };
  }
  const nonLatin = letters - latin;
  if (best && nonLatin >= latin * 0.5 && nonLatin >= 2) {
    let language = best.def.refine ? best.def.refine(clean) : best.def.language;
    let script = best.def.script;
    if (kana > 0 && (best.def.script === 'Han' || best.def.script === 'Kana')) {
      language = 'ja';
      script = 'Han+Kana';
    } else if (best.def.script === 'Han' && kana === 0) language = 'zh';
    const share = (best.def.script === 'Han' || best.def.script === 'Kana' ? han + kana : best.n) / letters;
    return finish(
      language,
      0.6 + 0.4 * share,
      { [language]: round(share), en: round(latin / letters) },
      script,
      'script',
      `${Math.round(share * 100)}% of letters are ${script}`,
    );
  }

  const ws = lower.match(WORD_RE) ?? [];
  const wordCount = ws.length;
  const nonAscii = count(clean, NON_ASCII_LATIN_RE);
  const mostlyAscii = nonAscii / Math.max(1, latin) < 0.02;

  // Other Latin-script languages with distinctive letters.
  for (const [re, lang] of OTHER_LATIN) {
    const n = count(lower, re);
    if (n >= 2 && n / latin >= 0.01) {
      return finish(
        lang,
        clamp(0.5 + (n / latin) * 5, 0.5, 0.85),
        { [lang]: 1 },
        'Latin',
        'script',
        `distinctive letters of ${lang} (${n})`,
      );
    }
  }

  // Stop words and letter hints.
  const stop = Object.fromEntries(PROFILED_LANGUAGES.map((l) => [l, 0])) as Record<ProfiledLanguage, number>;
  const exclusiveHits = Object.fromEntries(PROFILED_LANGUAGES.map((l) => [l, 0])) as Record<ProfiledLanguage, number>;
  for (const w of ws) {
    const hits = STOP_INDEX.get(w);
    if (!hits) continue;
    for (const [lang, weight] of hits) {
      stop[lang] += weight;
      if (weight === 1) exclusiveHits[lang] += 1;
    }
  }
  for (const [re, lang, weight] of LETTER_HINTS) stop[lang] += count(lower, re) * weight;

  const tri = trigramSimilarity(ws);
  const maxStop = Math.max(...PROFILED_LANGUAGES.map((l) => stop[l]));
  const maxTri = Math.max(...PROFILED_LANGUAGES.map((l) => tri[l]));
  const minTri = Math.min(...PROFILED_LANGUAGES.map((l) => tri[l]));
  const raw = {} as Record<ProfiledLanguage, number>;
  for (const l of PROFILED_LANGUAGES) {
    const stopRel = maxStop > 0 ? stop[l] / maxStop : 0;
    const triRel = maxTri > minTri ? (tri[l] - minTri) / (maxTri - minTri) : 0;
    raw[l] = (maxStop > 0 ? 0.6 * stopRel : 0) + (maxStop > 0 ? 0.4 : 1) * triRel;
  }
  // Relative scores (softmax with a sharp temperature).
  let z = 0;
  const exps = {} as Record<ProfiledLanguage, number>;
  for (const l of PROFILED_LANGUAGES) z += exps[l] = Math.exp(raw[l] * 6);
  const scores: Record<string, number> = {};
  for (const l of PROFILED_LANGUAGES) scores[l] = round(exps[l] / z);
  const ranked = [...PROFILED_LANGUAGES].sort((a, b) => raw[b] - raw[a]);
  const top = ranked[0]!;
  const second = ranked[1]!;
  const margin = raw[top] - raw[second];

  const lengthFactor = clamp(wordCount / 12, 0.25, 1);
  const stopShare = wordCount ? stop[top] / wordCount : 0;

  if (top === 'en') {
    const conf = mostlyAscii
      ? 0.45 + 0.5 * lengthFactor * clamp(0.4 + stopShare + margin * 0.5)
      : 0.35 + 0.5 * lengthFactor * clamp(stopShare + margin * 0.5);
    return finish(
      'en',
      conf,
      scores,
      'Latin',
      'profile',
      `English stop words ${round(stop.en, 1)} of ${wordCount} words`,
    );
  }

  // A non-English winner needs real evidence, above all in short or mostly-ASCII texts.
  const strong =
    exclusiveHits[top] >= 2 || (exclusiveHits[top] >= 1 && stop[top] >= 2) || (!mostlyAscii && stop[top] >= 1.5);
  const enoughWords = wordCount >= SHORT_TEXT_WORDS || exclusiveHits[top] >= 2 || (!mostlyAscii && stop[top] >= 1.5);
  if (!strong || !enoughWords || stop[top] <= stop.en) {
    const why = wordCount < SHORT_TEXT_WORDS ? 'short text' : 'weak evidence for another language';
    return finish(
      'en',
      mostlyAscii ? 0.4 + 0.2 * lengthFactor : 0.3,
      scores,
      'Latin',
      'default',
      `${why}; ${mostlyAscii ? 'mostly ASCII, ' : ''}defaulting to English`,
    );
  }
  const conf = 0.4 + 0.55 * lengthFactor * clamp(stopShare * 1.5 + margin * 0.5);
  const closest = [...PROFILED_LANGUAGES].sort((a, b) => tri[b] - tri[a])[0];
  return finish(
    top,
    conf,
    scores,
    'Latin',
    'profile',
    `stop-word weight ${round(stop[top], 1)} for ${top} (${exclusiveHits[top]} only in ${top}) vs ` +
      `${round(stop.en, 1)} for en; closest trigram profile ${closest}`,
  );
}
