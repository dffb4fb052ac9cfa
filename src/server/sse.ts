import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Open event streams, ended when the server closes (an open stream would hold the close forever). */
    sseStreams: Set<ServerResponse>;
  }
}

/** Ends every open event stream of `app` before it closes. */
export function registerSse(app: FastifyInstance): void {
  const set = new Set<ServerResponse>();
  app.decorate('sseStreams', set);
  app.addHook('preClose', async () => {
    for (const res of set) res.end();
    set.clear();
  });
}

/**
 * Turns a reply into a Server-Sent Events stream: `send` writes one event, a comment every 15 s keeps
 * proxies from closing it, and `onClose` runs when the client goes away.
 */
export function startSse(request: FastifyRequest, reply: FastifyReply, headers: Record<string, string> = {}) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
  res.write('retry: 3000\n: connected\n\n');
  const set = request.server.sseStreams as Set<ServerResponse> | undefined;
  set?.add(res);
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  ping.unref();
  const closers: (() => void)[] = [];
  const close = () => {
    clearInterval(ping);
    set?.delete(res);
    for (const c of closers.splice(0)) c();
  };
  request.raw.on('close', close);
  res.on('close', close);
  return {
    send(data: unknown) {
      if (!res.writableEnded) res.write(`data: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn: () => void) {
      if (res.writableEnded || res.destroyed) fn();
      else closers.push(fn);
    },
  };
}
