import { DeskmindError } from '../../../domain/errors.js';
import { BugReportSchema, getBugReport, syncBugReports } from '../../../insights/bug-reports.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `POST /api/v1/insights/bug-reports/:id/send` */
export const sendBugReportRoute: Route = (app, desk) => {
  app.post(
    '/insights/bug-reports/:id/send',
    {
      config: { access: ADMIN, audit: 'before' },
      schema: {
        tags: ['insights'],
        summary: 'Send (or update) this report in the configured tracker now, whatever its size',
        params: Params,
        response: { 200: BugReportSchema },
      },
    },
    async (request) => {
      const ctx = ctxOf(desk, request);
      await getBugReport(ctx, request.params.id);
      const r = await syncBugReports(ctx, desk.outbound, { only: request.params.id, force: true });
      if (r.sent === 0 && r.failed === 0 && !(await getBugReport(ctx, request.params.id)).externalId) {
        throw new DeskmindError(
          'validation_failed',
          'No bug tracker is configured (PATCH /insights/settings) or the report is closed',
        );
      }
      return getBugReport(ctx, request.params.id);
    },
  );
};
