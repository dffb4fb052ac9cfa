/**
 * Clustering of short texts for topics and bug groups: incremental leader clustering (a text joins the
 * nearest centroid when it is close enough, or starts a new cluster), spherical k-means refinement seeded
 * from the current centroids, c-TF-IDF key phrases, and the external measures (purity, NMI). Pure functions
 * over unit-length vectors.
 */
import { STOP_WORDS } from '../nlp/lexicon/language.js';
import { tokenize } from '../nlp/text.js';

/** Dot product (the cosine of unit vectors). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

function normalise(v: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** A cluster during clustering: its unit centroid and the running sum of its members. */
export interface Cluster {
  centroid: Float64Array;
  sum: Float64Array;
  size: number;
}

/** A cluster from a centroid (e.g. a stored topic) that carries `weight` members' worth of inertia. */
export function clusterFrom(centroid: ArrayLike<number>, weight = 1): Cluster {
  const c = normalise(Float64Array.from(centroid));
  const sum = Float64Array.from(c, (x) => x * weight);
  return { centroid: c, sum, size: weight };
}

/** The nearest cluster of a vector and its similarity (-1 when there is none). */
export function nearest(clusters: readonly Cluster[], v: ArrayLike<number>): { index: number; similarity: number } {
  let index = -1;
  let similarity = -1;
  for (let i = 0; i < clusters.length; i++) {
    const s = cosine(clusters[i]!.centroid, v);
    if (s > similarity) {
      similarity = s;
      index = i;
    }
  }
  return { index, similarity };
}

/** Adds a vector to a cluster and moves its centroid (online mean). */
export function addToCluster(c: Cluster, v: ArrayLike<number>): void {
  for (let i = 0; i < c.sum.length; i++) c.sum[i]! += v[i]!;
  c.size++;
  c.centroid = normalise(Float64Array.from(c.sum));
}

/**
 * Incremental (leader) assignment: each vector joins its nearest cluster when the cosine is at least
 * `threshold`, or starts a new one. Mutates and returns `clusters`, with each vector's cluster index.
 *
 * @example
 * const { assignment } = assignIncrementally([], vectors, 0.6);
 */
export function assignIncrementally(
  clusters: Cluster[],
  vectors: readonly ArrayLike<number>[],
  threshold: number,
): { clusters: Cluster[]; assignment: number[]; similarity: number[] } {
  const assignment: number[] = [];
  const similarity: number[] = [];
  for (const v of vectors) {
    const best = nearest(clusters, v);
    if (best.index >= 0 && best.similarity >= threshold) {
      addToCluster(clusters[best.index]!, v);
      assignment.push(best.index);
      similarity.push(best.similarity);
    } else {
      clusters.push({ centroid: normalise(Float64Array.from(v)), sum: Float64Array.from(v), size: 1 });
      assignment.push(clusters.length - 1);
      similarity.push(1);
    }
  }
  return { clusters, assignment, similarity };
}

/**
 * Spherical k-means seeded from `seeds` (their order is kept, so a cluster keeps its identity): a few
 * rounds of assign-to-nearest and recompute; clusters left empty stay empty (size 0).
 */
export function refine(
  seeds: readonly ArrayLike<number>[],
  vectors: readonly ArrayLike<number>[],
  rounds = 5,
): { centroids: Float64Array[]; assignment: number[]; similarity: number[] } {
  let centroids = seeds.map((s) => normalise(Float64Array.from(s)));
  let assignment = new Array<number>(vectors.length).fill(-1);
  const similarity = new Array<number>(vectors.length).fill(0);
  const dims = centroids[0]?.length ?? 0;
  for (let round = 0; round < rounds && centroids.length; round++) {
    const clusters = centroids.map((centroid) => ({ centroid, sum: new Float64Array(dims), size: 0 }));
    let moved = 0;
    const next = vectors.map((v, i) => {
      const best = nearest(clusters, v);
      similarity[i] = best.similarity;
      if (best.index !== assignment[i]) moved++;
      const c = clusters[best.index]!;
      for (let d = 0; d < dims; d++) c.sum[d]! += v[d]!;
      c.size++;
      return best.index;
    });
    assignment = next;
    centroids = clusters.map((c, i) => (c.size ? normalise(Float64Array.from(c.sum)) : centroids[i]!));
    if (moved === 0) break;
  }
  return { centroids, assignment, similarity };
}

/** Clusters a batch from scratch: leader pass at `threshold`, then refinement, then clusters under `minSize` dissolved
 * into their nearest neighbour. */
