import { z } from 'zod';
import { listTicketEmails } from '../../../channels/email/files.js';
import { EmailRecordSchema } from '../../../channels/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/tickets/:id/emails` */
export const listTicketEmailsRoute: Route = (app, desk) => {
  app.get(
    '/tickets/:id/emails',
    {
      config: { access: STAFF },
      schema: {
        tags: ['email'],
        summary: "A ticket's emails in and out with their threading headers",
        params: Params,
        response: { 200: z.object({ data: z.array(EmailRecordSchema) }) },
      },
    },
    async (request) => ({ data: await listTicketEmails(ctxOf(desk, request), request.params.id) }),
  );
};
