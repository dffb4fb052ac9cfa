import { z } from 'zod';
import { BugReportSchema, BugReportsQuerySchema, listBugReports } from '../../../insights/bug-reports.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/insights/bug-reports` */
export const listBugReportsRoute: Route = (app, desk) => {
  app.get(
    '/insights/bug-reports',
    {
      config: { access: STAFF },
      schema: {
        tags: ['insights'],
        summary: 'Structured bug reports grouped from bug tickets, with their engineering issue',
        querystring: BugReportsQuerySchema,
        response: { 200: z.object({ data: z.array(BugReportSchema) }) },
      },
    },
    async (request) => ({ data: await listBugReports(ctxOf(desk, request), request.query) }),
  );
};
