/**
 * Reading inbound email: MIME parsing (mailparser), threading headers, quoted replies and signatures
 * stripped, HTML sanitised. Pure functions over the raw message; none of them throws on hostile input.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { htmlToText, sanitise } from '../../domain/html.js';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId: string | null;
  content: Buffer;
}

export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string | null;
  /** Message-IDs this mail answers: In-Reply-To first, then References newest first. */
  threadIds: string[];
  references: string[];
  from: { address: string; name: string | null } | null;
  to: string[];
  subject: string;
  /** The new part of the mail: quoted text and signature stripped. */
  text: string;
  /** The mail's HTML, quotes removed, sanitised to a safe subset; null for plain-text mail. */
  html: string | null;
  /** The whole text, quotes included. */
  fullText: string;
  /** An automatic message (out-of-office, bounce, list): `Auto-Submitted` other than `no`, or a bulk `Precedence`. */
  automatic: boolean;
  attachments: EmailAttachment[];
}

const ID_RE = /<[^<>\s]{1,900}>/g;

/** Message-IDs in a header value, each as `<…>`. */
export function messageIds(value: unknown): string[] {
  const parts = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') continue;
    const found = p.match(ID_RE);
    if (found) out.push(...found);
    else if (p.trim() && !/[\s<>]/.test(p.trim()) && p.length <= 900) out.push(`<${p.trim()}>`);
  }
  return [...new Set(out)];
}

const addresses = (v: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : [])
    .flatMap((a) => a.value ?? [])
    .map((a) => (a.address ?? '').trim().toLowerCase())
    .filter((a) => a.includes('@'));

// Lines that start the quoted original of a reply, in the languages mail clients use most.
const ATTRIBUTION = [
  /^On\b.{0,300}\bwrote:?\s*$/i,
  /^Le\b.{0,300}\ba écrit\s*:?\s*$/i,
  /^Am\b.{0,300}\bschrieb\b.{0,100}$/i,
  /^El\b.{0,300}\bescribió:?\s*$/i,
  /^Il\b.{0,300}\bha scritto:?\s*$/i,
  /^Op\b.{0,300}\bschreef\b.{0,100}$/i,
  /^-{2,}\s*(Original Message|Forwarded message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
];
const SIGNATURE = [
  /^-- ?$/,
  /^Sent from my \w[\w ]{0,40}$/i,
  /^Get Outlook for \w+/i,
  /^Envoyé de mon \w+/i,
  /^Von meinem \w[\w ]{0,40} gesendet$/i,
];
const HEADER_BLOCK_START = /^\*?From:\*?\s.{1,300}$/i;
const HEADER_BLOCK_NEXT = /^\*?(Sent|Date|To|Subject|Cc):\*?\s/i;

/**
 * The new part of a plain-text reply: cut at the attribution line of the quoted original ("On … wrote:",
 * an Outlook header block, "-----Original Message-----"), at a signature delimiter ("-- ") or a
 * "Sent from my phone" line; `>`-quoted lines dropped. Falls back to the whole text when nothing is left.
 */
export function stripReply(text: string): string {
  const normalised = String(text ?? '').replace(/\r\n?/g, '\n');
  const lines = normalised.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (ATTRIBUTION.some((re) => re.test(trimmed))) break;
    // Attribution lines that wrap: "On Mon, 1 Jun 2026 at 09:00, Kim <kim@example.com>" / "wrote:".
    if (
      /^On\b/i.test(trimmed) &&
      trimmed.length <= 300 &&
      i + 1 < lines.length &&
      /^.{0,200}\bwrote:?\s*$/i.test(lines[i + 1]!.trim())
    )
      break;
    if (HEADER_BLOCK_START.test(trimmed) && lines.slice(i + 1, i + 4).some((l) => HEADER_BLOCK_NEXT.test(l.trim())))
      break;
    if (SIGNATURE.some((re) => re.test(line.trimEnd()))) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  const out = kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return out || normalised.trim();
}

const QUOTE_CLASSES =
  /\b(gmail_quote|gmail_signature|moz-cite-prefix|moz-signature|yahoo_quoted|protonmail_quote|OutlookMessageHeader)\b/i;
const QUOTE_IDS = /^(appendonsend|divRplyFwdMsg|Signature|x_divRplyFwdMsg)$/i;

/** The mail's HTML without its quoted original and signature blocks, sanitised to the safe subset. */
export function cleanEmailHtml(html: string): string {
  const withoutQuotes = sanitizeHtml(String(html ?? ''), {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    exclusiveFilter: (frame) =>
      frame.tag === 'blockquote' ||
      QUOTE_CLASSES.test(frame.attribs.class ?? '') ||
      QUOTE_IDS.test(frame.attribs.id ?? '') ||
      ['script', 'style', 'head', 'title'].includes(frame.tag),
  });
  return sanitise(withoutQuotes).trim();
}

/** Parses a raw RFC 5322 message. Never throws: an unreadable message yields its bytes as text. */
export async function parseEmail(raw: Buffer | string): Promise<ParsedEmail> {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  try {
    const m = await simpleParser(buf, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
    const html = typeof m.html === 'string' && m.html.trim() ? cleanEmailHtml(m.html) : null;
    const fullText = (m.text ?? (typeof m.html === 'string' ? htmlToText(sanitise(m.html)) : '')).trim();
    const plainNew = m.text ? stripReply(m.text) : html ? stripReply(htmlToText(html)) : '';
    const references = messageIds(m.references);
    const inReplyTo = messageIds(m.inReplyTo)[0] ?? null;
    const auto = String(m.headers.get('auto-submitted') ?? 'no').toLowerCase();
    const precedence = String(m.headers.get('precedence') ?? '').toLowerCase();
    const from = m.from?.value?.find((a) => a.address?.includes('@'));
    return {
      messageId: messageIds(m.messageId)[0] ?? null,
      inReplyTo,
      references,
      threadIds: [...new Set([...(inReplyTo ? [inReplyTo] : []), ...[...references].reverse()])],
      from: from ? { address: from.address!.trim().toLowerCase(), name: from.name?.trim() || null } : null,
      to: [...new Set([...addresses(m.to), ...addresses(m.cc)])],
      subject: (m.subject ?? '').replace(/\s+/g, ' ').trim(),
      text: plainNew,
      html,
      fullText,
      automatic: (auto !== 'no' && auto !== '') || ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence),
      attachments: (m.attachments ?? []).map((a) => ({
        filename: (a.filename ?? '').replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 255) || 'attachment',
        contentType: (a.contentType || 'application/octet-stream').slice(0, 255),
        size: a.size ?? a.content.length,
        contentId: a.contentId ?? null,
        content: a.content,
      })),
    };
  } catch {
    const text = buf
      .toString('utf8')
      .replace(/[\u0000]/g, '')
      .slice(0, 100_000);
    return {
      messageId: null,
      inReplyTo: null,
      references: [],
      threadIds: [],
      from: null,
      to: [],
      subject: '',
      text,
      html: null,
      fullText: text,
      automatic: false,
      attachments: [],
    };
  }
}

/** "Re: <subject>" unless the subject already starts with a reply prefix. */
export const replySubject = (subject: string): string =>
  /^\s*(re|aw|sv|antw)\s*:/i.test(subject) ? subject : `Re: ${subject}`;

/** The subject without reply/forward prefixes, for a new ticket. */
export const baseSubject = (subject: string): string =>
  subject.replace(/^(\s*(re|aw|sv|antw|fwd?|wg|tr)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
