import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { DeskmindError } from '../../../domain/errors.js';
import { IdSchema } from '../../../domain/schemas.js';
import { closeFromTracker } from '../../../insights/bug-reports.js';
import { getInsightsSettings } from '../../../insights/settings.js';
import { githubClosedIssue, verifyGithubSignature } from '../../../connectors/github.js';
import { linearClosedIssue, verifyLinearSignature } from '../../../connectors/linear.js';
import { inTransaction, systemActor } from '../../../store/ctx.js';
import { listTopicsRoute } from './list-topics.js';
import { refreshTopicsRoute } from './refresh-topics.js';
import { getTrendsRoute } from './get-trends.js';
import { listAnomaliesRoute } from './list-anomalies.js';
import { scanAnomaliesRoute } from './scan-anomalies.js';
import { getAccountHealthRoute } from './get-account-health.js';
import { listBugReportsRoute } from './list-bug-reports.js';
import { getBugReportRoute } from './get-bug-report.js';
import { refreshBugReportsRoute } from './refresh-bug-reports.js';
import { sendBugReportRoute } from './send-bug-report.js';
import { getInsightsSettingsRoute } from './get-insights-settings.js';
import { updateInsightsSettingsRoute } from './update-insights-settings.js';

const WebhookQuerySchema = z.object({ workspace: IdSchema }).strict();
const WebhookAnswerSchema = z.object({
  ok: z.boolean(),
  bugReportId: z.string().nullable(),
  resolvedTickets: z.array(z.string()),
});

/** Business intelligence for dashboards: topics, volume trends, anomalies, customer health, bug reports. */
export const insightsRoutes =
  (desk: Deskmind): FastifyPluginAsyncZod =>
  async (app) => {
    listTopicsRoute(app, desk);
    refreshTopicsRoute(app, desk);
    getTrendsRoute(app, desk);
    listAnomaliesRoute(app, desk);
    scanAnomaliesRoute(app, desk);
    getAccountHealthRoute(app, desk);
    listBugReportsRoute(app, desk);
    getBugReportRoute(app, desk);
    refreshBugReportsRoute(app, desk);
    sendBugReportRoute(app, desk);
    getInsightsSettingsRoute(app, desk);
    updateInsightsSettingsRoute(app, desk);
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
        const result = await inTransaction(desk.ctx(workspaceId, actor), (ctx) =>
          closeFromTracker(ctx, tracker, externalId),
        );
        return { ok: true, bugReportId: result?.report.id ?? null, resolvedTickets: result?.resolved ?? [] };
      };
      const settingsOf = async (workspaceId: string) => {
        try {
          return (await getInsightsSettings(desk.ctx(workspaceId, systemActor))).bugReports;
        } catch {
          throw new DeskmindError('invalid_signature');
        }
      };

      hooks.post(
        '/insights/webhooks/linear',
        {
          config: { access: 'public' },
          schema: {
            tags: ['insights'],
            summary:
              'Linear webhook (Issue updates): a completed or cancelled issue closes its report and resolves the ' +
              'linked tickets. Verified by Linear-Signature.',
            querystring: WebhookQuerySchema,
            body: z.record(z.string(), z.unknown()),
            response: { 200: WebhookAnswerSchema },
          },
        },
        async (request) => {
          const settings = await settingsOf(request.query.workspace);
          const secret = settings.linear.webhookSecret;
          if (
            !secret ||
            !verifyLinearSignature(rawOf(request), request.headers['linear-signature'] as string | undefined, secret)
          )
            throw new DeskmindError('invalid_signature');
          const ts = request.body.webhookTimestamp;
          if (typeof ts === 'number' && Math.abs(desk.now().getTime() - ts) > 5 * 60_000)
            throw new DeskmindError('invalid_signature', 'The webhook is too old (webhookTimestamp)');
          return handle(request.query.workspace, 'linear', linearClosedIssue(request.body));
        },
      );

      hooks.post(
        '/insights/webhooks/github',
        {
          config: { access: 'public' },
          schema: {
            tags: ['insights'],
            summary:
              'GitHub `issues` webhook: a closed issue closes its report and resolves the linked tickets. ' +
              'Verified by X-Hub-Signature-256.',
            querystring: WebhookQuerySchema,
            body: z.record(z.string(), z.unknown()),
            response: { 200: WebhookAnswerSchema },
          },
        },
        async (request) => {
          const settings = await settingsOf(request.query.workspace);
          const secret = settings.github.webhookSecret;
          if (
            !secret ||
            !verifyGithubSignature(rawOf(request), request.headers['x-hub-signature-256'] as string | undefined, secret)
          )
            throw new DeskmindError('invalid_signature');
          const closed = githubClosedIssue(request.headers['x-github-event'] as string | undefined, request.body);
          if (
            closed?.repo &&
            settings.github.owner &&
            settings.github.repo &&
            closed.repo.toLowerCase() !== `${settings.github.owner}/${settings.github.repo}`.toLowerCase()
          )
            return { ok: true, bugReportId: null, resolvedTickets: [] };
          return handle(request.query.workspace, 'github', closed?.number ?? null);
        },
      );
    });
  };
