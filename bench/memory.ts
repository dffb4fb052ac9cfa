/**
 * The intent memory (`npm run bench -- memory`): what the nearest-neighbour memory of labelled examples adds to the
 * linear intent model (src/nlp/intent/memory.ts). Records bench/results/memory.json:
 * - Banking77 (train file only for fitting and streaming; test untouched): a model and memory from 10 examples per
 *   intent; the combination fitted on the last 600 rows of the shuffled stream; then the first 1,000 streamed rows
 *   replayed as tickets, each labelled after it is read (online update; with the memory, also remembered at once):
 *   accuracy and answers at the default threshold, model alone vs model + memory.
 * - Pipewise demo (bench/fixtures/pipewise-tickets.json): the model of resolution-real (starter taxonomy + the
 *   labelled history), the memory of that history and the demo articles' phrases; per ask that the model does not
 *   answer in scope at the threshold, how many labels of its phrasing until it is answered with the right intent
 *   in scope at the threshold, and how many of its other wordings then are.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ARTICLES } from '../src/demo/content.js';
import { takeSeed, shuffled } from '../src/learning/replay.js';
import { findAsk } from '../src/nlp/ask.js';
import { cachedEncoder, universalSentenceEncoder, type SentenceEncoder } from '../src/nlp/encoder.js';
import { readLabelledFile } from '../src/nlp/eval.js';
import { IntentClassifier, type IntentPrediction, type LabelledExample } from '../src/nlp/intent/index.js';
import {
  articlePhrases,
  combineWithMemory,
  fitCombination,
  NeighbourMemory,
  PRIOR_COMBINATION,
  withMemory,
  type Combination,
  type CombinationRow,
} from '../src/nlp/intent/memory.js';
import { starterExamples } from '../src/nlp/taxonomy.js';
import type { FixtureTicket } from './fixtures/make-pipewise-tickets.js';
import { encodeCached } from './intents.js';
import { machine, writeResult } from './record.js';
import { PIPEWISE_HISTORY } from './resolution-real.js';

const here = dirname(fileURLToPath(import.meta.url));
const THRESHOLD = 0.9;
const MAX_LABELS = 10;
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** The linear model's probabilities of a text as a map. */
const linearOf = (model: IntentClassifier, text: string) => {
  const p = model.probabilities(text);
  return new Map(model.labels.map((l, k) => [l, p[k]!]));
};

/** The product's reading: the model, and the memory where the model is out of scope or under the threshold. */
function read(
  model: IntentClassifier,
  memory: NeighbourMemory | null,
  text: string,
  vector: Float32Array | undefined,
  w: Combination,
): IntentPrediction {
  const p = model.predict(text);
  if (!memory || !vector || memory.size === 0 || (!p.outOfScope && p.confidence >= THRESHOLD)) return p;
  const vote = memory.vote(vector);
  const reading = combineWithMemory(linearOf(model, text), vote, w);
  return reading ? withMemory(p, reading, vote, memory.size).prediction : p;
}

const answered = (p: IntentPrediction, label: string) => p.intent === label && p.confidence >= THRESHOLD;

