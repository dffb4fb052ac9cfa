import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deskmind } from '../../app.js';
import { AgentSchema } from '../../domain/schemas.js';
import { getAgent } from '../../services/agents.js';
import { login, logout } from '../../services/auth.js';
import { SESSION_COOKIE, STAFF, ctxOf, principalOf } from '../auth.js';
import { CSRF_COOKIE, setCsrfCookie } from '../security.js';

const LoginSchema = z
  .object({ email: z.email().max(320), password: z.string().min(1).max(200), workspaceId: z.uuid().optional() })
  .strict();

/** Agent login for the console: an http-only session cookie. */
export const sessionRoutes = (desk: Deskmind): FastifyPluginAsyncZod => async (app) => {
  app.post('/auth/login', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Log an agent in (sets an http-only session cookie)', body: LoginSchema, response: { 200: z.object({ agent: AgentSchema, workspaceId: z.uuid() }) } },
  }, async (request, reply) => {
    const session = await login(desk.database.db, request.body, { now: desk.now(), ttlHours: desk.config.sessionTtlHours });
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
