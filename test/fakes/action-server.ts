/**
 * A fake workspace backend for playbook actions (`node:http`): it checks Deskmind's signature with
 * `verifySignature`, records each request and answers as told.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/resolution/actions.js';

export interface ActionRequest {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any;
  signatureValid: boolean;
}

export interface ActionBehaviour {
  status?: number;
  body?: unknown;
  delayMs?: number;
}

export interface FakeActionServer {
  url: string;
  requests: ActionRequest[];
  behave(b: ActionBehaviour): void;
  close(): Promise<void>;
}

/** Starts the backend; requests with a bad signature get 401. */
export async function startActionServer(secret: string): Promise<FakeActionServer> {
  let behaviour: ActionBehaviour = { status: 200, body: { ok: true } };
  const requests: ActionRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => req.headers[name] as string | undefined;
      const signatureValid = verifySignature(secret, header('x-deskmind-timestamp'), raw, header('x-deskmind-signature'), 300);
      requests.push({ path: req.url ?? '', headers: req.headers, raw, body: raw ? JSON.parse(raw) : null, signatureValid });
      const b = behaviour;
      const answer = () => {
        if (res.destroyed) return;
        const status = signatureValid ? (b.status ?? 200) : 401;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(signatureValid ? (b.body ?? {}) : { error: 'bad signature' }));
      };
      if (b.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, b.delayMs);
        timers.add(t);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/refunds`,
    requests,
    behave(b) {
      behaviour = b;
    },
    async close() {
      timers.forEach(clearTimeout);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
