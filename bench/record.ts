/** What every benchmark records beside its numbers. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';

/** The machine a figure was measured on, e.g. "AMD EPYC, 2 cores, 24 GiB, node v20.20.2". */
export const machine = (): string =>
  `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
  `node ${process.version}`;

/** Writes a benchmark's record as pretty JSON, creating bench/results/ when missing. */
export function writeResult(path: string, record: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(record, null, 2) + '\n');
}