async function banking77(dataDir: string, encoder: SentenceEncoder) {
  const dir = join(dataDir, 'banking77');
  const train = readLabelledFile(join(dir, 'train.csv'), 'text', 'category');
  const { seed, rest } = takeSeed(train, 10);
  const stream = shuffled(rest, 13);
  const first = stream.slice(0, 1000);
  const fitRows = stream.slice(-600);
  const texts = [...seed, ...first, ...fitRows].map((e) => e.text);
  const enc = await encodeCached(encoder, texts);
  const vec = new Map(texts.map((t, i) => [t, enc.vectors[i]!]));
  const seedMemory = () => {
    const m = new NeighbourMemory(encoder.id);
    seed.forEach((e, i) =>
      m.set({ key: `s${i}`, text: e.text, label: e.label, source: 'label', vector: vec.get(e.text)! }),
    );
    return m;
  };
  const base = IntentClassifier.train(seed);
  const memory0 = seedMemory();
  const rows: CombinationRow[] = fitRows.map((e) => ({
    linear: linearOf(base, e.text),
    vote: memory0.vote(vec.get(e.text)!),
    label: e.label,
  }));
  const fitted = fitCombination(
    rows,
    'Banking77 train: 10 per intent in model and memory, 600 other train rows scored',
  );
  const arm = (withMemoryOn: boolean, w: Combination) => {
    const model = IntentClassifier.fromBuffer(base.toBuffer());
    const memory = withMemoryOn ? seedMemory() : null;
    let right = 0;
    let answers = 0;
    let wrong = 0;
    first.forEach((e, i) => {
      const p = read(model, memory, e.text, vec.get(e.text), w);
      if (p.topIntent === e.label) right++;
      if (p.intent && p.confidence >= THRESHOLD) {
        answers++;
        if (p.intent !== e.label) wrong++;
      }
      model.update(e);
      memory?.set({ key: `f${i}`, text: e.text, label: e.label, source: 'label', vector: vec.get(e.text)! });
    });
    return {
      accuracy: round(right / first.length),
      answersAtThreshold: answers,
      wrongAmongAnswers: answers ? round(wrong / answers) : null,
    };
  };
  return {
    rows: { seed: seed.length, streamed: first.length, fit: fitRows.length },
    combination: fitted,
    first1000: { modelAlone: arm(false, fitted), withMemory: arm(true, fitted) },
    encoderSeconds: enc.seconds,
  };
}

/** The Pipewise asks (a paraphrase ticket and the wrappings of the same ask that follow it). */
function pipewiseGroups(): { split: string; intent: string; phrasing: string; others: string[] }[] {
  const fixture = JSON.parse(readFileSync(resolve(here, 'fixtures', 'pipewise-tickets.json'), 'utf8')) as {
    tickets: FixtureTicket[];
  };
  const groups: { split: string; intent: string; phrasing: string; others: string[] }[] = [];
  for (const t of fixture.tickets) {
    const text = findAsk([t.text]).text || t.text;
    if (t.style === 'paraphrase') groups.push({ split: t.split, intent: t.intent, phrasing: text, others: [] });
    else if (
      ['typos', 'greeting', 'signature', 'thread', 'long'].includes(t.style) &&
      groups.at(-1)?.intent === t.intent
    )
      groups.at(-1)!.others.push(text);
  }
  return groups.filter((g) => g.others.length > 0);
}

