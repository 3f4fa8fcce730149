/**
 * HTTP security for Tributary's REST servers (the schema registry, the console): who may call,
 * what each may do, and which `Host` names are answered.
 *
 * - **Authentication**: HTTP Basic (`Authorization: Basic base64(user:password)`, what Confluent's
 *   `basic.auth.credentials.source=USER_INFO` clients send) and bearer tokens (`Authorization:
 *   Bearer <token>`, `bearer.auth.token`). Passwords and tokens are kept as SHA-256 digests and
 *   compared in constant time; an unknown user costs the same as a wrong password.
 * - **Roles**: `read` ⊂ `write` ⊂ `admin`, each optionally limited to subjects starting with given
 *   prefixes. Global changes (the registry's global config and mode) need an unrestricted admin.
 * - **Host allow-list** (DNS rebinding): a browser page on `attacker.example` that resolves its name
 *   to 127.0.0.1 sends `Host: attacker.example`; a server bound to loopback answers only its own
 *   loopback names by default.
 *
 * @example
 * const auth = new HttpAuthenticator({ users: [{ username: 'ci', password: 's3cret', role: 'write', subjects: ['orders-'] }] });
 * const who = auth.authenticate('Basic Y2k6czNjcmV0'); // { name: 'ci', role: 'write', subjects: ['orders-'] }
 * allows(who!, 'write', 'orders-value'); // true
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { TributaryError } from '../errors.ts';

/** What a principal may do: read ⊂ write ⊂ admin. */
export type HttpRole = 'read' | 'write' | 'admin';
export const HTTP_ROLES: readonly HttpRole[] = ['read', 'write', 'admin'];

/** A user of basic auth. */
export interface HttpUser {
  username: string;
  password: string;
  role: HttpRole;
  /** Subject prefixes the role is limited to; default all subjects. */
  subjects?: readonly string[];
}

/** A bearer token. */
export interface HttpToken {
  token: string;
  /** Who the token stands for, in logs. Default `token`. */
  name?: string;
  role: HttpRole;
  subjects?: readonly string[];
}

/** Options of an {@link HttpAuthenticator}. */
export interface HttpAuthOptions {
  users?: readonly HttpUser[];
  tokens?: readonly HttpToken[];
  /** What a request without credentials may do; default nothing (`none`). */
  anonymous?: HttpRole | 'none';
}

/** An authenticated caller. */
export interface HttpPrincipal {
  name: string;
  role: HttpRole | 'none';
  /** Undefined: every subject. */
  subjects: readonly string[] | undefined;
}

const RANK: Record<HttpRole | 'none', number> = { none: 0, read: 1, write: 2, admin: 3 };

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function checkRole(role: unknown, who: string): HttpRole {
  if (!HTTP_ROLES.includes(role as HttpRole)) {
    throw new TributaryError('INVALID_CONFIG', `The role of ${who} must be read, write or admin, got ${String(role)}`);
  }
  return role as HttpRole;
}

/** Checks Basic credentials and bearer tokens against configured users and tokens. */
export class HttpAuthenticator {
  readonly #users = new Map<string, { digest: Buffer; principal: HttpPrincipal }>();
  readonly #tokens: { digest: Buffer; principal: HttpPrincipal }[] = [];
  readonly #anonymous: HttpPrincipal;
  /** A digest compared against when the user is unknown, so both cost the same. */
  readonly #decoy = digest('tributary-decoy');

