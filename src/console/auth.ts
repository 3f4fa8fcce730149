/**
 * Who may use the console, and for what: HTTP Basic and bearer tokens (the same users, tokens and
 * roles as the schema registry's, `src/security/http.ts`), checked before any route or page file
 * is served. Without users or tokens configured the console has no authentication, as before.
 *
 * Roles: `read` browses everything (pages, messages, groups, schemas, metrics); `write` also
 * produces records, creates topics, registers schemas and applies offset resets; `admin` also
 * deletes topics, changes topic configs and the registry's config and mode, and hard-deletes
 * schemas. A role limited to subject prefixes reaches only those subjects through the registry
 * calls. A browser is asked for credentials by `WWW-Authenticate: Basic` on the 401.
 *
 * @example
 * installConsoleAuth(app, { users: [{ username: 'ops', password: 'pw', role: 'admin' }] });
 */
import type { FastifyInstance } from 'fastify';
import {
  allows,
  HttpAuthenticator,
  type HttpAuthOptions,
  type HttpPrincipal,
  type HttpRole,
} from '../security/http.ts';

/** What a console request needs, and on which subject (registry calls only). */
export function consoleAction(
  method: string,
  url: string,
): { role: HttpRole; subject: string | undefined; what: string } {
  const path = url.split('?')[0] ?? url;
  if (path.startsWith('/api/registry/')) {
    const rest = path.slice('/api/registry'.length);
    const match = /^\/(?:compatibility\/)?subjects\/([^/]+)/.exec(rest);
    const subject = match === null ? undefined : decodeURIComponent(match[1]!);
    if (method === 'GET' || method === 'HEAD') return { role: 'read', subject, what: 'read schemas' };
    if (rest.startsWith('/compatibility/') || (method === 'POST' && /^\/subjects\/[^/]+$/.test(rest))) {
      return { role: 'read', subject, what: 'check schemas' };
    }
    if (rest.startsWith('/config') || rest.startsWith('/mode')) {
      return { role: 'admin', subject, what: 'change the registry configuration' };
    }
    if (method === 'DELETE' && /[?&]permanent=true/i.test(url))
      return { role: 'admin', subject, what: 'hard-delete schemas' };
    return { role: 'write', subject, what: 'register or delete schemas' };
  }
  if (method === 'GET' || method === 'HEAD') return { role: 'read', subject: undefined, what: 'read' };
  if (method === 'DELETE' || (method === 'PUT' && path.endsWith('/configs'))) {
    return { role: 'admin', subject: undefined, what: 'delete topics or change their configs' };
  }
  return { role: 'write', subject: undefined, what: 'produce, create topics or reset offsets' };
}

/** Installs the check on `app`; nothing when `auth` configures no users or tokens. */
export function installConsoleAuth(app: FastifyInstance, auth: HttpAuthOptions | undefined): void {
  if (auth === undefined) return;
  const authenticator = new HttpAuthenticator(auth);
  if (!authenticator.enabled) return;
  const principals = new WeakMap<object, HttpPrincipal>();
  // Who: before the body is read, so an unauthenticated request costs nothing more.
  app.addHook('onRequest', async (request, reply) => {
    if (reply.sent) return; // refused already (Host)
    const principal = authenticator.authenticate(request.headers.authorization);
    if (principal === undefined || principal.role === 'none') {
      void reply.header('www-authenticate', 'Basic realm="Tributary console", charset="UTF-8"');
      return reply
        .status(401)
        .type('application/json; charset=utf-8')
        .send({ error: 'UNAUTHENTICATED', message: 'Sign in to use the console' });
    }
    principals.set(request, principal);
  });
  // What: once the body is parsed (a reset's preview only reads; applying it writes).
  app.addHook('preHandler', async (request, reply) => {
    const principal = principals.get(request);
    if (principal === undefined) return;
    const { role, subject, what } = consoleAction(request.method, request.url);
    let needed = role;
    if (request.method === 'POST' && /^\/api\/groups\/[^/]+\/reset/.test(request.url)) {
      needed = (request.body as { apply?: unknown } | undefined)?.apply === true ? 'write' : 'read';
    }
    if (!allows(principal, needed, subject)) {
      return reply
        .status(403)
        .type('application/json; charset=utf-8')
        .send({ error: 'FORBIDDEN', message: `User ${principal.name} (${principal.role}) may not ${what}` });
    }
  });
}