async function pipewise(encoder: SentenceEncoder, w: Combination) {
  const history: LabelledExample[] = PIPEWISE_HISTORY.map(([label, subject, text]) => ({
    label,
    text: `${subject}\n${text}`,
  }));
  const examples = [...history, ...starterExamples().map(({ text, label }) => ({ text, label }))];
  const base = IntentClassifier.train(examples);
  const phrases = DEMO_ARTICLES.flatMap((a) =>
    articlePhrases(a.title, a.body).flatMap((text) => a.intents.map((label) => ({ text, label }))),
  );
  const groups = pipewiseGroups();
  const texts = [
    ...history.map((h) => h.text),
    ...phrases.map((p) => p.text),
    ...groups.flatMap((g) => [g.phrasing, ...g.others]),
  ];
  const enc = await encodeCached(encoder, texts);
  const vec = new Map(texts.map((t, i) => [t, enc.vectors[i]!]));
  const memoryOf = () => {
    const m = new NeighbourMemory(encoder.id);
    history.forEach((h, i) =>
      m.set({ key: `h${i}`, text: h.text, label: h.label, source: 'label', vector: vec.get(h.text)! }),
    );
    phrases.forEach((p, i) =>
      m.set({ key: `a${i}`, text: p.text, label: p.label, source: 'article', vector: vec.get(p.text)! }),
    );
    return m;
  };
  const arm = (withMemoryOn: boolean) => {
    const out: {
      split: string;
      labels: number | null;
      othersAnswered: number;
      others: number;
      answeredAtStart: boolean;
    }[] = [];
    for (const g of groups) {
      const model = IntentClassifier.fromBuffer(base.toBuffer());
      const memory = withMemoryOn ? memoryOf() : null;
      const at = (t: string) => answered(read(model, memory, t, vec.get(t), w), g.intent);
      const start = at(g.phrasing);
      let labels: number | null = start ? 0 : null;
      for (let n = 1; labels === null && n <= MAX_LABELS; n++) {
        // a person labels a ticket worded this way: the model learns it online, the memory remembers it at once
        model.update({ text: g.phrasing, label: g.intent });
        memory?.set({ key: `l${n}`, text: g.phrasing, label: g.intent, source: 'label', vector: vec.get(g.phrasing)! });
        if (at(g.phrasing)) labels = n;
      }
      out.push({
        split: g.split,
        labels,
        answeredAtStart: start,
        others: g.others.length,
        othersAnswered: labels === null ? 0 : g.others.filter(at).length,
      });
    }
    const summary = (rows: typeof out) => {
      const learned = rows.filter((r) => !r.answeredAtStart);
      const within3 = learned.filter((r) => r.labels !== null && r.labels <= 3);
      const ls = learned.map((r) => r.labels ?? MAX_LABELS + 1).sort((a, b) => a - b);
      return {
        asks: rows.length,
        answeredWithoutLabels: rows.length - learned.length,
        notAnsweredAtStart: learned.length,
        medianLabels: ls.length ? ls[Math.floor((ls.length - 1) / 2)]! : null,
        answeredWithin3Labels: within3.length,
        neverWithin10: learned.filter((r) => r.labels === null).length,
        paraphrasesAnsweredThen: round(
          within3.reduce((n, r) => n + r.othersAnswered, 0) /
            Math.max(
              1,
              within3.reduce((n, r) => n + r.others, 0),
            ),
        ),
        atLeastHalfOfParaphrases: within3.filter((r) => r.othersAnswered * 2 >= r.others).length,
      };
    };
    return { all: summary(out), test: summary(out.filter((r) => r.split === 'test')) };
  };
  // the combination fitted on the dev split of the fixture (the model and memory never saw those tickets)
  const devRows: CombinationRow[] = groups
    .filter((g) => g.split === 'dev')
    .flatMap((g) => [g.phrasing, ...g.others])
    .map((t) => ({
      linear: linearOf(base, t),
      vote: memoryOf().vote(vec.get(t)!),
      label: groups.find((g) => g.phrasing === t || g.others.includes(t))!.intent,
    }));
  return {
    modelAlone: arm(false),
    withMemory: arm(true),
    devFit: devRows.length >= 20 ? fitCombination(devRows, 'Pipewise fixture, dev split') : null,
    memoryEntries: memoryOf().size,
  };
}

export async function benchMemory(dataDir: string): Promise<object> {
  const loadBefore = loadavg();
  const encoder = cachedEncoder(universalSentenceEncoder(), 100_000);
  const b77 = await banking77(dataDir, encoder);
  const pw = await pipewise(encoder, PRIOR_COMBINATION);
  const record = {
    benchmark: 'memory',
    date: new Date().toISOString(),
    machine: `${machine()}; load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')} before, ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} after`,
    note:
      'Nearest-neighbour memory beside the linear intent model (src/nlp/intent/memory.ts), consulted where the ' +
      'model is out of scope or under the threshold ' +
      `(${THRESHOLD}); "answered" = the right intent, in scope, at confidence >= ${THRESHOLD}. Banking77: the ` +
      `test file is not used; the combination is fitted on ` +
      'the last 600 rows of the shuffled (seed 13) stream of train and measured on its first 1,000 rows. ' +
      "Pipewise: the product's combination (priorInCode) is used; " +
      'labels = how many human labels of the phrasing until it is answered (the model updated online each time, ' +
      'the memory remembering it at once); ' +
      'paraphrases = the other wordings of the same ask in the fixture (typos, greeting, signature, quoted ' +
      'thread, long message), read on their ask.',
    priorInCode: PRIOR_COMBINATION,
    banking77: b77,
    pipewise: pw,
  };
  writeResult(resolve(here, 'results', 'memory.json'), record);
  return record;
}