  constructor(options: HttpAuthOptions) {
    for (const u of options.users ?? []) {
      if (typeof u.username !== 'string' || u.username === '' || u.username.includes(':')) {
        throw new TributaryError('INVALID_CONFIG', 'A basic-auth user name must be non-empty and without ":"');
      }
      if (typeof u.password !== 'string' || u.password === '') {
        throw new TributaryError('INVALID_CONFIG', `The password of ${u.username} must not be empty`);
      }
      this.#users.set(u.username, {
        digest: digest(u.password),
        principal: { name: u.username, role: checkRole(u.role, u.username), subjects: u.subjects && [...u.subjects] },
      });
    }
    for (const t of options.tokens ?? []) {
      if (typeof t.token !== 'string' || t.token.length < 16) {
        throw new TributaryError('INVALID_CONFIG', 'A bearer token must be at least 16 characters');
      }
      const name = t.name ?? 'token';
      this.#tokens.push({
        digest: digest(t.token),
        principal: { name, role: checkRole(t.role, name), subjects: t.subjects && [...t.subjects] },
      });
    }
    const anonymous = options.anonymous ?? 'none';
    if (anonymous !== 'none') checkRole(anonymous, 'anonymous');
    this.#anonymous = { name: 'ANONYMOUS', role: anonymous, subjects: undefined };
  }

  /** True when any user or token is configured (else every request is anonymous and allowed all). */
  get enabled(): boolean {
    return this.#users.size > 0 || this.#tokens.length > 0;
  }

  /**
   * The caller of an `Authorization` header: the anonymous principal for none, `undefined` for
   * credentials that do not check out (or a malformed header).
   */
  authenticate(header: string | undefined): HttpPrincipal | undefined {
    if (header === undefined || header === '') return this.#anonymous;
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (space <= 0 || value === '') return undefined;
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return undefined;
      const user = this.#users.get(decoded.slice(0, colon));
      const given = digest(decoded.slice(colon + 1));
      const ok = timingSafeEqual(given, user?.digest ?? this.#decoy);
      return ok && user !== undefined ? user.principal : undefined;
    }
    if (scheme === 'bearer') {
      const given = digest(value);
      let found: HttpPrincipal | undefined;
      for (const t of this.#tokens) if (timingSafeEqual(given, t.digest)) found = t.principal;
      return found;
    }
    return undefined;
  }
}

/**
 * Whether a principal may do `action`, on `subject` when the action concerns one (undefined: a
 * global action, which a subject-limited role may only do when it is a read).
 */
export function allows(principal: HttpPrincipal, action: HttpRole, subject?: string): boolean {
  if (RANK[principal.role] < RANK[action]) return false;
  if (principal.subjects === undefined) return true;
  if (subject === undefined) return action === 'read';
  return principal.subjects.some((prefix) => subject.startsWith(prefix));
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The `Host` names a server answers by default: on a loopback address, its loopback names (with
 * and without the port); on any other, every name (`undefined`), since clients reach it by names
 * the server cannot know.
 *
 * @example
 * defaultAllowedHosts('127.0.0.1', 8081); // ['localhost', 'localhost:8081', '127.0.0.1', '127.0.0.1:8081', '[::1]', '[::1]:8081']
 */
export function defaultAllowedHosts(bindHost: string, port: number): string[] | undefined {
  if (!isLoopback(bindHost)) return undefined;
  return ['localhost', '127.0.0.1', '[::1]'].flatMap((h) => [h, `${h}:${port}`]);
}

/** Whether a request's `Host` header is one of the allowed names (case-insensitive). */
export function hostAllowed(hostHeader: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (allowed === undefined) return true;
  if (hostHeader === undefined) return false;
  const host = hostHeader.trim().toLowerCase();
  return allowed.some((a) => a.toLowerCase() === host);
}

/**
 * Parses `USER:PASSWORD:ROLE[:PREFIX,PREFIX…]` (the `--registry-user` flag) into a user.
 *
 * @example
 * parseUserSpec('ci:s3cret:write:orders-,payments-'); // { username: 'ci', password: 's3cret', role: 'write', subjects: ['orders-', 'payments-'] }
 */
export function parseUserSpec(spec: string): HttpUser {
  const parts = spec.split(':');
  if (parts.length < 3 || parts.length > 4) {
    throw new TributaryError('INVALID_CONFIG', 'A user is USER:PASSWORD:ROLE[:SUBJECT_PREFIX,…]');
  }
  const [username, password, role, subjects] = parts as [string, string, string, string | undefined];
  return {
    username,
    password,
    role: checkRole(role, username),
    subjects: subjects === undefined || subjects === '' ? undefined : subjects.split(','),
  };
}

/**
 * Parses `TOKEN:ROLE[:PREFIX,…]` (the `--registry-token` flag).
 *
 * @example
 * parseTokenSpec('0123456789abcdef0123:read'); // { token: '0123…', role: 'read' }
 */
export function parseTokenSpec(spec: string): HttpToken {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3)
    throw new TributaryError('INVALID_CONFIG', 'A token is TOKEN:ROLE[:SUBJECT_PREFIX,…]');
  const [token, role, subjects] = parts as [string, string, string | undefined];
  return {
    token,
    role: checkRole(role, 'a token'),
    subjects: subjects === undefined || subjects === '' ? undefined : subjects.split(','),
  };
}
