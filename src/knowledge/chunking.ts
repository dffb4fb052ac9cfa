/**
 * Splits an article's markdown into retrieval chunks: by heading, then by paragraph, packed into
 * chunks of about 80–250 words. Each chunk keeps its heading; the article title is kept as context
 * by the full-text vector and the embedding (see `chunkContext`). Pure functions, no I/O.
 */

/** One retrieval unit of an article. */
export interface Chunk {
  ordinal: number;
  /** The nearest heading above the text, or null before the first heading. */
  heading: string | null;
  /** Plain-ish text: markdown links, images and emphasis markers removed. */
  text: string;
}

export interface ChunkOptions {
  /** Chunks below this many words are merged with a neighbour when possible. */
  minWords?: number;
  /** Chunks never exceed this many words (a longer paragraph is split by sentences). */
  maxWords?: number;
}

const HEADING_RE = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE_RE = /^\s{0,3}(```|~~~)/;

const countWords = (s: string) => (s.match(/\S+/g) ?? []).length;

/** Removes markdown syntax that carries no words: images, link targets, emphasis, HTML tags. */
export function markdownToText(md: string): string {
  return md
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<[^>\n]+>/g, ' ')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|\W)[*_](\S[^*_\n]*?)[*_](?=\W|$)/g, '$1$2')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

interface Section {
  heading: string | null;
  paragraphs: string[];
}

/** Sections (text under each heading) made of paragraphs (blank-line separated; code fences kept whole). */
function sections(md: string): Section[] {
  const out: Section[] = [{ heading: null, paragraphs: [] }];
  let para: string[] = [];
  let fence: string | null = null;
  const flush = () => {
    const text = markdownToText(para.join('\n'));
    if (text) out.at(-1)!.paragraphs.push(text);
    para = [];
  };
  for (const line of md.replace(/\r\n?/g, '\n').split('\n')) {
    const f = FENCE_RE.exec(line);
    if (fence) {
      para.push(line);
      if (f && f[1] === fence) {
        fence = null;
        flush();
      }
      continue;
    }
    if (f) {
      flush();
      fence = f[1]!;
      para.push(line);
      continue;
    }
    const h = HEADING_RE.exec(line);
    if (h) {
      flush();
      out.push({ heading: markdownToText(h[2]!) || null, paragraphs: [] });
    } else if (line.trim() === '') flush();
    else para.push(line);
  }
  flush();
  return out.filter((s) => s.paragraphs.length > 0);
}

/** Splits a too-long paragraph into pieces of at most `max` words, at sentence ends when possible. */
function splitLong(text: string, max: number): string[] {
  const sentences = text.match(/[^.!?\n]+(?:[.!?]+|\n|$)\s*/g) ?? [text];
  const pieces: string[] = [];
  let cur: string[] = [];
  let n = 0;
  const push = () => {
    if (cur.length) pieces.push(cur.join(' ').replace(/\s+/g, ' ').trim());
    cur = [];
    n = 0;
  };
  for (const s of sentences) {
    const words = s.trim().split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i += max) {
      const part = words.slice(i, i + max);
      if (n + part.length > max) push();
      cur.push(part.join(' '));
      n += part.length;
    }
  }
  push();
  return pieces.filter(Boolean);
}

/**
 * Chunks an article body.
 *
 * @example
 * chunkMarkdown('Intro text…\n\n## Reset your password\n\nOpen Settings…')
 * // → [{ ordinal: 0, heading: null, text: 'Intro text…' }, { ordinal: 1, heading: 'Reset your password', text: 'Open
 * Settings…' }]
 */
export function chunkMarkdown(body: string, options: ChunkOptions = {}): Chunk[] {
  const min = options.minWords ?? 80;
  const max = options.maxWords ?? 250;
  const out: { heading: string | null; text: string; words: number; section: number }[] = [];
  sections(body).forEach((section, si) => {
    const parts = section.paragraphs.flatMap((p) => (countWords(p) > max ? splitLong(p, max) : [p]));
    let cur: string[] = [];
    let n = 0;
    const push = () => {
      if (cur.length) out.push({ heading: section.heading, text: cur.join('\n\n'), words: n, section: si });
      cur = [];
      n = 0;
    };
    for (const p of parts) {
      const w = countWords(p);
      if (n > 0 && n + w > max) push();
      cur.push(p);
      n += w;
      if (n >= max) push();
    }
    push();
  });
  // Merge chunks that are too small into the previous one while they fit (a merged section keeps its heading inline).
  const merged: typeof out = [];
  for (const c of out) {
    const prev = merged.at(-1);
    if (prev && (c.words < min || prev.words < min) && prev.words + c.words <= max) {
      const inline = c.section !== prev.section && c.heading ? `${c.heading}\n\n${c.text}` : c.text;
      prev.text = `${prev.text}\n\n${inline}`;
      prev.words += c.words + (inline === c.text ? 0 : countWords(c.heading ?? ''));
      prev.section = c.section;
      continue;
    }
    merged.push({ ...c });
  }
  return merged.map((c, ordinal) => ({ ordinal, heading: c.heading, text: c.text }));
}

/** The text embedded for a chunk: the article title and heading give it context. */
export function chunkContext(title: string, chunk: Pick<Chunk, 'heading' | 'text'>): string {
  return [title, chunk.heading, chunk.text].filter(Boolean).join('\n');
}
