import { InvalidArgumentError, type Command } from 'commander';
import { Deskmind } from '../../app.js';
import { createLogger } from '../../ops/logger.js';
import { loadConfig, type Config } from '../../config.js';
import { IdSchema } from '../../domain/schemas.js';
import { importArticles, readArticleSource } from '../../knowledge/import.js';
import type { ArticleImportResult } from '../../knowledge/schemas.js';
import { systemActor } from '../../store/ctx.js';
import { getWorkspace } from '../../people/get-workspace.js';

const HELP = `
Sources:
  folder/       every .md file (recursively) with optional YAML front matter:
                  title (default: the first "# " heading), tags, intents, tiers (lists or "a|b"),
                  status (published|draft), externalId (default: the file name's slug),
                  walkthrough: [{title, selector, body?}]
  file.json     an array of articles {title, body, tags, intents, tiers, walkthrough, status, externalId}
  file.csv      header row with title, body, tags, intents, tiers (separated by "|" or ","), externalId, status

Articles upsert on externalId (default: the title's slug); an unchanged article keeps its version.
Exit code 1 when the source cannot be read or every article was rejected.

Example:
  deskmind kb import ./help-center --workspace 3f0c...e1
`;

/** Imports a folder, .json or .csv of articles into a workspace and returns the summary. */
export async function runKbImport(
  source: string,
  opts: { workspace: string },
  config: Config = loadConfig(),
): Promise<ArticleImportResult> {
  const items = await readArticleSource(source);
  const desk = await Deskmind.open({ config, logger: createLogger(config, 'stderr'), worker: false });
  try {
    await getWorkspace(desk.database.db, opts.workspace);
    return await importArticles(desk.ctx(opts.workspace, systemActor), desk.embedder, items);
  } finally {
    await desk.close();
  }
}

/** The human-readable summary of an article import. */
export function formatKbSummary(r: ArticleImportResult, source: string): string {
  const lines = [
    `Imported articles from ${source}`,
    `  created   ${r.created}`,
    `  updated   ${r.updated}`,
    `  unchanged ${r.unchanged}`,
    `  rejected  ${r.rejected.length}`,
  ];
  for (const x of r.rejected) lines.push(`    ${x.item}: ${x.reason}`);
  return lines.join('\n');
}

const workspaceId = (v: string) => {
  if (!IdSchema.safeParse(v).success) throw new InvalidArgumentError('expected a workspace id (a UUID)');
  return v;
};

/** `deskmind kb import <folder|file.json|file.csv> --workspace <id> [--json]`. */
export function registerKb(program: Command): void {
  const kb = program.command('kb').description('Knowledge base: import help-center articles');
  kb.command('import')
    .description('Import markdown articles (a folder), a JSON array or a CSV file into a workspace')
    .argument('<source>', 'a folder of .md files, a .json or a .csv file')
    .requiredOption('-w, --workspace <id>', 'the workspace to import into', workspaceId)
    .option('--json', 'print the summary as one JSON object', false)
    .addHelpText('after', HELP)
    .action(async (source: string, opts: { workspace: string; json: boolean }) => {
      const result = await runKbImport(source, opts);
      process.stdout.write((opts.json ? JSON.stringify(result) : formatKbSummary(result, source)) + '\n');
      const total = result.created + result.updated + result.unchanged + result.rejected.length;
      if (total > 0 && result.rejected.length === total) process.exitCode = 1;
    });
}
