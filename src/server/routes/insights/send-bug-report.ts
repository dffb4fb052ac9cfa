import { BugReportSchema, sendBugReport } from '../../../insights/bug-reports.js';
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
    async (request) => sendBugReport(ctxOf(desk, request), desk.outbound, request.params.id),
  );
};
