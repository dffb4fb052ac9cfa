import { z } from 'zod';
import { ApiKeyCreateSchema, ApiKeySchema } from '../../../domain/schemas.js';
import { createApiKey } from '../../../people/create-api-key.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/api-keys` */
export const createApiKeyRoute: Route = (app, desk) => {
  // ── API keys
  app.post(
    '/api-keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key (the secret is shown once)',
        body: ApiKeyCreateSchema,
        response: { 201: z.object({ key: ApiKeySchema, secret: z.string() }) },
      },
    },
    async (request, reply) => reply.code(201).send(await createApiKey(ctxOf(desk, request), request.body)),
  );
};
