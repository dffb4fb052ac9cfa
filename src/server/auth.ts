import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentRole, ApiKeyRole } from '../domain/enums.js';
import { DeskmindError } from '../domain/errors.js';
import type { Deskmind } from '../app.js';
import { authenticateSession } from '../people/authenticate-session.js';
import type { Principal } from '../people/principal.js';
import { withDb, type Actor, type Ctx } from '../store/ctx.js';
import type { DbOrTx } from '../store/db.js';
import { THROTTLES } from '../security/throttle.js';
import { refuseAttempt } from './refuse-attempt.js';

export const SESSION_COOKIE = 'deskmind_session';

/** Who may call a route: `public`, or the roles allowed. */
export type Access = 'public' | (ApiKeyRole | AgentRole)[];

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The transaction an audited route runs in (its audit entry commits with it); see routes/audit.ts. */
    tx: DbOrTx | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * How an admin route's audit entry is written: in the route's own transaction (the default), or
     * `before` the handler runs, for work that must not hold a transaction open (vendor calls, long sweeps).
     */
    audit?: 'transaction' | 'before';
    /** A public route that acts on the session it is sent with (logout): the CSRF check applies when it is. */
    csrf?: boolean;
  }
}

/** Everyone but ingest-only keys. */
export const STAFF: Access = ['admin', 'agent'];
export const ADMIN: Access = ['admin'];
export const ANY: Access = ['admin', 'agent', 'ingest'];

/** Authenticates the request (bearer API key or session cookie) and enforces the route's access. */
export function authHook(desk: Deskmind) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const access = request.routeOptions.config?.access;
    request.principal = null;
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new DeskmindError('unauthorized', 'Use "Authorization: Bearer <api key>"');
      request.principal = await desk.apiKeys.authenticate(desk.database.db, match[1]!);
      if (!request.principal) {
        // Guessing keys from one address: unknown keys are refused unchecked while it waits. A valid key is
        // never held up (a key cannot be guessed; integrations behind one address keep working).
        const guessing = [{ rule: THROTTLES.apiKeyAddress, subject: request.ip }];
        const wait = await desk.throttle.waitMs(guessing);
        if (wait > 0) refuseAttempt(reply, wait, 'API key attempts');
        const failed = await desk.throttle.fail(guessing);
        if (failed.waitMs > 0)
          request.log.warn({ ip: request.ip, failures: failed.failures[0] }, 'throttled repeated unknown API keys');
        throw new DeskmindError('unauthorized', 'The API key is unknown or revoked');
      }
    } else {
      const token = request.cookies?.[SESSION_COOKIE];
      if (token) request.principal = await authenticateSession(desk.database.db, token, desk.now());
    }
    if (access === 'public' || request.is404) return;
    if (!request.principal)
      throw new DeskmindError('unauthorized', 'Send an API key as "Authorization: Bearer …" or log in');
    if (!access?.includes(request.principal.role)) {
      throw new DeskmindError(
        'forbidden',
        `A ${request.principal.role} ${request.principal.kind === 'agent' ? 'session' : 'key'} may not do this`,
      );
    }
  };
}

/** The actor a principal acts as: an agent for sessions, an integration for API keys. */
export function actorOf(principal: Principal): Actor {
  return principal.kind === 'agent'
    ? { type: 'agent', id: principal.agentId }
    : { type: 'integration', id: principal.keyId };
}

/** The principal of an authenticated route (its access list guarantees one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DeskmindError('unauthorized');
  return request.principal;
}

/** The workspace-scoped context of an authenticated request (bound to the request's transaction, if any). */
export function ctxOf(desk: Deskmind, request: FastifyRequest): Ctx {
  const principal = principalOf(request);
  const ctx = desk.ctx(principal.workspaceId, actorOf(principal));
  return request.tx ? withDb(ctx, request.tx) : ctx;
}
