/** How well the built-in starter taxonomy alone classifies its own phrasings (5-fold cross-validation). */

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IntentClassifier } from '../src/nlp/intent/index.js';
import { starterExamples } from '../src/nlp/taxonomy.js';

import { machine, writeResult } from './record.js';

const here = dirname(fileURLToPath(import.meta.url));
const FOLDS = 5;

/** 5-fold top-intent accuracy of a model trained on the starter examples; writes `bench/results/starter-taxonomy.json`.
 */
export async function benchStarter(): Promise<object> {
  const examples = starterExamples().map(({ text, label }) => ({ text, label }));
  let correct = 0;
  for (let fold = 0; fold < FOLDS; fold++) {
    const model = IntentClassifier.train(examples.filter((_, i) => i % FOLDS !== fold));
    for (const e of examples.filter((_, i) => i % FOLDS === fold))
      if (model.predict(e.text).topIntent === e.label) correct++;
  }
  const record = {
    benchmark: 'starter-taxonomy',
    date: new Date().toISOString(),
    machine: machine(),
    howMeasured:
      `${FOLDS}-fold cross-validation (every ${FOLDS}th example held out in turn) over the ` +
      `${examples.length} starter phrasings of ${new Set(examples.map((e) => e.label)).size} intents; top-intent ` +
      `accuracy.`,
    examples: examples.length,
    accuracy: Number((correct / examples.length).toFixed(4)),
  };
  const out = resolve(here, 'results', 'starter-taxonomy.json');
  writeResult(out, record);
  return record;
}
