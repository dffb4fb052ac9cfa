/**
 * The workspace's intent memory in the product: a {@link NeighbourMemory} per workspace of the tickets a person
 * labelled (read again on every consultation from where the last read stopped, so a label or relabel counts the
 * moment it is committed, in every process) and of its articles' phrases (re-read when its configuration
 * changes). Vectors are computed lazily — at most {@link ENCODE_BUDGET} new texts per consultation, newest labels
 * first — and kept in `text_vectors`, so a restart or another process does not encode them again.
 *
 * Consulted only where it can change the decision: a prediction out of scope or under the threshold in force.
 */
import { textHash, vectorFromBytes, vectorToBytes, type SentenceEncoder } from '../nlp/encoder.js';
import type { IntentClassifier, IntentPrediction } from '../nlp/intent/index.js';
import {
  articlePhrases,
  combineWithMemory,
  NeighbourMemory,
  PRIOR_COMBINATION,
  withMemory,
  type Combination,
  type MemoryRecord,
  type MemorySource,
} from '../nlp/intent/memory.js';
import { cachedConfig } from '../store/config-cache.js';
import type { DbOrTx } from '../store/db.js';
import { humanLabelsSince, intentArticles, loadVectors, saveVectors } from '../store/repos/intent-memory.js';

/** Newest human labels a workspace's memory holds. */
export const MEMORY_MAX_LABELS = 2000;
/** Texts encoded per consultation at most (the rest wait for the next one). */
export const ENCODE_BUDGET = 64;
/** Labels committed this long before the last read are read again (a transaction may commit after a later one). */
const OVERLAP_MS = 60_000;

interface Entry {
  key: string;
  text: string;
  label: string;
  source: MemorySource;
  hash: string;
}

interface WorkspaceMemory {
  memory: NeighbourMemory;
  /** Entries without a vector yet, labels first (newest first), then articles. */
  pending: Map<string, Entry>;
  watermark: Date | null;
  articleKeys: string[];
  articleSig: string | null;
}

/** What a consultation returns: the prediction under the memory's vote and the record of what it did. */
export interface Recalled {
  prediction: IntentPrediction;
  record: MemoryRecord;
}

export class IntentMemories {
  private readonly byWorkspace = new Map<string, WorkspaceMemory>();

  constructor(
    private readonly encoder: SentenceEncoder,
    private readonly combination: Combination = PRIOR_COMBINATION,
  ) {}

  /**
   * The prediction under the memory's vote, or null when the model already decides (in scope at or above
   * `threshold`) or the memory is empty.
   */
  async consult(
    db: DbOrTx,
    workspaceId: string,
    text: string,
    model: IntentClassifier,
    prediction: IntentPrediction,
    threshold: number,
  ): Promise<Recalled | null> {
    if (!prediction.outOfScope && prediction.confidence >= threshold) return null;
    const wm = await this.refresh(db, workspaceId);
    if (wm.memory.size === 0) return null;
    const [vector] = await this.encoder.embed([text]);
    const vote = wm.memory.vote(vector!);
    const p = model.probabilities(text);
    const linear = new Map(model.labels.map((l, k) => [l, p[k]!]));
    const reading = combineWithMemory(linear, vote, this.combination);
    return reading ? withMemory(prediction, reading, vote, wm.memory.size) : null;
  }

  /** Reads new labels and changed articles, and encodes up to the budget of pending texts. */
  private async refresh(db: DbOrTx, workspaceId: string): Promise<WorkspaceMemory> {
    let wm = this.byWorkspace.get(workspaceId);
    if (!wm) {
      wm = {
        memory: new NeighbourMemory(this.encoder.id),
        pending: new Map(),
        watermark: null,
        articleKeys: [],
        articleSig: null,
      };
      this.byWorkspace.set(workspaceId, wm);
    }
    const since = wm.watermark ? new Date(wm.watermark.getTime() - OVERLAP_MS) : null;
    const labels = await humanLabelsSince(db, workspaceId, since, MEMORY_MAX_LABELS);
    for (const l of [...labels].reverse()) {
      const entry: Entry = {
        key: `t:${l.ticketId}`,
        text: l.text,
        label: l.label,
        source: 'label',
        hash: textHash(l.text),
      };
      const old = wm.pending.get(entry.key);
      if (old && old.label === entry.label && old.hash === entry.hash) continue;
      // a relabel replaces the entry at once: the old label stops voting now, the new one as soon as it has a vector
      wm.memory.delete(entry.key);
      wm.pending.delete(entry.key);
      wm.pending.set(entry.key, entry);
      if (!wm.watermark || l.updatedAt > wm.watermark) wm.watermark = l.updatedAt;
    }
    const docs = await cachedConfig(db, workspaceId, 'intent-memory-articles', () => intentArticles(db, workspaceId));
    const sig = textHash(JSON.stringify(docs.map((d) => [d.id, d.title, d.body, d.intents])));
    if (sig !== wm.articleSig) {
      for (const k of wm.articleKeys) {
        wm.memory.delete(k);
        wm.pending.delete(k);
      }
      wm.articleKeys = [];
      for (const d of docs)
        articlePhrases(d.title, d.body).forEach((text, i) => {
          for (const label of d.intents) {
            const key = `a:${d.id}:${i}:${label}`;
            wm.articleKeys.push(key);
            wm.pending.set(key, { key, text, label, source: 'article', hash: textHash(text) });
          }
        });
      wm.articleSig = sig;
    }
    await this.encodePending(db, workspaceId, wm);
    return wm;
  }

  private async encodePending(db: DbOrTx, workspaceId: string, wm: WorkspaceMemory): Promise<void> {
    if (!wm.pending.size) return;
    const entries = [...wm.pending.values()].sort((a, b) =>
      a.source === b.source ? 0 : a.source === 'label' ? -1 : 1,
    );
    // labels newest first: the map holds them oldest first
    const byNewest = [
      ...entries.filter((e) => e.source === 'label').reverse(),
      ...entries.filter((e) => e.source === 'article'),
    ];
    const stored = await loadVectors(db, workspaceId, this.encoder.id, [...new Set(byNewest.map((e) => e.hash))]);
    const place = (e: Entry, vector: Float32Array) => {
      wm.memory.set({ key: e.key, text: e.text, label: e.label, source: e.source, vector });
      wm.pending.delete(e.key);
    };
    const missing: Entry[] = [];
    for (const e of byNewest) {
      const v = stored.get(e.hash);
      if (v) place(e, vectorFromBytes(v));
      else missing.push(e);
    }
    const texts = [...new Map(missing.map((e) => [e.hash, e.text])).entries()].slice(0, ENCODE_BUDGET);
    if (!texts.length) return;
    const vectors = await this.encoder.embed(texts.map(([, t]) => t));
    const byHash = new Map(texts.map(([h], i) => [h, vectors[i]!]));
    for (const e of missing) {
      const v = byHash.get(e.hash);
      if (v) place(e, v);
    }
    await saveVectors(
      db,
      workspaceId,
      this.encoder.id,
      [...byHash].map(([hash, v]) => ({ hash, vector: vectorToBytes(v) })),
    );
  }
}
