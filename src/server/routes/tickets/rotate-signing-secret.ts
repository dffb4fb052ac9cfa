import { z } from 'zod';
import { rotateSigningSecret } from '../../../people/rotate-signing-secret.js';
import { ADMIN, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/settings/signing-secret/rotate` */
export const rotateSigningSecretRoute: Route = (app, desk) => {
  const Secret = z.object({ signingSecret: z.string() });
  app.post(
    '/settings/signing-secret/rotate',
    {
      config: { access: ADMIN },
      schema: { tags: ['settings'], summary: 'Replace the action signing secret', response: { 200: Secret } },
    },
    async (request) => {
      return { signingSecret: await rotateSigningSecret(ctxOf(desk, request)) };
    },
  );
};
