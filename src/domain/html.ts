import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'div',
    'span',
    'blockquote',
    'pre',
    'code',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'sub',
    'sup',
    'ul',
    'ol',
    'li',
    'a',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'img',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  disallowedTagsMode: 'discard',
};

/** Removes everything but a safe subset of formatting HTML (no scripts, styles, event handlers or javascript: links).
 */
export const sanitise = (html: string): string => sanitizeHtml(html, OPTIONS);

const ACTIVE = [
  { re: /<\s*script\b/i, what: 'script element' },
  { re: /<\s*(iframe|object|embed|applet|frame|base|meta|link|form)\b/i, what: 'embedding element' },
  { re: /\son[a-z]+\s*=/i, what: 'event handler attribute' },
  {
    re: /(href|src|action|formaction)\s*=\s*["']?\s*(javascript|vbscript|data\s*:\s*text\/html)/i,
    what: 'script link',
  },
];

/** The kinds of active content in HTML (empty when there is none). */
export function findActiveContent(html: string): string[] {
  return ACTIVE.filter((a) => a.re.test(html)).map((a) => a.what);
}

/** Plain text of an HTML fragment: tags dropped, block ends as line breaks, entities decoded. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<\s*(br|\/p|\/div|\/li|\/h[1-6]|\/tr)\s*\/?>/gi, '\n');
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
