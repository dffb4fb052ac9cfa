import type { Command } from 'commander';
import { registerBackup } from './backup.js';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';

import { registerEval } from './eval.js';
import { registerImport } from './import.js';
import { registerKb } from './kb.js';
import { registerReplay } from './replay.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';

/** A CLI command module registers its sub-command(s) on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every command of the `deskmind` CLI, in help order. */
export const commands: RegisterCommand[] = [
  registerServe,
  registerDemo,
  registerImport,
  registerKb,
  registerTrain,
  registerEval,
  registerReplay,
  registerBench,
  registerBackup,
];
