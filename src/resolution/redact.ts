/**
 * PII redaction before text leaves the machine: e-mail addresses, phone numbers, card numbers (Luhn),
 * IBANs (mod 97), IP addresses, API-key-like secrets and the customer's own name become placeholders
 * such as `[EMAIL_1]`. The same value always gets the same placeholder, so a reply written with
 * placeholders can be restored: names, e-mails, phones and IPs come back as written; cards and IBANs
 * only by their last four digits; secrets never.
 */
import { z } from 'zod';
import { STOP_WORDS } from '../nlp/lexicon/language.js';

export const PII_KINDS = ['secret', 'email', 'iban', 'card', 'ip', 'phone', 'name'] as const;
export const PiiKindSchema = z.enum(PII_KINDS);
export type PiiKind = z.infer<typeof PiiKindSchema>;

export const RedactionSchema = z.object({ placeholder: z.string(), kind: PiiKindSchema, value: z.string() });
/** One redacted value and its placeholder. */
export type Redaction = z.infer<typeof RedactionSchema>;

type Span = { start: number; end: number };
type Detector = { kind: PiiKind; find: (text: string) => Span[] };

const spansOf = (re: RegExp, text: string, valid: (s: string) => boolean = () => true): Span[] =>
  [...text.matchAll(re)].filter((m) => valid(m[0])).map((m) => ({ start: m.index, end: m.index + m[0].length }));

const digits = (s: string) => s.replace(/\D/g, '');

/** The Luhn checksum of a card number. */
export function luhnValid(number: string): boolean {
  const d = digits(number);
  if (d.length < 13 || d.length > 19 || /^(\d)\1+$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** The ISO 13616 mod-97 check of an IBAN (spaces allowed). */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const v = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const c of v) rest = (rest * 10 + Number(c)) % 97;
  }
  return rest === 1;
}

const SECRET_RES = [
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g,
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /\bdm_[A-Za-z0-9_-]{16,}/g,
];
const LONG_TOKEN_RE = /(?<![\w-])(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}(?![\w-])/g;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSWORD_RE = /\b(?:password|passwd|pwd|passcode)\s*(?:is|:|=)\s*((?=\S*[\d!@#$%^&*_])\S{6,})/gi;
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const IBAN_RE = /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b/g;
const CARD_RE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const IPV4_RE = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])/g;
const IPV6_RE = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,6}|[0-9A-Fa-f]{1,4})(?![\w:])/g;
const PHONE_RE = /(?<![\w+])(?:\+|00)?\d[\d ().-]{5,}\d(?!\w)/g;
const DATE_RE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/;

/** The longest valid IBAN at the start of a match (greedy matching may take in a following word). */
function ibanSpans(text: string): Span[] {
  const out: Span[] = [];
  for (const m of text.matchAll(IBAN_RE)) {
    const raw = m[0];
    for (let end = raw.length; end >= 15; end--) {
      const candidate = raw.slice(0, end).replace(/[ -]$/, '');
      if (ibanValid(candidate)) {
        out.push({ start: m.index, end: m.index + candidate.length });
        break;
      }
    }
  }
  return out;
}

function isPhone(s: string): boolean {
  const n = digits(s).length;
  if (n < 7 || n > 15 || DATE_RE.test(s.trim())) return false;
  return /^(\+|00)/.test(s) || /[ ().-]/.test(s) ? n >= 8 || /^(\+|00)/.test(s) : n >= 10;
}

const COMMON_WORDS = new Set(STOP_WORDS.en.split(/\s+/));

function nameDetector(names: string[]): Detector {
  const patterns: RegExp[] = [];
  const seen = new Set<string>();
  for (const full of names) {
    const parts = full
      .trim()
      .split(/\s+/)
      .filter((p) => p.length >= 2);
    const variants = parts.length > 1 ? [full.trim().replace(/\s+/g, ' '), ...parts] : parts;
    for (const v of variants) {
      if (seen.has(v.toLowerCase())) continue;
      seen.add(v.toLowerCase());
      const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
      // A name that is also a common word ("Will", "May") is matched only as written.
      const flags = COMMON_WORDS.has(v.toLowerCase()) ? 'gu' : 'giu';
      patterns.push(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, flags));
    }
  }
  return { kind: 'name', find: (text) => patterns.flatMap((re) => spansOf(re, text)) };
}

