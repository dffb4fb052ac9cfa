import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { Deskmind } from '../../app.js';
import { createLogger } from '../../ops/logger.js';
import { loadConfig } from '../../config.js';
import { DeskmindError } from '../../domain/errors.js';
import { IdSchema } from '../../domain/schemas.js';
import {
  IMPORT_CHUNK_ROWS,
  IMPORT_COLUMNS,
  IMPORT_FORMATS,
  IMPORT_KINDS,
  importText,
  readImportSource,
  type ImportFormat,
  type ImportKind,
  type ImportProgress,
  type ImportSummary,
} from '../../ingest/import.js';
import { zendeskToJsonl } from '../../ingest/import-zendesk.js';

/** Other desks' exports the command converts (`--from`). */
export const IMPORT_SOURCES = ['zendesk'] as const;

export interface ImportCommandOptions {
  workspace: string;
  format?: ImportFormat;
  from?: (typeof IMPORT_SOURCES)[number];
  json: boolean;
  dryRun: boolean;
}

const COLUMNS_HELP =
  `
Files: CSV with a header row, or JSONL (one JSON object a line) with the same field names.
Empty cells are "not given": an update never clears a field.

accounts   ${IMPORT_COLUMNS.accounts.join(', ')}, attr.<name>
           Upserts on externalId (rows without one are always created). mrr and seats are numbers;
           attr.<name> columns (or a JSONL "attributes" object) are merged into the account's attributes.
customers  ${IMPORT_COLUMNS.customers.join(', ')}, attr.<name>
           Needs email or externalId, and upserts on them. accountExternalId links the customer to an
           account imported before.
tickets    ${IMPORT_COLUMNS.tickets.join(', ')}
           subject and body (the first customer message) are required, and one of customerEmail /
           customerExternalId (the customer is created when new). channel defaults to "import"; priority is
           low|normal|high|urgent; tags are separated by "," or "|"; status is new|open|pending|resolved|closed
           (default: new, or open once an agent replied); intent is an agent-confirmed label; createdAt is an
           ISO 8601 time with a zone (default: now). JSONL rows may add "messages": [{"author": "customer"|"agent", ` +
  `"text": "...",
           "createdAt"?: "..."}] for the later conversation. Tickets whose externalId was already imported are
           skipped; rows without externalId are created on every run.

Rows are written in chunks of ${IMPORT_CHUNK_ROWS}, each in one transaction with a checkpoint: an interrupted import
run again with the same file resumes after its last chunk. A rejected row is reported with its line number and
never stops the import. Imported tickets keep their history (messages, intent, status and times) and do not run
the live pipeline nor notify webhooks; new ones are picked up by the sweep.

--from zendesk reads a Zendesk export (the JSON export, one ticket a line, or an API answer with "tickets" and
"users") and imports its tickets; see docs/import.md.
Exit code 0 (even with rejected rows), 1 when the file cannot be read or every row was rejected.

Example:
  deskmind import customers customers.csv --workspace 3f0c...e1 --dry-run
`;

const workspaceId = (v: string) => {
  if (!IdSchema.safeParse(v).success) throw new InvalidArgumentError('expected a workspace id (a UUID)');
  return v;
};

/** Progress on stderr: a bar on a terminal, a line every few seconds otherwise. Returns the progress callback and a
 * stop. */
function progressReporter(kind: ImportKind): { update: (p: ImportProgress) => void; stop: () => void } {
  const describe = (p: ImportProgress) =>
    `${p.processed}/${p.total} ${kind} (created ${p.created}, updated ${p.updated}, skipped ${p.skipped}, ` +
    `rejected ${p.rejected})`;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format:
          `${kind} [{bar}] {percentage}% {value}/{total} | created {created} updated {updated} skipped ` +
          `{skipped} rejected {rejected} | eta {eta_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        const { processed, total, ...counts } = p;
        if (started) bar.update(processed, counts);
        else bar.start(total, processed, counts);
        started = true;
      },
      stop: () => started && bar.stop(),
    };
  }
  let last = Date.now();
  return {
    update: (p) => {
      if (p.processed === p.total || Date.now() - last >= 2000) {
        last = Date.now();
        process.stderr.write(`import: ${describe(p)}\n`);
      }
    },
    stop: () => undefined,
  };
}

/** The human-readable summary of an import. */
export function formatImportSummary(s: ImportSummary, opts: { file: string; dryRun: boolean }): string {
  const lines = [
    `${opts.dryRun ? 'Dry run of the import of' : 'Imported'} ${s.kind} from ${opts.file}: ${s.total} row(s)`,
    `  created  ${s.created}`,
    `  updated  ${s.updated}`,
    `  skipped  ${s.skipped}${s.skipped ? ' (already imported)' : ''}`,
    `  rejected ${s.rejected}`,
  ];
  if (s.rejections.length) {
    lines.push('Rejected rows:', ...s.rejections.map((r) => `  line ${r.line}: ${r.reason}`));
    if (s.rejected > s.rejections.length) lines.push(`  … and ${s.rejected - s.rejections.length} more`);
  }
  if (opts.dryRun) lines.push('Dry run: every row was rolled back, nothing was stored.');
  return lines.join('\n');
}

/** Runs one import: reads the file, opens Deskmind (no worker), imports, prints the summary and sets the exit code. */
export async function runImport(kind: ImportKind, file: string, opts: ImportCommandOptions): Promise<ImportSummary> {
  if (opts.from && kind !== 'tickets')
    throw new DeskmindError('validation_failed', `--from ${opts.from} imports tickets, not ${kind}`);
  const source = await readImportSource(file, opts.from ? 'jsonl' : opts.format);
  const text = opts.from === 'zendesk' ? zendeskToJsonl(source.text) : source.text;
  const format = source.format;
  const config = loadConfig();
  // stdout is for the summary
  const desk = await Deskmind.open({ config, logger: createLogger(config, 'stderr'), worker: false });
  const progress = progressReporter(kind);
  let summary: ImportSummary;
  try {
    summary = await importText(desk, opts.workspace, text, {
      kind,
      format,
      dryRun: opts.dryRun,
      onProgress: progress.update,
    });
  } finally {
    progress.stop();
    await desk.close();
  }
  process.stdout.write(
    (opts.json ? JSON.stringify(summary) : formatImportSummary(summary, { file, dryRun: opts.dryRun })) + '\n',
  );
  if (summary.total > 0 && summary.rejected === summary.total) process.exitCode = 1;
  return summary;
}

/** `deskmind import <kind> <file> --workspace <id> [--format csv|jsonl] [--json] [--dry-run]`. */
export function registerImport(program: Command, run: typeof runImport = runImport): void {
  program
    .command('import')
    .description('Import accounts, customers or tickets from a CSV or JSONL file into a workspace')
    .addArgument(new Argument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
    .argument('<file>', 'a .csv file with a header row, or a .jsonl file')
    .requiredOption('-w, --workspace <id>', 'the workspace to import into', workspaceId)
    .addOption(
      new Option('--format <format>', 'file format (default: from the file extension)').choices(IMPORT_FORMATS),
    )
    .addOption(new Option('--from <desk>', "the file is another desk's export (tickets)").choices(IMPORT_SOURCES))
    .option('--json', 'print the summary as one JSON object', false)
    .option('--dry-run', 'validate and write every row, then roll it back: nothing is stored', false)
    .addHelpText('after', COLUMNS_HELP)
    .action(async (kind: ImportKind, file: string, opts: ImportCommandOptions) => {
      await run(kind, file, opts);
    });
}
