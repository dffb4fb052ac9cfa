import { z } from 'zod';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { DeskmindError } from '../../../domain/errors.js';
import { IdSchema } from '../../../domain/schemas.js';
import { closeBugReportFromTracker } from '../../../insights/close-from-tracker.js';
import { getInsightsSettings } from '../../../insights/settings.js';
import { TRACKERS, trackerSettingsOf, type TrackerKind } from '../../../connectors/registry.js';
import { systemActor } from '../../../store/ctx.js';
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
      const handle = (workspaceId: string, tracker: TrackerKind, externalId: string | null) =>
        closeBugReportFromTracker(desk.ctx(workspaceId, { type: 'integration', id: tracker }), tracker, externalId);
      const settingsOf = async (workspaceId: string) => {
        try {
          return (await getInsightsSettings(desk.ctx(workspaceId, systemActor))).bugReports;
        } catch {
          throw new DeskmindError('invalid_signature');
        }
      };

      // One route per tracker of the registry that takes webhooks: `/insights/webhooks/<kind>`.
      for (const tracker of TRACKERS) {
        const { webhook } = tracker;
        if (!webhook) continue;
        hooks.post(
          `/insights/webhooks/${tracker.kind}`,
          {
            config: { access: 'public' },
            schema: {
              tags: ['insights'],
              summary: webhook.summary,
              querystring: WebhookQuerySchema,
              body: z.record(z.string(), z.unknown()),
              response: { 200: WebhookAnswerSchema },
            },
          },
          async (request) => {
            const settings = trackerSettingsOf(tracker, await settingsOf(request.query.workspace));
            const closed = webhook.closedIssue({
              settings,
              raw: rawOf(request),
              headers: request.headers,
              body: request.body,
              now: desk.now(),
            });
            return handle(request.query.workspace, tracker.kind, closed);
          },
        );
      }
    });
  };
