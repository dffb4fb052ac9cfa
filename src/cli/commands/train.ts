import type { Command } from 'commander';
import { Deskmind } from '../../app.js';
import { systemActor } from '../../store/ctx.js';
import { OWN_TAXONOMY_MIN_LABELS, trainFromSources } from '../../learning/training.js';
import { getWorkspace } from '../../people/get-workspace.js';
import { workspaceSentenceVectors } from '../../learning/sentence-vectors.js';
import { formatEvalResult } from './eval.js';

interface TrainOptions {
  workspace: string;
  file?: string;
  textColumn: string;
  labelColumn: string;
  starter: boolean;
  tickets: boolean;
  articles: boolean;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description("Train a workspace's intent classifier and store it as the workspace's next model version")
    .argument('<model>', 'which model: intents')
    .requiredOption('--workspace <id>', 'workspace id')
    .option('--file <path>', 'also train on a labelled CSV or JSONL file')
    .option('--text-column <name>', 'text column of --file', 'text')
    .option('--label-column <name>', 'label column of --file', 'label')
    .option('--no-tickets', "leave out the workspace's human-labelled tickets")
    .option('--no-starter', 'leave out the starter SaaS-support taxonomy examples')
    .option('--no-articles', 'leave out what the published articles say they answer (titles, headings, questions)')
    .option('--json', 'print the result as one JSON object')
    .addHelpText(
      'after',
      `
Training data: the workspace's tickets whose intent a person set (imported with a label or relabelled
by an agent), the rows of --file, what your published articles say they answer (their titles, headings and
questions, as examples of the intent each is written for), and the starter taxonomy's example phrasings
(retired when your labels name ${OWN_TAXONOMY_MIN_LABELS} or more intents of your own, except the starter
intents you label too). 15% is held out to report accuracy and calibration; the stored model is then trained
on everything, with the examples' sentence vectors unless DESKMIND_INTENT_SENTENCE=false.`,
    )
    .action(async (model: string, opts: TrainOptions) => {
      if (model !== 'intents') throw new Error(`unknown model "${model}" (expected: intents)`);
      const desk = await Deskmind.open({ worker: false });
      try {
        await getWorkspace(desk.database.db, opts.workspace);
        const file = opts.file
          ? { path: opts.file, textColumn: opts.textColumn, labelColumn: opts.labelColumn }
          : undefined;
        const result = await trainFromSources(
          desk.ctx(opts.workspace, systemActor),
          desk.intentModels,
          { tickets: opts.tickets, starter: opts.starter, articles: opts.articles, file },
          workspaceSentenceVectors(desk, opts.workspace),
        );
        if (opts.json) console.log(JSON.stringify(result));
        else {
          const from = Object.entries(result.sources)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ');
          console.log(
            `Stored intent model version ${result.version}: ${result.examples} examples, ${result.labels} intents ` +
              `(${from}), trained in ${result.trainSeconds.toFixed(1)} s.`,
          );
          const { sample } = result;
          if (sample && sample.used < sample.labels)
            console.log(
              `Labelled tickets: a sample of ${sample.used} of ${sample.labels} (the newest of each intent, at most ` +
                `${sample.perIntent} per intent; ${sample.intents - sample.cutIntents} smaller intents kept whole).`,
            );
          if (result.starter) console.log(`Starter taxonomy: ${result.starter.reason}.`);
          if (result.outOfScope)
            console.log(
              `Out of scope below confidence ${result.outOfScope.confidence} (fitted on ` +
                `${result.outOfScope.heldOut} held-out labels of your own).`,
            );
          if (result.heldOut) console.log(`Held-out check (15%):\n${formatEvalResult(result.heldOut)}`);
        }
      } finally {
        await desk.close();
      }
    });
}
