import type { Command } from 'commander';
import { REPLAY_NOTE, replayFiles, type ReplayResult } from '../../learning/replay.js';
import type { RegisterCommand } from './index.js';

const pct = (x: number | null) => (x === null ? '   n/a' : `${(100 * x).toFixed(1).padStart(5)}%`);

/** Human-readable rendering of a replay: the learning curve, then the final scores. */
export function formatReplayResult(r: ReplayResult): string {
  const lines = [
    `Replay: ${r.rows.seed} seed examples (${r.rows.intents} intents), ${r.rows.stream} streamed tickets, ${r.rows.test} test rows`,
    `  (${REPLAY_NOTE})`,
    '  tickets         accuracy  auto-resolved  wrong/answers  threshold mean/min',
    ...r.curve.map(
      (b) =>
        `  ${`${b.from}-${b.from + b.tickets - 1}`.padEnd(15)} ${pct(b.accuracy)}    ${pct(b.autoResolutionRate)}         ${pct(b.wrongAnswerRate)} (${b.autonomousAnswers})`.padEnd(70) +
        ` ${b.thresholds.mean.toFixed(3)}/${b.thresholds.min.toFixed(3)}`,
    ),
    `  final test accuracy      ${pct(r.final.testAccuracy)}  (batch-trained on the same labels: ${pct(r.batchTestAccuracy)})`,
    `  last block               auto-resolved ${pct(r.final.autoResolutionRate)}, wrong among autonomous answers ${pct(r.final.wrongAnswerRate)}`,
    `  run time                 ${r.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}

/** Options of `deskmind replay`, as commander parses them. */
export interface ReplayCliOptions {
  seed: string;
  stream: string;
  test: string;
  seedPerIntent: number;
  textColumn: string;
  labelColumn: string;
  block: number;
  shuffle?: number;
  json: boolean;
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
};

/** `deskmind replay --seed FILE --stream FILE --test FILE [...]`: the learning curve. */
export const registerReplay: RegisterCommand = (program: Command) => {
  program
    .command('replay')
    .description(
      'Replay a labelled stream through an in-memory simulation of the understand/decide/learn loop and print the learning curve ' +
        '(writes nothing to a database; no knowledge base: retrieval counts as perfect)',
    )
    .requiredOption('--seed <file>', 'labelled data the model starts from (CSV with header, or JSONL)')
    .requiredOption('--stream <file>', 'labelled tickets replayed in file order (the same file as --seed: the rows left after the seed)')
    .requiredOption('--test <file>', 'labelled data to score the final model on')
    .option('--seed-per-intent <k>', 'seed examples per intent', positiveInt('--seed-per-intent'), 10)
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the intent label', 'label')
    .option('--block <n>', 'tickets per block of the curve', positiveInt('--block'), 500)
    .option('--shuffle <seed>', 'shuffle the stream with this seed (for files sorted by label); default: file order', positiveInt('--shuffle'))
    .option('--json', 'print one JSON object instead of a report', false)
    .action((opts: ReplayCliOptions) => {
      const result = replayFiles(opts, { seedPerIntent: opts.seedPerIntent, block: opts.block, shuffleSeed: opts.shuffle ?? null, textColumn: opts.textColumn, labelColumn: opts.labelColumn });
      process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : formatReplayResult(result) + '\n');
    });
};
