import { logOut } from '../../../people/log-out.js';
import { SESSION_COOKIE } from '../../auth.js';
import { CSRF_COOKIE } from '../../security.js';
import type { Route } from '../route.js';

/** `POST /api/v1/auth/logout` */
export const logOutRoute: Route = (app, desk) => {
  app.post(
    '/auth/logout',
    { config: { access: 'public', csrf: true }, schema: { tags: ['auth'], summary: 'End the session' } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await logOut(desk, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );
};
