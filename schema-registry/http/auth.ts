/**
 * The registry's HTTP security, one fastify `onRequest` hook before any route runs:
 *
 * 1. `Host` allow-list (DNS rebinding): a name not on it gets 403 (`error_code` 40301). On a
 *    loopback address the default list is the server's own loopback names.
 * 2. Authentication, when users or tokens are configured: no or bad credentials get 401 with
 *    `WWW-Authenticate: Basic realm="SchemaRegistry"` (`error_code` 401), as Confluent's.
 * 3. Authorization by role: reads (GET, lookups, compatibility checks) need `read`; registering and
 *    soft deletes `write`; hard deletes and config or mode changes `admin`; a role limited to
 *    subject prefixes acts on those subjects only. A refusal is 403 with Confluent's RBAC body
 *    (`error_code` 40301, "User is denied operation … on Subject: …").
 *
 * @example
 * installRegistryAuth(app, { auth: { users: [{ username: 'ci', password: 'pw', role: 'write' }] }, allowedHosts: ['registry.example'] });
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allows, HttpAuthenticator, type HttpAuthOptions, type HttpRole, hostAllowed } from '../../src/index.ts';
import { REGISTRY_CONTENT_TYPE } from './content-types.ts';

/** Security options of the registry's HTTP server. */
export interface RegistryAuthOptions {
  /** Basic-auth users, bearer tokens and what anonymous callers may do. Default: no authentication. */
  auth?: HttpAuthOptions;
  /**
   * `Host` names answered (a list, or a function giving it per request); `undefined` answers all.
   * `startRegistryServer` defaults it to the loopback names when bound to loopback.
   */
  allowedHosts?: readonly string[] | (() => readonly string[] | undefined);
}

/** What a request does, in roles, and on which subject. */
export function registryAction(
  method: string,
  route: string | undefined,
  params: Record<string, string | undefined>,
  query: Record<string, unknown>,
): { action: HttpRole; subject: string | undefined; operation: string } {
  const subject = params.subject;
  if (method === 'GET' || method === 'HEAD' || route === undefined)
    return { action: 'read', subject, operation: 'Read' };
  if (route.startsWith('/compatibility/') || (method === 'POST' && route === '/subjects/:subject')) {
    return { action: 'read', subject, operation: 'Read' };
  }
  if (route.startsWith('/config') || route.startsWith('/mode')) {
    return { action: 'admin', subject, operation: route.startsWith('/mode') ? 'AlterMode' : 'AlterConfigs' };
  }
  if (method === 'DELETE') {
    const permanent = String(query.permanent ?? '').toLowerCase() === 'true';
    return permanent
      ? { action: 'admin', subject, operation: 'HardDelete' }
      : { action: 'write', subject, operation: 'Delete' };
  }
  return { action: 'write', subject, operation: 'Write' };
}

function refuse(reply: FastifyReply, status: number, errorCode: number, message: string): FastifyReply {
  return reply.code(status).type(REGISTRY_CONTENT_TYPE).send({ error_code: errorCode, message });
}

/** Installs the hook; nothing when neither authentication nor a Host list is configured. */
export function installRegistryAuth(app: FastifyInstance, options: RegistryAuthOptions): void {
  const authenticator = options.auth === undefined ? undefined : new HttpAuthenticator(options.auth);
  const hosts = options.allowedHosts;
  const allowedHosts = typeof hosts === 'function' ? hosts : () => hosts;
  if ((authenticator === undefined || !authenticator.enabled) && hosts === undefined) return;
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostAllowed(request.headers.host, allowedHosts())) {
      return refuse(reply, 403, 40301, `Host ${JSON.stringify(request.headers.host ?? '')} is not allowed`);
    }
    if (authenticator === undefined || !authenticator.enabled) return;
    const principal = authenticator.authenticate(request.headers.authorization);
    if (principal === undefined || principal.role === 'none') {
      reply.header('WWW-Authenticate', 'Basic realm="SchemaRegistry"');
      return refuse(reply, 401, 401, 'Unauthorized');
    }
    const { action, subject, operation } = registryAction(
      request.method,
      request.routeOptions.url,
      (request.params ?? {}) as Record<string, string | undefined>,
      (request.query ?? {}) as Record<string, unknown>,
    );
    if (!allows(principal, action, subject)) {
      const on = subject === undefined ? 'the registry' : `Subject: ${subject}`;
      return refuse(reply, 403, 40301, `User ${principal.name} is denied operation ${operation} on ${on}`);
    }
  });
}
