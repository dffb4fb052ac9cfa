import { BugReportSchema, getBugReport } from '../../../insights/bug-reports.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/insights/bug-reports/:id` */
export const getBugReportRoute: Route = (app, desk) => {
  app.get(
    '/insights/bug-reports/:id',
    {
      config: { access: STAFF },
      schema: { tags: ['insights'], summary: 'One bug report', params: Params, response: { 200: BugReportSchema } },
    },
    async (request) => getBugReport(ctxOf(desk, request), request.params.id),
  );
};
