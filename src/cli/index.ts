import { Command } from 'commander';
import { commands } from './commands/index.js';

/** Builds the `deskmind` command-line program with every registered command. */
export function buildProgram(): Command {
  const program = new Command('deskmind')
    .description('Deskmind — an open-source, AI-first support desk')
    .version('0.1.0')
    .showHelpAfterError();
  for (const register of commands) register(program);
  return program;
}

/** Entry point used by `bin/deskmind.js`. */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
