import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { DeskmindError } from '../../../domain/errors.js';
import { IdSchema } from '../../../domain/schemas.js';
import { AnomaliesQuerySchema, AnomalySchema, detectAnomalies, listAnomalies } from '../../../insights/anomalies.js';
import { BugReportSchema, BugReportsQuerySchema, closeFromTracker, getBugReport, listBugReports, refreshBugReports, syncBugReports } from '../../../insights/bug-reports.js';
import { accountHealth, AccountHealthSchema, HealthQuerySchema } from '../../../insights/health.js';
import { getInsightsSettings, InsightsSettingsPatchSchema, InsightsSettingsViewSchema, updateInsightsSettings, viewOf } from '../../../insights/settings.js';
import { TopicsReportSchema, listTopics, updateTopics } from '../../../insights/topics.js';
import { githubClosedIssue, linearClosedIssue, verifyGithubSignature, verifyLinearSignature } from '../../../insights/trackers.js';
import { TrendsQuerySchema, TrendsReportSchema, volumeTrends } from '../../../insights/trends.js';
import { systemActor } from '../../../store/ctx.js';
import { ADMIN, STAFF, ctxOf, txOf } from '../../auth.js';

const Params = z.object({ id: IdSchema }).strict();
const TopicsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), minSize: z.coerce.number().int().min(1).optional() }).strict();
const WebhookQuerySchema = z.object({ workspace: IdSchema }).strict();
const WebhookAnswerSchema = z.object({ ok: z.boolean(), bugReportId: z.string().nullable(), resolvedTickets: z.array(z.string()) });

