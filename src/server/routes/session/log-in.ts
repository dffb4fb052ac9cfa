import { z } from 'zod';
import { AgentSchema } from '../../../domain/schemas.js';
import { DeskmindError } from '../../../domain/errors.js';
import { THROTTLES } from '../../../security/throttle.js';
import { LogInSchema, logIn, workspacesOfLogin } from '../../../people/log-in.js';
import { SESSION_COOKIE } from '../../auth.js';
import { setCsrfCookie, throttledAttempt } from '../../security.js';
import type { Route } from '../route.js';

/** `POST /api/v1/auth/login` */
export const logInRoute: Route = (app, desk) => {
  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log an agent in (sets an http-only session cookie)',
        body: LogInSchema,
        response: { 200: z.object({ agent: AgentSchema, workspaceId: z.uuid() }) },
      },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      const account = [
        { rule: THROTTLES.loginAccountAddress, subject: `${email}\n${request.ip}` },
        { rule: THROTTLES.loginAccount, subject: email },
      ];
      const keys = [...account, { rule: THROTTLES.loginAddress, subject: request.ip }];
      const session = await throttledAttempt(
        desk,
        request,
        reply,
        {
          keys,
          what: 'logins',
          failed: (err) => err instanceof DeskmindError && err.code === 'invalid_credentials',
          action: 'auth.login_throttled',
          workspaceIds: () => workspacesOfLogin(desk, email),
          data: { email },
        },
        () => logIn(desk, request.body),
      );
      await desk.throttle.clear(account);
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: desk.config.secureCookies,
        path: '/',
        expires: session.expiresAt,
      });
      setCsrfCookie(reply, desk.config, session.expiresAt);
      return { agent: session.agent, workspaceId: session.workspaceId };
    },
  );
};
