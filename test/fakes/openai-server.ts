/**
 * A fake OpenAI-compatible chat server for tests (`node:http`): `POST /v1/chat/completions` answers
 * with OpenAI's documented response shape. It records every request so tests can check what left the
 * machine, and can be told to be slow, to fail, or to answer with given text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveLocally } from './http.js';

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any;
}

/** How the fake answers the next requests. */
export interface FakeBehaviour {
  /** The assistant's text, or a function of the request body (e.g. to echo placeholders back). */
  content?: string | ((body: any) => string);
  /** Wait this long before answering (to trigger client timeouts). */
  delayMs?: number;
  /** Answer with this HTTP status and an OpenAI error document instead. */
  status?: number;
}

export interface FakeOpenAi {
  /** Base URL to give the SDK, e.g. `http://127.0.0.1:1234/v1`. */
  baseUrl: string;
  requests: RecordedRequest[];
  behave(b: FakeBehaviour): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  let behaviour: FakeBehaviour = { content: 'OK' };
  const requests: RecordedRequest[] = [];
  const server = await serveLocally((req, raw) => {
    let body: any = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = null;
    }
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body });
    const b = behaviour;
    return {
      delayMs: b.delayMs,
      answer: (res) => {
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
          return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
        if (b.status)
          return send(res, b.status, {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              param: null,
              code: null,
            },
          });
        const content = typeof b.content === 'function' ? b.content(body) : (b.content ?? '');
        send(res, 200, {
          id: `chatcmpl-${requests.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body?.model ?? 'fake-model',
          choices: [
            { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
          ],
          usage: {
            prompt_tokens: Math.ceil(raw.length / 4),
            completion_tokens: Math.ceil(content.length / 4),
            total_tokens: Math.ceil((raw.length + content.length) / 4),
          },
        });
      },
    };
  });
  return {
    baseUrl: `${server.origin}/v1`,
    requests,
    behave(b) {
      behaviour = b;
    },
    close: () => server.close(),
  };
}
