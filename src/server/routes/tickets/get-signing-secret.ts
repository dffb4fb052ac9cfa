import { z } from 'zod';
import { getWorkspace } from '../../../people/get-workspace.js';
import { ADMIN, principalOf, ctxOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `GET /api/v1/settings/signing-secret` */
export const getSigningSecretRoute: Route = (app, desk) => {
  const Secret = z.object({ signingSecret: z.string() });
  app.get(
    '/settings/signing-secret',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['settings'],
        summary: 'The secret that signs playbook action calls to your backend',
        response: { 200: Secret },
      },
    },
    async (request) => ({
      signingSecret: (await getWorkspace(ctxOf(desk, request).db, principalOf(request).workspaceId)).signingSecret,
    }),
  );
};
