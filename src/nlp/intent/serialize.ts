/** Versioned binary serialisation of the intent classifier. */
import type { Calibration, IntentClassifier } from './classifier.js';
import { Core } from './model.js';
import { SentenceExpert } from './sentence.js';
import { IntentClassifierOptionsSchema, type IntentClassifierOptions } from './schema.js';
import { loadWordVectors } from './vectors.js';

const MAGIC = 'DMIC';
export const MODEL_FORMAT_VERSION = 1;

interface Header {
  version: number;
  options: IntentClassifierOptions;
  calibration: Calibration;
  labels: string[];
  nRows: number;
  K: number;
  nDocs: number;
  denseDims: number;
  meanDims: number;
  lexNnz: number;
  hasW2: boolean;
  texts: string[];
  exLabel: number[];
  /** the sentence-vector section after the examples (absent in models trained without an encoder) */
  sentence?: { encoderId: string; bytes: number } | null;
}

const align4 = (n: number) => (n + 3) & ~3;

/** Byte offsets of the per-example sections that follow the weights. */
function exampleLayout(start: number, nEx: number, nnz: number, meanDims: number) {
  const offOff = start;
  const idxOff = offOff + (nEx + 1) * 4;
  const valOff = idxOff + nnz * 4;
  const scaleOff = valOff + nnz * 4;
  const hasOff = scaleOff + nEx * 4;
  const meanOff = align4(hasOff + nEx);
  return { offOff, idxOff, valOff, scaleOff, hasOff, meanOff, end: meanOff + nEx * meanDims };
}

