import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build` puts the agent console and the widget (the same from src/ and dist/). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));
export const WIDGET_DIR = fileURLToPath(new URL('../../dist/widget', import.meta.url));

/**
 * Serves the agent console at `/` and the widget at `/widget.js` from the build output (one route per
 * file found at start, so `/api/` paths never reach it). Returns the
 * single-page-app fallback: any other GET outside `/api/` that accepts HTML gets the console's index.html.
 */
export async function registerConsole(
  app: FastifyInstance,
): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  const indexFile = `${CONSOLE_DIR}/index.html`;
  const index = existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null;
  if (existsSync(CONSOLE_DIR)) {
    await app.register(fastifyStatic, {
      root: CONSOLE_DIR,
      prefix: '/',
      wildcard: false,
      index: index ? ['index.html'] : false,
      maxAge: 0,
    });
  }
  const widgetFile = `${WIDGET_DIR}/widget.js`;
  if (existsSync(widgetFile)) {
    const widget = readFileSync(widgetFile);
    // Loaded by other sites' pages: allowed cross-origin even where a security policy says same-origin.
    app.get('/widget.js', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-allow-origin', '*')
        .send(widget),
    );
  }
  if (!index) {
    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>Deskmind</title><p>The console is not built: run <code>npm run build</code>. The ' +
            'API is at <a href="/docs">/docs</a>.</p>',
        ),
    );
  }
  return (request, reply) => {
    if (
      !index ||
      request.method !== 'GET' ||
      request.url.startsWith('/api/') ||
      !String(request.headers.accept ?? '').includes('text/html')
    )
      return false;
    void reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    return true;
  };
}
