import { z } from 'zod';
import { listTicketAttachments } from '../../../channels/email/files.js';
import { AttachmentInfoSchema } from '../../../channels/schemas.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/tickets/:id/attachments` */
export const listTicketAttachmentsRoute: Route = (app, desk) => {
  app.get(
    '/tickets/:id/attachments',
    {
      config: { access: STAFF },
      schema: {
        tags: ['email'],
        summary: "A ticket's stored attachments",
        params: Params,
        response: { 200: z.object({ data: z.array(AttachmentInfoSchema) }) },
      },
    },
    async (request) => ({ data: await listTicketAttachments(ctxOf(desk, request), request.params.id) }),
  );
};