const DETECTORS: Detector[] = [
  {
    kind: 'secret',
    find: (text) => [
      ...SECRET_RES.flatMap((re) => spansOf(re, text)),
      ...spansOf(LONG_TOKEN_RE, text, (s) => !UUID_RE.test(s)),
      ...[...text.matchAll(PASSWORD_RE)].map((m) => ({
        start: m.index + m[0].length - m[1]!.length,
        end: m.index + m[0].length,
      })),
    ],
  },
  { kind: 'email', find: (text) => spansOf(EMAIL_RE, text) },
  { kind: 'iban', find: ibanSpans },
  { kind: 'card', find: (text) => spansOf(CARD_RE, text, luhnValid) },
  {
    kind: 'ip',
    find: (text) => [
      ...spansOf(IPV4_RE, text),
      ...spansOf(IPV6_RE, text, (s) => s.includes('::') || s.split(':').length === 8),
    ],
  },
  { kind: 'phone', find: (text) => spansOf(PHONE_RE, text, isPhone) },
];

const PLACEHOLDER_RE = /\[([A-Z]+)_(\d+)\]/g;

/** Redacts and restores consistently across every text of one conversation with a model. */
export interface Redactor {
  /** The text with PII replaced by placeholders. */
  redact(text: string): string;
  /** The text with placeholders put back (see the module doc); `unknown` lists placeholders it never issued. */
  restore(text: string): { text: string; unknown: string[] };
  /** Everything redacted so far. */
  readonly redactions: readonly Redaction[];
}

/**
 * A redactor for one conversation; `names` are the customer's own names (full name, its parts are matched too).
 * @example const r = createRedactor({ names: [customer.name] }); const safe = r.redact(question)
 */
export function createRedactor(opts: { names?: (string | null | undefined)[] } = {}): Redactor {
  const names = (opts.names ?? []).filter((n): n is string => !!n && n.trim().length >= 2 && !n.includes('@'));
  const detectors = names.length ? [...DETECTORS, nameDetector(names)] : DETECTORS;
  const byValue = new Map<string, Redaction>();
  const byPlaceholder = new Map<string, Redaction>();
  const counts = new Map<PiiKind, number>();
  const placeholderFor = (kind: PiiKind, value: string): string => {
    const key = `${kind}\u0000${value}`;
    let r = byValue.get(key);
    if (!r) {
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      r = { placeholder: `[${kind.toUpperCase()}_${n}]`, kind, value };
      byValue.set(key, r);
      byPlaceholder.set(r.placeholder, r);
    }
    return r.placeholder;
  };
  return {
    redact(text) {
      let out = text;
      for (const d of detectors) {
        const spans = d.find(out).sort((a, b) => a.start - b.start || b.end - a.end);
        let result = '';
        let at = 0;
        for (const s of spans) {
          if (s.start < at) continue;
          const value = out.slice(s.start, s.end);
          // Never redact inside a placeholder issued by an earlier detector.
          if (/^\[?[A-Z]+_\d+\]?$/.test(value)) continue;
          result += out.slice(at, s.start) + placeholderFor(d.kind, value);
          at = s.end;
        }
        out = result + out.slice(at);
      }
      return out;
    },
    restore(text) {
      const unknown: string[] = [];
      const restored = text.replace(PLACEHOLDER_RE, (m) => {
        const r = byPlaceholder.get(m);
        if (!r) {
          unknown.push(m);
          return m;
        }
        if (r.kind === 'card') return `the card ending in ${digits(r.value).slice(-4)}`;
        if (r.kind === 'iban') return `the account ending in ${r.value.replace(/[\s-]/g, '').slice(-4)}`;
        if (r.kind === 'secret') return '[redacted]';
        return r.value;
      });
      return { text: restored, unknown };
    },
    get redactions() {
      return [...byPlaceholder.values()];
    },
  };
}

/** Redacts one text. */
export function redact(
  text: string,
  opts: { names?: (string | null | undefined)[] } = {},
): { text: string; redactions: Redaction[] } {
  const r = createRedactor(opts);
  const out = r.redact(text);
  return { text: out, redactions: [...r.redactions] };
}
