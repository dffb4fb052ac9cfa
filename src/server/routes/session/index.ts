import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../../app.js';
import { AgentSchema } from '../../../domain/schemas.js';
import { getAgent } from '../../../people/agents.js';
import { DeskmindError } from '../../../domain/errors.js';
import { THROTTLES } from '../../../security/throttle.js';
import { login, logout, workspacesOfAgentEmail } from '../../../people/auth.js';
import { SESSION_COOKIE, STAFF, ctxOf, principalOf } from '../../auth.js';
import { CSRF_COOKIE, setCsrfCookie, throttledAttempt } from '../../security.js';

const LoginSchema = z
  .object({ email: z.email().max(320), password: z.string().min(1).max(200), workspaceId: z.uuid().optional() })
  .strict();

/** Agent login for the console: an http-only session cookie. */
export const sessionRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.post('/auth/login', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Log an agent in (sets an http-only session cookie)', body: LoginSchema, response: { 200: z.object({ agent: AgentSchema, workspaceId: z.uuid() }) } },
  }, async (request, reply) => {
    const email = request.body.email.toLowerCase();
    const account = [
      { rule: THROTTLES.loginAccountAddress, subject: `${email}\n${request.ip}` },
      { rule: THROTTLES.loginAccount, subject: email },
    ];
    const keys = [...account, { rule: THROTTLES.loginAddress, subject: request.ip }];
    const session = await throttledAttempt(desk, request, reply, {
      keys,
      what: 'logins',
      failed: (err) => err instanceof DeskmindError && err.code === 'invalid_credentials',
      action: 'auth.login_throttled',
      workspaceIds: () => workspacesOfAgentEmail(desk.database.db, email),
      data: { email },
    }, () => login(desk.database.db, request.body, { now: desk.now(), ttlHours: desk.config.sessionTtlHours }));
    await desk.throttle.clear(account);
    reply.setCookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: desk.config.secureCookies,
      path: '/',
      expires: session.expiresAt,
    });
    setCsrfCookie(reply, desk.config, session.expiresAt);
    const agent = await getAgent(desk.ctx(session.workspaceId, { type: 'agent', id: session.agentId }), session.agentId);
    return { agent, workspaceId: session.workspaceId };
  });

  app.post('/auth/logout', { config: { access: 'public', csrf: true }, schema: { tags: ['auth'], summary: 'End the session' } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await logout(desk.database.db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/auth/me', {
    config: { access: STAFF },
    schema: { tags: ['auth'], summary: 'Who the session or key belongs to', response: { 200: z.object({ workspaceId: z.uuid(), role: z.string(), kind: z.string(), agent: AgentSchema.nullable() }) } },
  }, async (request) => {
    const p = principalOf(request);
    return { workspaceId: p.workspaceId, role: p.role, kind: p.kind, agent: p.kind === 'agent' ? await getAgent(ctxOf(desk, request), p.agentId) : null };
  });
};
