import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Deskmind } from '../app.js';
import { pipelineJob } from '../jobs/queue.js';

/** Prometheus metrics of one server: HTTP traffic, tickets and the pipeline queue. */
export function registerMetrics(app: FastifyInstance, desk: Deskmind): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'deskmind_http_requests_total',
    help: 'HTTP requests',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'deskmind_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const created = new Counter({
    name: 'deskmind_tickets_created_total',
    help: 'Tickets created through the API',
    registers: [registry],
  });
  new Gauge({
    name: 'deskmind_pipeline_queue_size',
    help: 'Ticket pipeline jobs waiting',
    registers: [registry],
    async collect() {
      this.set(await desk.jobs.pending(pipelineJob.name).catch(() => -1));
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (route === '/api/v1/tickets' && request.method === 'POST' && reply.statusCode === 201) created.inc();
  });
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
