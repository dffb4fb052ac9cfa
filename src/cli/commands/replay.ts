import type { Command } from 'commander';
import { REPLAY_NOTE, replayFiles, type ReplayResult } from '../../learning/replay.js';
import type { RegisterCommand } from './index.js';

const pct = (x: number | null) => (x === null ? '   n/a' : `${(100 * x).toFixed(1).padStart(5)}%`);

/** Human-readable rendering of a replay: the learning curve, then the final scores. */
export function formatReplayResult(r: ReplayResult): string {
  const lines = [
    `Replay: ${r.rows.seed} seed examples (${r.rows.intents} intents), ${r.rows.stream} streamed tickets, ` +
      `${r.rows.test} test rows`,
    `  (${REPLAY_NOTE})`,
    '  tickets         accuracy  auto-resolved  wrong/answers  threshold mean/min',
    ...r.curve.map(
      (b) =>
        `  ${`${b.from}-${b.from + b.tickets - 1}`.padEnd(15)} ${pct(b.accuracy)}    ${pct(b.autoResolutionRate)} ` +
        `        ${pct(b.wrongAnswerRate)} (${b.autonomousAnswers})`.padEnd(70) +
        ` ${b.thresholds.mean.toFixed(3)}/${b.thresholds.min.toFixed(3)}`,
    ),
    `  final test accuracy      ${pct(r.final.testAccuracy)}  (batch-trained on the same labels: ` +
      `${pct(r.batchTestAccuracy)})`,
    `  last block               auto-resolved ${pct(r.final.autoResolutionRate)}, wrong among autonomous ` +
      `answers ${pct(r.final.wrongAnswerRate)}`,
    `  background retrains      ` +
      (r.retrains
        .map(
          (x) =>
            `${x.status} after ${x.afterTickets} tickets (${x.examples} labels` +
            `${x.after === null ? '' : `, window ${pct(x.before).trim()} → ${pct(x.after).trim()}`})`,
        )
        .join('; ') || 'none'),
    `  settings                 start threshold ${r.settings.startThreshold}, target success ` +
      `${r.settings.targetSuccess}, ${r.settings.ticketsPerDay} tickets a day`,
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
  ticketsPerDay: number;
  startThreshold: number;
  targetSuccess?: number;
  retrain: boolean;
  json: boolean;
}

const share = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > 1) throw new Error(`${name} must be a number from ${min} to 1, got "${v}"`);
  return n;
};

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
      'Replay a labelled stream through an in-memory simulation of the understand/decide/learn loop and print the ' +
        'learning curve ' +
        '(writes nothing to a database; no knowledge base: retrieval counts as perfect)',
    )
    .requiredOption('--seed <file>', 'labelled data the model starts from (CSV with header, or JSONL)')
    .requiredOption(
      '--stream <file>',
      'labelled tickets replayed in file order (the same file as --seed: the rows left after the seed)',
    )
    .requiredOption('--test <file>', 'labelled data to score the final model on')
    .option('--seed-per-intent <k>', 'seed examples per intent', positiveInt('--seed-per-intent'), 10)
    .option('--text-column <name>', 'column holding the text', 'text')
    .option('--label-column <name>', 'column holding the intent label', 'label')
    .option('--block <n>', 'tickets per block of the curve', positiveInt('--block'), 500)
    .option(
      '--shuffle <seed>',
      'shuffle the stream with this seed (for files sorted by label); default: file order',
      positiveInt('--shuffle'),
    )
    .option(
      '--tickets-per-day <n>',
      'tickets per simulated day (the sweep tunes thresholds and checks for a due retrain once a day)',
      positiveInt('--tickets-per-day'),
      200,
    )
    .option(
      '--start-threshold <p>',
      "the workspace's default threshold at the start",
      share('--start-threshold', 0),
      0.97,
    )
    .option(
      '--target-success <p>',
      "the tuner's success target (default: the workspace default, 0.95)",
      share('--target-success', 0.5),
    )
    .option('--no-retrain', 'no background retrain (online updates only)')
    .option('--json', 'print one JSON object instead of a report', false)
    .action((opts: ReplayCliOptions) => {
      const result = replayFiles(opts, {
        seedPerIntent: opts.seedPerIntent,
        block: opts.block,
        shuffleSeed: opts.shuffle ?? null,
        textColumn: opts.textColumn,
        labelColumn: opts.labelColumn,
        ticketsPerDay: opts.ticketsPerDay,
        startThreshold: opts.startThreshold,
        targetSuccess: opts.targetSuccess ?? null,
        retrain: opts.retrain,
      });
      process.stdout.write(opts.json ? JSON.stringify(result) + '\n' : formatReplayResult(result) + '\n');
    });
};