/** Business intelligence for dashboards: topics, volume trends, anomalies, customer health, bug reports. */
export const insightsRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.get('/insights/topics', {
    config: { access: STAFF },
    schema: { tags: ['insights'], summary: 'Topics of recent tickets: label (key phrases), count, week-over-week trend, emerging flag, examples', querystring: TopicsQuerySchema, response: { 200: TopicsReportSchema } },
  }, async (request) => listTopics(ctxOf(desk, request), request.query));

  app.post('/insights/topics/refresh', {
    config: { access: ADMIN, audit: 'before' },
    schema: { tags: ['insights'], summary: 'Assign new tickets to topics now; with recluster, re-cluster the whole window', body: z.object({ recluster: z.boolean().default(false) }).strict().optional(), response: { 200: z.object({ assigned: z.number(), topics: z.number(), created: z.number() }) } },
  }, async (request) => updateTopics(ctxOf(desk, request), desk.embedder, { recluster: request.body?.recluster ?? false }));

  app.get('/insights/trends', {
    config: { access: STAFF },
    schema: { tags: ['insights'], summary: 'Ticket volume per intent, topic, tier or feature, hourly or daily, with week-over-week change', querystring: TrendsQuerySchema, response: { 200: TrendsReportSchema } },
  }, async (request) => volumeTrends(ctxOf(desk, request), request.query));

  app.get('/insights/anomalies', {
    config: { access: STAFF },
    schema: { tags: ['insights'], summary: 'Spike alerts (intent, topic, feature, error message) against each series’ seasonal baseline, newest first', querystring: AnomaliesQuerySchema, response: { 200: z.object({ data: z.array(AnomalySchema) }) } },
  }, async (request) => ({ data: await listAnomalies(ctxOf(desk, request), request.query) }));

  app.post('/insights/anomalies/scan', {
    config: { access: ADMIN, audit: 'before' },
    schema: { tags: ['insights'], summary: 'Test every series for a spike now; returns the new alerts', response: { 200: z.object({ data: z.array(AnomalySchema) }) } },
  }, async (request) => ({ data: await detectAnomalies(ctxOf(desk, request)) }));

  app.get('/insights/health', {
    config: { access: STAFF },
    schema: { tags: ['insights'], summary: 'Customer health per account with churn-risk flags and reasons, riskiest and most revenue at stake first', querystring: HealthQuerySchema, response: { 200: z.object({ data: z.array(AccountHealthSchema) }) } },
  }, async (request) => ({ data: await accountHealth(ctxOf(desk, request), request.query) }));

  app.get('/insights/bug-reports', {
    config: { access: STAFF },
    schema: { tags: ['insights'], summary: 'Structured bug reports grouped from bug tickets, with their engineering issue', querystring: BugReportsQuerySchema, response: { 200: z.object({ data: z.array(BugReportSchema) }) } },
  }, async (request) => ({ data: await listBugReports(ctxOf(desk, request), request.query) }));

  app.get('/insights/bug-reports/:id', {
    config: { access: STAFF },
    schema: { tags: ['insights'], summary: 'One bug report', params: Params, response: { 200: BugReportSchema } },
  }, async (request) => getBugReport(ctxOf(desk, request), request.params.id));

  app.post('/insights/bug-reports/refresh', {
    config: { access: ADMIN, audit: 'before' },
    schema: { tags: ['insights'], summary: 'Group new bug tickets into reports and send what the tracker has not seen', response: { 200: z.object({ changed: z.array(z.string()), sent: z.number(), failed: z.number() }) } },
  }, async (request) => {
    const ctx = ctxOf(desk, request);
    const changed = await refreshBugReports(ctx, desk.embedder);
    return { changed, ...(await syncBugReports(ctx, desk.outbound)) };
  });

  app.post('/insights/bug-reports/:id/send', {
    config: { access: ADMIN, audit: 'before' },
    schema: { tags: ['insights'], summary: 'Send (or update) this report in the configured tracker now, whatever its size', params: Params, response: { 200: BugReportSchema } },
  }, async (request) => {
    const ctx = ctxOf(desk, request);
    await getBugReport(ctx, request.params.id);
    const r = await syncBugReports(ctx, desk.outbound, { only: request.params.id, force: true });
    if (r.sent === 0 && r.failed === 0 && !(await getBugReport(ctx, request.params.id)).externalId) {
      throw new DeskmindError('validation_failed', 'No bug tracker is configured (PATCH /insights/settings) or the report is closed');
    }
    return getBugReport(ctx, request.params.id);
  });

  app.get('/insights/settings', {
    config: { access: ADMIN },
    schema: { tags: ['insights'], summary: 'Insights settings; tokens and secrets are write-only (shown as has…)', response: { 200: InsightsSettingsViewSchema } },
  }, async (request) => viewOf(await getInsightsSettings(ctxOf(desk, request))));

  app.patch('/insights/settings', {
    config: { access: ADMIN },
    schema: { tags: ['insights'], summary: 'Change insights settings: bug tracker (Linear, GitHub, webhook), topics, anomaly false-alarm rate (logged, secrets never)', body: InsightsSettingsPatchSchema, response: { 200: InsightsSettingsViewSchema } },
  }, async (request) => {
    return txOf(desk, request, (ctx) => updateInsightsSettings(ctx, request.body, desk.outbound));
  });

  // Tracker webhooks: public, authenticated by their signature over the raw body.
  await app.register(async (plain) => {
    const hooks = plain.withTypeProvider<ZodTypeProvider>();
    hooks.removeContentTypeParser('application/json');
    hooks.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      (request as unknown as { rawBody: string }).rawBody = body as string;
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new DeskmindError('invalid_json'), undefined);
      }
    });
    const rawOf = (request: unknown) => (request as { rawBody?: string }).rawBody ?? '';
    const handle = async (workspaceId: string, tracker: 'linear' | 'github', externalId: string | null) => {
      if (!externalId) return { ok: true, bugReportId: null, resolvedTickets: [] };
      const actor = { type: 'integration' as const, id: tracker };
      const result = await desk.tx(workspaceId, actor, (ctx) => closeFromTracker(ctx, tracker, externalId));
      return { ok: true, bugReportId: result?.report.id ?? null, resolvedTickets: result?.resolved ?? [] };
    };
    const settingsOf = async (workspaceId: string) => {
      try {
        return (await getInsightsSettings(desk.ctx(workspaceId, systemActor))).bugReports;
      } catch {
        throw new DeskmindError('invalid_signature');
      }
    };

    hooks.post('/insights/webhooks/linear', {
      config: { access: 'public' },
      schema: { tags: ['insights'], summary: 'Linear webhook (Issue updates): a completed or cancelled issue closes its report and resolves the linked tickets. Verified by Linear-Signature.', querystring: WebhookQuerySchema, body: z.record(z.string(), z.unknown()), response: { 200: WebhookAnswerSchema } },
    }, async (request) => {
      const settings = await settingsOf(request.query.workspace);
      const secret = settings.linear.webhookSecret;
      if (!secret || !verifyLinearSignature(rawOf(request), request.headers['linear-signature'] as string | undefined, secret)) throw new DeskmindError('invalid_signature');
      const ts = request.body.webhookTimestamp;
      if (typeof ts === 'number' && Math.abs(desk.now().getTime() - ts) > 5 * 60_000) throw new DeskmindError('invalid_signature', 'The webhook is too old (webhookTimestamp)');
      return handle(request.query.workspace, 'linear', linearClosedIssue(request.body));
    });

    hooks.post('/insights/webhooks/github', {
      config: { access: 'public' },
      schema: { tags: ['insights'], summary: 'GitHub `issues` webhook: a closed issue closes its report and resolves the linked tickets. Verified by X-Hub-Signature-256.', querystring: WebhookQuerySchema, body: z.record(z.string(), z.unknown()), response: { 200: WebhookAnswerSchema } },
    }, async (request) => {
      const settings = await settingsOf(request.query.workspace);
      const secret = settings.github.webhookSecret;
      if (!secret || !verifyGithubSignature(rawOf(request), request.headers['x-hub-signature-256'] as string | undefined, secret)) throw new DeskmindError('invalid_signature');
      const closed = githubClosedIssue(request.headers['x-github-event'] as string | undefined, request.body);
      if (closed?.repo && settings.github.owner && settings.github.repo && closed.repo.toLowerCase() !== `${settings.github.owner}/${settings.github.repo}`.toLowerCase()) return { ok: true, bugReportId: null, resolvedTickets: [] };
      return handle(request.query.workspace, 'github', closed?.number ?? null);
    });
  });
};
