import { getAttachment } from '../../../channels/email/files.js';
import { STAFF, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';
import { Params } from './shared.js';

/** Content-Disposition for a download, safe for any file name (RFC 6266 / 5987). */
const disposition = (filename: string) =>
  `attachment; filename="${filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''` +
  `${encodeURIComponent(filename)}`;

/** `GET /api/v1/attachments/:id` */
export const getAttachmentRoute: Route = (app, desk) => {
  app.get(
    '/attachments/:id',
    { config: { access: STAFF }, schema: { tags: ['email'], summary: 'Download an attachment', params: Params } },
    async (request, reply) => {
      const a = await getAttachment(ctxOf(desk, request), request.params.id);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', disposition(a.filename))
        .header('x-original-content-type', a.contentType.replace(/[^\x20-\x7e]/g, ''))
        .send(Buffer.from(a.content));
    },
  );
};
