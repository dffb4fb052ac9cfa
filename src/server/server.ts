import { isUtf8 } from 'node:buffer';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Deskmind } from '../app.js';
import { DeskmindError } from '../domain/errors.js';
import { authHook } from './auth.js';
import { auditRoutes, registerAuditHook } from './routes/audit/index.js';
import { databaseRateLimitStore, memoryRateLimitStore } from './rate-limit-store.js';
import { checkCsrf, registerSecurity } from './security.js';
import { clientErrorHandler, DATABASE_RETRY_AFTER_SECONDS, errorHandler, sendProblem } from './errors.js';
import { registerIdempotency } from './idempotency.js';
import { registerMetrics } from './metrics.js';
import { insightsRoutes } from './routes/insights/index.js';
import { knowledgeRoutes } from './routes/knowledge/index.js';
import { peopleRoutes } from './routes/people/index.js';
import { playbookRoutes } from './routes/playbooks/index.js';
import { routingRoutes } from './routes/routing/index.js';
import { metricsRoutes } from './routes/metrics/index.js';
import { slaRoutes } from './routes/sla/index.js';
import { workflowRoutes } from './routes/workflow/index.js';
import { sessionRoutes } from './routes/session/index.js';
import { ticketRoutes } from './routes/tickets/index.js';
import { channelRoutes } from './routes/channels/index.js';
import { liveRoutes } from './routes/live/index.js';
import { widgetRoutes } from './routes/widget/index.js';
import { taxonomyRoutes } from './routes/taxonomy/index.js';
import { registerSse } from './sse.js';
import { registerConsole } from './static.js';
import { integrationRoutes } from './routes/integrations/index.js';

/**
 * Builds the HTTP server: the REST API under /api/v1, OpenAPI at /openapi.json, docs at /docs,
 * /healthz, /readyz and /metrics.
 */
export async function buildServer(desk: Deskmind): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: desk.logger as FastifyBaseLogger,
    bodyLimit: desk.config.bodyLimitBytes,
    trustProxy: false,
    // Readable logs (the demo) keep request lines out of the way: one line per request, at debug level.
    ...(desk.config.logFormat === 'pretty'
      ? { logController: new LogController({ disableRequestLogging: true }) }
      : {}),
    clientErrorHandler,
    // Errors of the router itself (a malformed URL, a path parameter over 100 characters) as problem+json too.
    frameworkErrors: (err, _request, reply) =>
      sendProblem(
        reply,
        'validation_failed',
        err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The URL is malformed',
      ),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  if (desk.config.logFormat === 'pretty') {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        `${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(0)} ms`,
      );
    });
  }
  let spaFallback: Awaited<ReturnType<typeof registerConsole>> | null = null;
  app.setNotFoundHandler((request, reply) => {
    if (spaFallback?.(request, reply)) return reply;
    return sendProblem(reply, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`);
  });

  // JSON bodies must be valid UTF-8: invalid bytes are refused rather than silently replaced.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buf = body as Buffer;
    if (!isUtf8(buf)) return done(new DeskmindError('invalid_utf8'), undefined);
    const text = buf.toString('utf8');
    parseJson(request, text, done);
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Deskmind API',
        version: '0.1.0',
        description:
          'The REST API of Deskmind, the AI-first support desk. Errors are application/problem+json with a stable ' +
          '`code`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'deskmind_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await registerSecurity(
    app,
    desk.config,
    desk.database.kind === 'postgres'
      ? databaseRateLimitStore(desk.database, desk.now)
      : memoryRateLimitStore(desk.now),
  );
  app.decorateRequest('principal', null);
  app.decorateRequest('tx', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    await authHook(desk)(request, reply);
    checkCsrf(request);
  });
  // One rule for every PATCH route: an update that changes nothing is bad input (400), checked on the
  // validated body before any lookup, so `{}` never reaches an UPDATE with no columns.
  app.addHook('preHandler', async (request) => {
    const body = request.body;
    if (
      request.method === 'PATCH' &&
      body &&
      typeof body === 'object' &&
      !Array.isArray(body) &&
      Object.values(body).every((v) => v === undefined)
    ) {
      throw new DeskmindError('validation_failed', 'Nothing to change: send at least one field', {
        issues: [{ path: 'body', message: 'nothing to change' }],
      });
    }
  });
  registerAuditHook(app, desk);
  registerIdempotency(app, desk);
  registerSse(app);
  registerMetrics(app, desk);

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await desk.database.executeSql('select 1');
      return { status: 'ready', database: desk.database.kind };
    } catch {
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendProblem(reply, 'not_ready', 'The database does not answer');
    }
  });

  await app.register(
    async (api) => {
      await api.register(ticketRoutes(desk));
      await api.register(peopleRoutes(desk));
      await api.register(sessionRoutes(desk));
      await api.register(knowledgeRoutes(desk));
      await api.register(playbookRoutes(desk));
      await api.register(routingRoutes(desk));
      await api.register(workflowRoutes(desk));
      await api.register(slaRoutes(desk));
      await api.register(metricsRoutes(desk));
      await api.register(channelRoutes(desk));
      await api.register(liveRoutes(desk));
      await api.register(widgetRoutes(desk));
      await api.register(taxonomyRoutes(desk));
      await api.register(insightsRoutes(desk));
      await api.register(integrationRoutes(desk));
      await api.register(auditRoutes(desk));
    },
    { prefix: '/api/v1' },
  );
  spaFallback = await registerConsole(app);
  return app;
}
