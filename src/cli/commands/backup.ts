import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { backupDataDir, restoreDataDir } from '../../ops/backup.js';
import type { RegisterCommand } from './index.js';

const embeddedOnly = (databaseUrl: string | undefined, what: string) => {
  if (databaseUrl)
    throw new Error(
      `${what} works on the embedded data folder; with DATABASE_URL use pg_dump / pg_restore (see README)`,
    );
};

/** `deskmind backup --out FILE` and `deskmind restore --from FILE [--force]` for the embedded data folder. */
export const registerBackup: RegisterCommand = (program: Command) => {
  program
    .command('backup')
    .description('Write the embedded database (DESKMIND_DATA_DIR) to a compressed file; stop serve/worker first')
    .requiredOption('--out <file>', 'file to write (a .tar.gz)')
    .action(async (opts: { out: string }) => {
      const config = loadConfig();
      embeddedOnly(config.databaseUrl, 'backup');
      const { bytes } = await backupDataDir(config.dataDir, opts.out);
      console.log(`Backed up ${config.dataDir} to ${opts.out} (${(bytes / 2 ** 20).toFixed(1)} MiB).`);
    });
  program
    .command('restore')
    .description('Restore the embedded database (DESKMIND_DATA_DIR) from a backup file; stop serve/worker first')
    .requiredOption('--from <file>', 'backup file written by `deskmind backup`')
    .option('--force', 'move a non-empty data folder aside (to <folder>.before-restore-<time>) and restore', false)
    .action(async (opts: { from: string; force: boolean }) => {
      const config = loadConfig();
      embeddedOnly(config.databaseUrl, 'restore');
      const { movedAside } = await restoreDataDir(config.dataDir, opts.from, { force: opts.force });
      console.log(
        `Restored ${config.dataDir} from ${opts.from}.${movedAside ? ` The previous folder is at ${movedAside}.` : ''}`,
      );
    });
};