/** Encodes a classifier: JSON header (options, labels, examples) + typed-array sections. */
export function encodeModel(model: IntentClassifier): Uint8Array {
  const core = model.core;
  if (core.indexed < core.exLex.length) core.buildIndex();
  const nEx = core.texts.length;
  const lexNnz = core.exLex.reduce((n, v) => n + v.idx.length, 0);
  const sentenceBytes = core.sentence?.toBytes() ?? null;
  const header: Header = {
    version: MODEL_FORMAT_VERSION,
    options: model.options,
    calibration: model.calibration,
    labels: core.labels,
    nRows: core.nRows,
    K: core.K,
    nDocs: core.nDocs,
    denseDims: core.denseDims,
    meanDims: core.meanDims,
    lexNnz,
    hasW2: core.hasW2,
    texts: core.texts,
    exLabel: core.exLabel,
    sentence: sentenceBytes ? { encoderId: core.sentence!.encoderId, bytes: sentenceBytes.length } : null,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const { nRows, K } = core;
  const hashOff = align4(12 + json.length);
  const groupOff = hashOff + nRows * 4;
  const idfOff = align4(groupOff + nRows);
  const wOff = idfOff + nRows * 4;
  const w2Off = wOff + nRows * K * 4;
  const ex = exampleLayout(w2Off + (core.hasW2 ? nRows * K * 4 : 0), nEx, lexNnz, core.meanDims);
  const total = ex.end + (sentenceBytes?.length ?? 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, MODEL_FORMAT_VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  for (let r = 0; r < nRows; r++) {
    view.setUint32(hashOff + r * 4, core.rowHash[r]! >>> 0, true);
    out[groupOff + r] = (core.rowGroup[r]! + 1) & 0xff;
    view.setFloat32(idfOff + r * 4, core.idf[r]!, true);
  }
  const W = new Float32Array(out.buffer, wOff, nRows * K);
  for (let r = 0; r < nRows; r++) W.set(core.W.subarray(r * core.kCap, r * core.kCap + K), r * K);
  if (core.hasW2) {
    const W2 = new Float32Array(out.buffer, w2Off, nRows * K);
    for (let r = 0; r < nRows; r++) W2.set(core.W2.subarray(r * core.kCap, r * core.kCap + K), r * K);
  }
  let p = 0;
  for (let e = 0; e < nEx; e++) {
    const v = core.exLex[e]!;
    view.setInt32(ex.offOff + e * 4, p, true);
    for (let j = 0; j < v.idx.length; j++, p++) {
      view.setInt32(ex.idxOff + p * 4, v.idx[j]!, true);
      view.setFloat32(ex.valOff + p * 4, v.val[j]!, true);
    }
    const m = core.exMean[e];
    view.setFloat32(ex.scaleOff + e * 4, m ? core.exMeanScale[e]! : 0, true);
    out[ex.hasOff + e] = m ? 1 : 0;
    if (m) new Int8Array(out.buffer, ex.meanOff + e * core.meanDims, core.meanDims).set(m);
  }
  view.setInt32(ex.offOff + nEx * 4, p, true);
  if (sentenceBytes) out.set(sentenceBytes, ex.end);
  return out;
}

/** Decodes {@link encodeModel} output, re-vectorising the stored examples for the neighbour index. */
export function decodeModel(buf: Uint8Array): {
  core: Core;
  options: IntentClassifierOptions;
  calibration: Calibration;
} {
  const magic = String.fromCharCode(buf[0]!, buf[1]!, buf[2]!, buf[3]!);
  if (magic !== MAGIC) throw new Error('not a Deskmind intent model');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = view.getUint32(4, true);
  if (version !== MODEL_FORMAT_VERSION) throw new Error(`unsupported intent model version ${version}`);
  const jsonLen = view.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + jsonLen))) as Header;
  const options = IntentClassifierOptionsSchema.parse(header.options);
  const { nRows, K } = header;
  const hashOff = align4(12 + jsonLen);
  const groupOff = hashOff + nRows * 4;
  const idfOff = align4(groupOff + nRows);
  const wOff = idfOff + nRows * 4;
  const vectors = header.meanDims > 0 ? loadWordVectors() : null;
  const core = new Core(
    { wordMaxN: options.wordMaxN, charMin: options.charMin, charMax: options.charMax },
    vectors,
    options.vectorScale,
    options.pooling,
    header.denseDims,
    header.meanDims,
  );
  for (const l of header.labels) core.addLabel(l);
  core.resize(Math.max(nRows, 1), core.kCap);
  core.nDocs = header.nDocs;
  const lexBase = core.lexBase;
  for (let r = 0; r < nRows; r++) {
    const h = view.getUint32(hashOff + r * 4, true);
    const g = buf[groupOff + r]! - 1;
    const idf = view.getFloat32(idfOff + r * 4, true);
    if (r < lexBase) {
      core.rowHash[r] = 0;
      core.rowGroup[r] = -1;
      core.idf[r] = idf;
      core.nRows++;
    } else core.addRow(h, g, idf);
  }
  const kc = core.kCap;
  const w2Off = wOff + nRows * K * 4;
  if (header.hasW2) core.enableW2();
  for (let r = 0; r < nRows; r++) {
    for (let k = 0; k < K; k++) {
      core.W[r * kc + k] = view.getFloat32(wOff + (r * K + k) * 4, true);
      if (header.hasW2) core.W2[r * kc + k] = view.getFloat32(w2Off + (r * K + k) * 4, true);
    }
  }
  const nEx = header.texts.length;
  const ex = exampleLayout(w2Off + (header.hasW2 ? nRows * K * 4 : 0), nEx, header.lexNnz, header.meanDims);
  const d = header.meanDims;
  for (let e = 0; e < nEx; e++) {
    const a = view.getInt32(ex.offOff + e * 4, true);
    const b = view.getInt32(ex.offOff + e * 4 + 4, true);
    const idx = new Int32Array(b - a);
    const val = new Float32Array(b - a);
    for (let j = a; j < b; j++) {
      idx[j - a] = view.getInt32(ex.idxOff + j * 4, true);
      val[j - a] = view.getFloat32(ex.valOff + j * 4, true);
    }
    core.texts.push(header.texts[e]!);
    core.exLabel.push(header.exLabel[e]!);
    core.exLex.push({ idx, val, lexStart: 0 });
    const has = buf[ex.hasOff + e] === 1;
    core.exMean.push(
      has ? Int8Array.from(buf.subarray(ex.meanOff + e * d, ex.meanOff + (e + 1) * d), (x) => (x << 24) >> 24) : null,
    );
    core.exMeanScale.push(view.getFloat32(ex.scaleOff + e * 4, true));
  }
  if (header.sentence)
    core.sentence = SentenceExpert.fromBytes(
      header.sentence.encoderId,
      buf.subarray(ex.end, ex.end + header.sentence.bytes),
    );
  core.buildIndex();
  return { core, options, calibration: header.calibration };
}