export function clusterBatch(
  vectors: readonly ArrayLike<number>[],
  threshold: number,
  opts: { minSize?: number; rounds?: number } = {},
): { centroids: Float64Array[]; assignment: number[] } {
  const { clusters } = assignIncrementally([], vectors, threshold);
  let { centroids, assignment } = refine(
    clusters.map((c) => c.centroid),
    vectors,
    opts.rounds ?? 5,
  );
  const minSize = opts.minSize ?? 1;
  if (minSize > 1) {
    const sizes = new Array<number>(centroids.length).fill(0);
    for (const a of assignment) sizes[a]!++;
    const keep = centroids.filter((_, i) => sizes[i]! >= minSize);
    if (keep.length) ({ centroids, assignment } = refine(keep, vectors, 2));
  }
  // Drop clusters that ended empty and renumber.
  const used = [...new Set(assignment)].sort((a, b) => a - b);
  const index = new Map(used.map((c, i) => [c, i]));
  return { centroids: used.map((c) => centroids[c]!), assignment: assignment.map((a) => index.get(a)!) };
}

// ── key phrases ─────────────────────────────────────────────────────────────

const STOP = new Set(STOP_WORDS.en.split(/\s+/).filter(Boolean));
for (const w of [
  'hi',
  'hello',
  'thanks',
  'thank',
  'please',
  'pls',
  'hey',
  'can',
  'could',
  'would',
  'get',
  'want',
  'need',
  'im',
  'ive',
  'dont',
  'cant',
  'also',
  'like',
  'one',
])
  STOP.add(w);

/** Words and two-word phrases of a text (stop words dropped; a phrase never spans a stop word). */
export function phrasesOf(text: string): string[] {
  const out: string[] = [];
  let prev: string | null = null;
  for (const t of tokenize(text)) {
    const w = t.lower;
    if (STOP.has(w) || (w.length < 3 && !/\d/.test(w)) || /^\d+$/.test(w)) {
      prev = null;
      continue;
    }
    out.push(w);
    if (prev) out.push(`${prev} ${w}`);
    prev = w;
  }
  return out;
}

/**
 * Class-based TF-IDF (c-TF-IDF, as in BERTopic): each cluster is one document; a phrase scores
 * tf(phrase, cluster) · log(1 + A / f(phrase)), A the average phrases per cluster and f the phrase's
 * frequency over all clusters. Returns the top `n` phrases of each cluster (a word is dropped when a
 * chosen phrase already contains it).
 */
export function keyPhrases(textsByCluster: readonly (readonly string[])[], n = 3): string[][] {
  const counts = textsByCluster.map((texts) => {
    const m = new Map<string, number>();
    for (const t of texts) for (const p of new Set(phrasesOf(t))) m.set(p, (m.get(p) ?? 0) + 1);
    return m;
  });
  const total = new Map<string, number>();
  let all = 0;
  for (const m of counts)
    for (const [p, c] of m) {
      total.set(p, (total.get(p) ?? 0) + c);
      all += c;
    }
  const avg = all / Math.max(1, counts.length);
  return counts.map((m, i) => {
    const size = textsByCluster[i]!.length;
    const scored = [...m.entries()]
      // A phrase must recur in the cluster (bigrams weigh a little more: they read better).
      .filter(([, c]) => c >= Math.min(2, size))
      .map(([p, c]) => [p, (c / size) * Math.log(1 + avg / total.get(p)!) * (p.includes(' ') ? 1.2 : 1)] as const)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const chosen: string[] = [];
    for (const [p] of scored) {
      if (chosen.length >= n) break;
      const words = p.split(' ');
      if (chosen.some((c) => c === p || c.split(' ').some((w) => words.includes(w)))) continue;
      chosen.push(p);
    }
    return chosen;
  });
}

// ── external measures ───────────────────────────────────────────────────────

/** Purity: the share of items whose cluster's majority label is their own label. */
export function purity(clusters: readonly number[], labels: readonly string[]): number {
  const by = new Map<number, Map<string, number>>();
  clusters.forEach((c, i) => {
    const m = by.get(c) ?? new Map<string, number>();
    m.set(labels[i]!, (m.get(labels[i]!) ?? 0) + 1);
    by.set(c, m);
  });
  let hit = 0;
  for (const m of by.values()) hit += Math.max(...m.values());
  return clusters.length ? hit / clusters.length : 0;
}

/** Normalised mutual information (arithmetic-mean normalisation, as scikit-learn's default). */
export function nmi(clusters: readonly number[], labels: readonly string[]): number {
  const n = clusters.length;
  if (!n) return 0;
  const cc = new Map<number, number>();
  const lc = new Map<string, number>();
  const joint = new Map<string, number>();
  clusters.forEach((c, i) => {
    cc.set(c, (cc.get(c) ?? 0) + 1);
    lc.set(labels[i]!, (lc.get(labels[i]!) ?? 0) + 1);
    const k = `${c}\u0000${labels[i]}`;
    joint.set(k, (joint.get(k) ?? 0) + 1);
  });
  const entropy = (m: Map<unknown, number>) => [...m.values()].reduce((h, x) => h - (x / n) * Math.log(x / n), 0);
  let mi = 0;
  for (const [k, x] of joint) {
    const [c, l] = k.split('\u0000') as [string, string];
    mi += (x / n) * Math.log((x * n) / (cc.get(Number(c))! * lc.get(l)!));
  }
  const h = (entropy(cc) + entropy(lc)) / 2;
  return h > 0 ? mi / h : 1;
}
