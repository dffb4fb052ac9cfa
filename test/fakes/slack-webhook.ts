/**
 * A fake Slack incoming webhook (`node:http`), following Slack's documented behaviour: `POST` a JSON body
 * with `text` and/or `blocks`; the answer is `200 ok` as plain text, `400 invalid_payload` for a body
 * that is not JSON, `400 no_text` when neither `text` nor `blocks` is given, `404 no_service` for an
 * unknown hook path, `500` when told to fail.
 */
import { serveLocally } from './http.js';

export interface FakeSlack {
  /** The incoming-webhook URL to configure (`…/services/T000/B000/XXXX`). */
  url: string;
  messages: { text?: string; blocks?: { type: string }[] }[];
  /** Answer 500 while true. */
  failing: boolean;
  close(): Promise<void>;
}

const HOOK_PATH = '/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX';

export async function startFakeSlack(): Promise<FakeSlack> {
  const fake: Omit<FakeSlack, 'url' | 'close'> = { messages: [], failing: false };
  const server = await serveLocally((req, raw) => ({
    answer(res) {
      const reply = (status: number, body: string) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(body);
      };
      if (req.method !== 'POST' || req.url !== HOOK_PATH) return reply(404, 'no_service');
      if (fake.failing) return reply(500, 'internal_error');
      let body: { text?: unknown; blocks?: unknown };
      try {
        body = JSON.parse(raw);
      } catch {
        return reply(400, 'invalid_payload');
      }
      if (!body || typeof body !== 'object' || (typeof body.text !== 'string' && !Array.isArray(body.blocks)))
        return reply(400, 'no_text');
      if (Array.isArray(body.blocks) && body.blocks.some((b: { type?: unknown }) => typeof b?.type !== 'string'))
        return reply(400, 'invalid_blocks');
      fake.messages.push(body as FakeSlack['messages'][number]);
      reply(200, 'ok');
    },
  }));
  return Object.assign(fake, { url: `${server.origin}${HOOK_PATH}`, close: () => server.close() });
}
