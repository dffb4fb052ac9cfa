/** Shared plumbing of the local fake servers: read the body, answer now or after a delay, listen, close. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts a server on a free port of 127.0.0.1. `handle` gets the raw body and returns how long to wait
 * before `answer` runs (0: at once); an answer to a client that already went away is dropped.
 */
export async function serveLocally(
  handle: (
    req: IncomingMessage,
    raw: string,
  ) => { delayMs?: number | undefined; answer: (res: ServerResponse) => void },
): Promise<LocalServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { delayMs, answer } = handle(req, Buffer.concat(chunks).toString('utf8'));
      const run = () => {
        if (!res.destroyed) answer(res);
      };
      if (!delayMs) return run();
      const t = setTimeout(() => {
        timers.delete(t);
        run();
      }, delayMs);
      timers.add(t);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      timers.forEach(clearTimeout);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
