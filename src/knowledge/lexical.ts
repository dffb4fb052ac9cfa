/**
 * In-memory lexical ranking of knowledge-base chunks: Okapi BM25 over English terms (the intent
 * classifier's tokenizer, PostgreSQL's English stop words, Porter stems), with the words of the article
 * title and of the chunk heading counted more than those of the chunk text — the same three fields,
 * weighted the same way round, as the chunk's `search` tsvector (title A, heading B, text D).
 *
 * Pure and synchronous: retrieval builds one index per workspace when it loads the workspace's chunks and
 * ranks every query against it, instead of a `ts_rank_cd` statement per query.
 */
import { stemmer } from 'stemmer';
import { tokenize } from '../nlp/intent/text.js';

/** PostgreSQL's (Snowball's) English stop words, as `to_tsvector('english', …)` drops them. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers ' +
    'herself it its itself ' +
    'they them their theirs themselves what which who whom this that these those am is are was were be been being ' +
    'have has had ' +
    'having do does did doing a an the and but if or because as until while of at by for with about against ' +
    'between into through ' +
    'during before after above below to from up down in out on off over under again further then once here there ' +
    'when where why ' +
    'how all any both each few more most other some such no nor not only own same so than too very s t can will ' +
    'just don should now'
  ).split(' '),
);

const MAX_STEMS = 50_000;
const stems = new Map<string, string>();

/** Stem of a lower-case word, memoised (a knowledge base and its queries reuse few thousand words). */
function stemOf(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(word, s);
  }
  return s;
}

/** The index terms of a text: lower-case words, contractions expanded, stop words dropped, Porter-stemmed. */
export function lexicalTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of tokenize(text)) if (!STOP_WORDS.has(w)) out.push(stemOf(w));
  return out;
}

/** BM25 parameters and the weight of a title or heading term against a term of the chunk text. */
export interface Bm25Params {
  k1: number;
  b: number;
  titleWeight: number;
  headingWeight: number;
}

/** Defaults: the usual k1 and b; title and heading weights chosen on the retrieval benchmark's article rows (README).
 */
export const BM25_DEFAULTS: Readonly<Bm25Params> = { k1: 1.2, b: 0.75, titleWeight: 3, headingWeight: 2 };

/** What a chunk contributes to the lexical index. */
export interface LexicalDoc {
  title: string;
  heading: string | null;
  text: string;
}

interface Posting {
  /** Indices of the documents holding the term, ascending. */
  docs: number[];
  /** The term's weighted frequency in each of those documents. */
  tf: number[];
}

/** An inverted index of documents (chunks), addressed by their position in the list it was built from. */
export interface LexicalIndex {
  readonly size: number;
  readonly params: Readonly<Bm25Params>;
  readonly postings: ReadonlyMap<string, Posting>;
  /** Per document: k1 · (1 − b + b · length / mean length), the BM25 length normalisation. */
  readonly norm: Float64Array;
  /** Scratch accumulator of one ranking (ranking is synchronous, so one per index suffices). */
  readonly acc: Float64Array;
}

/** Builds the BM25 index of `docs` (titles are tokenised once per distinct title). */
export function buildLexicalIndex(
  docs: readonly LexicalDoc[],
  params: Readonly<Bm25Params> = BM25_DEFAULTS,
): LexicalIndex {
  const postings = new Map<string, Posting>();
  const lengths = new Float64Array(docs.length);
  const titleTerms = new Map<string, string[]>();
  let total = 0;
  docs.forEach((d, i) => {
    let title = titleTerms.get(d.title);
    if (!title) titleTerms.set(d.title, (title = lexicalTerms(d.title)));
    const tf = new Map<string, number>();
    const add = (terms: readonly string[], w: number) => {
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + w);
      return terms.length * w;
    };
    const length =
      add(title, params.titleWeight) +
      add(d.heading ? lexicalTerms(d.heading) : [], params.headingWeight) +
      add(lexicalTerms(d.text), 1);
    lengths[i] = length;
    total += length;
    for (const [term, f] of tf) {
      let p = postings.get(term);
      if (!p) postings.set(term, (p = { docs: [], tf: [] }));
      p.docs.push(i);
      p.tf.push(f);
    }
  });
  const mean = docs.length ? total / docs.length : 1;
  const norm = new Float64Array(docs.length);
  for (let i = 0; i < docs.length; i++) norm[i] = params.k1 * (1 - params.b + (params.b * lengths[i]!) / (mean || 1));
  return { size: docs.length, params, postings, norm, acc: new Float64Array(docs.length) };
}

/**
 * BM25 scores of the documents holding at least one of the query's terms (each distinct term counted
 * once), as a map from document index to score; `allow` leaves documents out (e.g. a tier the asker
 * may not see). Empty when the query has no term (only stop words).
 */
export function rankLexical(index: LexicalIndex, query: string, allow?: (doc: number) => boolean): Map<number, number> {
  const { acc, norm, size } = index;
  const k1 = index.params.k1;
  const touched: number[] = [];
  for (const term of new Set(lexicalTerms(query))) {
    const p = index.postings.get(term);
    if (!p) continue;
    const df = p.docs.length;
    const idf = Math.log(1 + (size - df + 0.5) / (df + 0.5));
    for (let j = 0; j < df; j++) {
      const doc = p.docs[j]!;
      const f = p.tf[j]!;
      if (acc[doc] === 0) touched.push(doc);
      acc[doc]! += (idf * f * (k1 + 1)) / (f + norm[doc]!);
    }
  }
  const scores = new Map<number, number>();
  for (const doc of touched) {
    if (!allow || allow(doc)) scores.set(doc, acc[doc]!);
    acc[doc] = 0;
  }
  return scores;
}
