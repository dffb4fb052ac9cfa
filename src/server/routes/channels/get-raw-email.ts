import { getRawEmail } from '../../../channels/email/files.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** `GET /api/v1/emails/:id/raw` */
export const getRawEmailRoute: Route = (app, desk) => {
  app.get(
    '/emails/:id/raw',
    {
      config: { access: STAFF },
      schema: { tags: ['email'], summary: 'The original inbound mail as received (message/rfc822)', params: Params },
    },
    async (request, reply) => {
      const raw = await getRawEmail(ctxOf(desk, request), request.params.id);
      return reply
        .header('content-type', 'message/rfc822')
        .header('content-disposition', 'attachment; filename="message.eml"')
        .send(raw);
    },
  );
};
