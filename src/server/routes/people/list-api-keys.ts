import { z } from 'zod';
import { ApiKeySchema } from '../../../domain/schemas.js';
import { listApiKeys } from '../../../people/list-api-keys.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/api-keys` */
export const listApiKeysRoute: Route = (app, desk) => {
  app.get(
    '/api-keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['api keys'],
        summary: 'List API keys',
        response: { 200: z.object({ data: z.array(ApiKeySchema) }) },
      },
    },
    async (request) => ({ data: await listApiKeys(ctxOf(desk, request)) }),
  );
};
