import type { Command } from 'commander';
import { evaluateIntentFiles, type EvalResult } from '../../nlp/eval.js';
import type { RegisterCommand } from './index.js';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Human-readable rendering of an intent evaluation. */
export function formatEvalResult(r: EvalResult): string {
  const lines = [
    `Intent evaluation (${r.trainRows} train rows, ${r.testRows} test rows, ${r.labels} intents; thresholds from ` +
      `${r.heldOutRows} held-out train rows)`,
    `  accuracy            ${pct(r.accuracy)}`,
    `  macro F1            ${pct(r.macroF1)}`,
    `  ECE (15 bins)       ${r.ece.toFixed(4)}`,
    `  coverage @95% prec. ${pct(r.coverage95.coverage)} (precision ${pct(r.coverage95.precision)}, threshold ` +
      `${r.coverage95.threshold.toFixed(4)})`,
    `  coverage @98% prec. ${pct(r.coverage98.coverage)} (precision ${pct(r.coverage98.precision)}, threshold ` +
      `${r.coverage98.threshold.toFixed(4)})`,
  ];
  if (r.oos) {
    const point = (name: string, p: NonNullable<EvalResult['oos']>['at95']) =>
      `  at the ${name} threshold ${p.threshold.toFixed(4)}: out-of-scope recall ` +
      `${p.recall === null ? 'n/a' : pct(p.recall)}, ` +
      `in-scope accuracy ${p.inScopeAccuracy === null ? 'n/a' : pct(p.inScopeAccuracy)} (answered and right)`;
    lines.push(
      `  out of scope ("${r.oos.label}"; a predicted "${r.oos.label}" is a rejection; ${r.oos.heldOutOosRows} ` +
        `out-of-scope rows held out)`,
    );
    lines.push(point('95%', r.oos.at95), point('98%', r.oos.at98));
    if (r.oos.note) lines.push(`  note: ${r.oos.note}`);
  }
  lines.push(`  training time       ${r.trainSeconds.toFixed(2)} s`);
  lines.push(`  latency per text    p50 ${r.latencyMs.p50.toFixed(3)} ms, p99 ${r.latencyMs.p99.toFixed(3)} ms`);
  return lines.join('\n');
}

/** `deskmind eval intents --train FILE --test FILE [...]`. */
export const registerEval: RegisterCommand = (program: Command) => {
  const evalCmd = program.command('eval').description('Evaluate Deskmind models offline');
  evalCmd
    .command('intents')
    .description('Train the intent classifier on a train file and score it on a test file (CSV or JSONL)')
    .requiredOption('--train <file>', 'training data (CSV with header, or JSONL)')
    .requiredOption('--test <file>', 'test data (same format)')
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the intent label', 'label')
    .option('--oos-label <label>', 'label marking out-of-scope rows')
    .option('--json', 'print one JSON object instead of a report', false)
    .action(
      (opts: {
        train: string;
        test: string;
        textColumn: string;
        labelColumn: string;
        oosLabel?: string;
        json: boolean;
      }) => {
        const result = evaluateIntentFiles(opts.train, opts.test, {
          textColumn: opts.textColumn,
          labelColumn: opts.labelColumn,
          oosLabel: opts.oosLabel ?? null,
        });
        process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : formatEvalResult(result) + '\n');
      },
    );
};
