import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { concat } from './pglite-fast.js';

/**
 * The worker thread that owns an embedded database (PGlite) for `pglite-thread.ts`. It runs protocol
 * bytes as they come and sends the backend's bytes back; statement caching, locks, result parsing and
 * LISTEN/NOTIFY stay on the main thread.
 */

/** What the worker is started with. */
export interface WorkerInit {
  /** Data folder; in memory when undefined. */
  dataDir: string | undefined;
}

/** A request from the main thread. Buffers are transferred, not copied. */
export type WorkerRequest =
  | { id: number; kind: 'protocol'; bytes: ArrayBuffer; sync: boolean }
  | { id: number; kind: 'migrate'; folder: string }
  | { id: number; kind: 'close' };

/** An error crossing the thread boundary: its message and own fields (e.g. a `DatabaseError`'s `code`). */
export interface WorkerError {
  message: string;
  fields: Record<string, unknown>;
}

/** What the worker sends: `ready` once (or `failed`), then one reply per request, in order. */
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: WorkerError }
  | { id: number; kind: 'done'; bytes?: ArrayBuffer }
  | { id: number; kind: 'error'; error: WorkerError };

const toWorkerError = (err: unknown): WorkerError => {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (value === undefined || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return { message: err.message, fields };
};

async function main(): Promise<void> {
  const port = parentPort!;
  const { dataDir } = workerData as WorkerInit;
  let lite: PGlite;
  try {
    lite = new PGlite(dataDir);
    await lite.waitReady;
  } catch (err) {
    port.postMessage({ kind: 'failed', error: toWorkerError(err) } satisfies WorkerReply);
    return;
  }

  const handle = async (req: WorkerRequest): Promise<WorkerReply> => {
    switch (req.kind) {
      case 'protocol': {
        // The raw stream: PGlite neither parses the output here (the main thread does) nor keeps it. (Its
        // own query/exec, which the migrator uses, set their output handler themselves, so they still work.)
        const chunks: Uint8Array[] = [];
        await lite.execProtocolRawStream(new Uint8Array(req.bytes), {
          syncToFs: req.sync,
          onRawData: (chunk) => chunks.push(chunk.slice()),
        });
        const bytes = chunks.length === 1 ? chunks[0]! : concat(chunks);
        return { id: req.id, kind: 'done', bytes: bytes.buffer as ArrayBuffer };
      }
      case 'migrate':
        await migrate(drizzle(lite), { migrationsFolder: req.folder });
        return { id: req.id, kind: 'done' };
      case 'close':
        await lite.close();
        return { id: req.id, kind: 'done' };
      default:
        throw new Error(`unknown request ${JSON.stringify((req as { kind?: unknown }).kind)}`);
    }
  };

  // One request at a time, in arrival order (the main thread's locks already order them).
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      let reply: WorkerReply;
      try {
        reply = await handle(req);
      } catch (err) {
        reply = { id: req.id, kind: 'error', error: toWorkerError(err) };
      }
      port.postMessage(reply, reply.kind === 'done' && reply.bytes ? [reply.bytes] : []);
    });
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerReply);
}

void main();
