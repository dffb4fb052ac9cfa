import { z } from 'zod';
import { appendEvent } from '../../../services/events.js';
import { rotateSigningSecret } from '../../../people/workspaces.js';
import { ADMIN, principalOf, txOf, dbOf } from '../../auth.js';
import type { Route } from '../route.js';

/** `POST /api/v1/settings/signing-secret/rotate` */
export const rotateSigningSecretRoute: Route = (app, desk) => {
  const Secret = z.object({ signingSecret: z.string() });
  app.post('/settings/signing-secret/rotate', {
    config: { access: ADMIN },
    schema: { tags: ['settings'], summary: 'Replace the action signing secret', response: { 200: Secret } },
  }, async (request) => {
    const principal = principalOf(request);
    const signingSecret = await rotateSigningSecret(dbOf(desk, request), principal.workspaceId);
    await txOf(desk, request, (ctx) => appendEvent(ctx, 'settings.changed', null, { section: 'signing_secret', rotated: true }));
    return { signingSecret };
  });
};
