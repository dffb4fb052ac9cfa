/**
 * A fake workspace backend for playbook actions (`node:http`): it checks Deskmind's signature with
 * `verifySignature`, records each request and answers as told.
 */
import type { IncomingMessage } from 'node:http';
import { serveLocally } from './http.js';
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
  const server = await serveLocally((req, raw) => {
    const header = (name: string) => req.headers[name] as string | undefined;
    const signatureValid = verifySignature(
      secret,
      header('x-deskmind-timestamp'),
      raw,
      header('x-deskmind-signature'),
      300,
    );
    requests.push({
      path: req.url ?? '',
      headers: req.headers,
      raw,
      body: raw ? JSON.parse(raw) : null,
      signatureValid,
    });
    const b = behaviour;
    return {
      delayMs: b.delayMs,
      answer: (res) => {
        res.writeHead(signatureValid ? (b.status ?? 200) : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(signatureValid ? (b.body ?? {}) : { error: 'bad signature' }));
      },
    };
  });
  return {
    url: `${server.origin}/refunds`,
    requests,
    behave(b) {
      behaviour = b;
    },
    close: () => server.close(),
  };
}
