import { Worker } from 'node:worker_threads';

/**
 * A worker thread on the script `name` next to the calling module (`from`: its `import.meta.url`): the compiled
 * `.js`, or when that module runs from its TypeScript source (tests, `tsx`) the `.ts` source, loaded through tsx's
 * loader registered in the worker first.
 * @example const worker = startWorker(import.meta.url, 'retrain-worker', input);
 */
export function startWorker(from: string, name: string, workerData?: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), { workerData });
  const script = new URL(`./${name}.ts`, from).href;
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); });`,
    { eval: true, workerData },
  );
}
