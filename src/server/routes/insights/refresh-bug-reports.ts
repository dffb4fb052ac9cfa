import { z } from 'zod';
import { refreshAndSendBugReports } from '../../../insights/bug-reports.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/insights/bug-reports/refresh` */
export const refreshBugReportsRoute: Route = (app, desk) => {
  app.post(
    '/insights/bug-reports/refresh',
    {
      config: { access: ADMIN, audit: 'before' },
      schema: {
        tags: ['insights'],
        summary: 'Group new bug tickets into reports and send what the tracker has not seen',
        response: { 200: z.object({ changed: z.array(z.string()), sent: z.number(), failed: z.number() }) },
      },
    },
    async (request) => refreshAndSendBugReports(ctxOf(desk, request), desk),
  );
};
