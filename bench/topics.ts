/**
 * Topic clustering measured against true labels: Banking77's test questions (77 intents) and a sample of
 * Bitext requests (27 intents) streamed as 30 days of tickets through the same incremental clustering the
 * sweep runs (nearest topic or a new one on arrival, k-means re-clustering once a "day"), with the
 * built-in embedder. Purity and NMI of the final topics; c-TF-IDF labels of the largest topics.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadConfig } from '../src/config.js';
import { assignIncrementally, clusterFrom, keyPhrases, nmi, purity, refine } from '../src/insights/clustering.js';
import { InsightsSettingsSchema } from '../src/insights/settings.js';
import { createEmbedder } from '../src/knowledge/embedders.js';
import { configureWordVectors } from '../src/nlp/intent/vectors.js';
import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const DAYS = 30;
const BITEXT_SAMPLE = 3000;
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** A deterministic shuffle (mulberry32). */
function shuffle<T>(xs: T[], seed: number): T[] {
  let a = seed;
  const rand = () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Streams `vectors` in DAYS daily batches: assign on arrival, re-cluster the whole window at the end of each day. */
export function streamClusters(
  vectors: readonly Float32Array[],
  threshold: number,
  reclusterEveryDays = 1,
): { assignment: number[]; topics: number; msPerTicket: number } {
  const perDay = Math.ceil(vectors.length / DAYS);
  let clusters: ReturnType<typeof clusterFrom>[] = [];
  let assignment: number[] = [];
  const started = performance.now();
  for (let day = 0; day < DAYS; day++) {
    const batch = vectors.slice(day * perDay, (day + 1) * perDay);
    const r = assignIncrementally(clusters, batch, threshold);
    assignment.push(...r.assignment);
    if ((day + 1) % reclusterEveryDays === 0 || day === DAYS - 1) {
      const seen = vectors.slice(0, assignment.length);
      const refined = refine(
        clusters.map((c) => c.centroid),
        seen,
        5,
      );
      assignment = refined.assignment;
      const sizes = new Array<number>(refined.centroids.length).fill(0);
      for (const a of assignment) sizes[a]!++;
      clusters = refined.centroids.map((c, i) => clusterFrom(c, Math.max(1, sizes[i]!)));
    }
  }
  const ms = performance.now() - started;
  return { assignment, topics: new Set(assignment).size, msPerTicket: ms / vectors.length };
}

async function measure(
  name: string,
  rows: { text: string; label: string }[],
  embedder: ReturnType<typeof createEmbedder>,
  thresholds: number[],
  defaultThreshold: number,
) {
  const vectors = await embedder.embed(rows.map((r) => r.text));
  const labels = rows.map((r) => r.label);
  const runs: Record<string, unknown> = {};
  let labelled: unknown = null;
  for (const th of thresholds) {
    const r = streamClusters(vectors, th);
    runs[String(th)] = {
      topics: r.topics,
      purity: round(purity(r.assignment, labels)),
      nmi: round(nmi(r.assignment, labels)),
      msPerTicket: round(r.msPerTicket),
    };
    if (th === defaultThreshold) {
      const members = new Map<number, number[]>();
      r.assignment.forEach((c, i) => members.set(c, [...(members.get(c) ?? []), i]));
      const order = [...members.entries()].sort((a, b) => b[1].length - a[1].length);
      const phrases = keyPhrases(order.map(([, ids]) => ids.map((i) => rows[i]!.text)));
      labelled = order.slice(0, 12).map(([, ids], k) => {
        const counts = new Map<string, number>();
        for (const i of ids) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
        const [majority, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
        return {
          label: phrases[k]!.join(' · '),
          tickets: ids.length,
          majorityIntent: majority,
          majorityShare: round(n / ids.length),
        };
      });
    }
  }
  return {
    dataset: name,
    texts: rows.length,
    intents: new Set(labels).size,
    byThreshold: runs,
    default: runs[String(defaultThreshold)],
    largestTopics: labelled,
  };
}

/** Writes `bench/results/topics.json`; null when the data is absent. */
export async function benchTopics(dataDir: string): Promise<object | null> {
  const b77 = join(dataDir, 'banking77', 'test.csv');
  const bitext = join(dataDir, 'bitext', 'Bitext_Sample_Customer_Support_Training_Dataset.csv');
  if (!existsSync(b77)) {
    console.warn(`benchTopics: ${b77} is absent — skipping the topics benchmark`);
    return null;
  }
  const config = loadConfig({ logLevel: 'silent' });
  configureWordVectors(config.wordVectors);
  const embedder = createEmbedder(config);
  const threshold = InsightsSettingsSchema.parse({}).topics.similarity;
  const thresholds = [0.7, threshold, 0.8].filter((x, i, a) => a.indexOf(x) === i).sort();
  const results = [];
  const bRows = (
    parseCsv(readFileSync(b77, 'utf8'), { columns: true, skip_empty_lines: true }) as {
      text: string;
      category: string;
    }[]
  ).map((r) => ({ text: r.text, label: r.category }));
  results.push(await measure('Banking77 test', shuffle(bRows, 77), embedder, thresholds, threshold));
  if (existsSync(bitext)) {
    const rows = (
      parseCsv(readFileSync(bitext, 'utf8'), { columns: true, skip_empty_lines: true }) as {
        instruction: string;
        intent: string;
      }[]
    ).map((r) => ({ text: r.instruction, label: r.intent }));
    results.push(
      await measure(
        `Bitext (${BITEXT_SAMPLE} random requests)`,
        shuffle(rows, 27).slice(0, BITEXT_SAMPLE),
        embedder,
        thresholds,
        threshold,
      ),
    );
  }
  const record = {
    benchmark: 'topics',
    date: new Date().toISOString(),
    machine: machine(),
    howMeasured:
      `Texts shuffled (fixed seed) and streamed as ${DAYS} equal daily batches through the sweep's incremental ` +
      `clustering with the built-in embedder (${embedder.id}): ` +
      `each text joins the nearest topic when the cosine is at least the threshold, else starts a topic; at the ` +
      `end of each day the topics are re-clustered by spherical k-means (5 rounds) ` +
      `seeded from the current topics. The final assignment is scored against the true intent labels: purity ` +
      `(share of texts in their topic's majority intent) and NMI ` +
      `(arithmetic normalisation, as scikit-learn). The default threshold is the workspace default ` +
      `(${threshold}). No labels are used for clustering.`,
    embedder: embedder.id,
    results,
  };
  writeResult(resolve(here, 'results', 'topics.json'), record);
  return record;
}
