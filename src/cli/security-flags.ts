/**
 * `trib serve`'s security flags, turned into the broker's options: listeners, TLS files, SASL
 * mechanisms, the ACL authorizer and the per-address connection limit.
 *
 * @example
 * trib serve --listener SASL_SSL://0.0.0.0:9093 --listener PLAINTEXT://127.0.0.1:9092 \
 *   --ssl-cert server.pem --ssl-key server-key.pem --sasl-mechanism SCRAM-SHA-512 --authorizer --super-users User:admin
 */
import { readFileSync } from 'node:fs';
import type { BrokerOptions } from '../broker/index.ts';
import { type HttpAuthOptions, parseTokenSpec, parseUserSpec } from '../security/http.ts';
import { SASL_MECHANISMS, type SaslMechanism } from '../broker/security/authenticator.ts';
import type { SslClientAuth } from '../broker/security/listeners.ts';
import { UsageError } from './command.ts';

export const SECURITY_OPTIONS = {
  listener: { type: 'string', multiple: true },
  'advertised-listeners': { type: 'string', multiple: true },
  'ssl-cert': { type: 'string' },
  'ssl-key': { type: 'string' },
  'ssl-ca': { type: 'string' },
  'ssl-client-auth': { type: 'string' },
  'sasl-mechanism': { type: 'string', multiple: true },
  authorizer: { type: 'boolean' },
  'super-users': { type: 'string' },
  'allow-everyone-if-no-acl-found': { type: 'boolean' },
  'max-connections-per-ip': { type: 'string' },
} as const;

export const SECURITY_HELP = `Security (Kafka's names):
  --listener PROTOCOL://HOST:PORT
                                a listener: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; repeat for
                                several (replaces --host/--port for the broker)
  --advertised-listeners PROTOCOL://HOST:PORT
                                what the clients of that listener are told to connect to; repeatable
  --ssl-cert FILE --ssl-key FILE
                                the broker's PEM certificate chain and key (SSL, SASL_SSL)
  --ssl-ca FILE                 the CA client certificates must chain to
  --ssl-client-auth required|requested|none
                                client certificates (mTLS; principal User:<subject>); default none
  --sasl-mechanism M            PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (unsecured JWTs);
                                repeatable; default both SCRAM mechanisms
  --authorizer                  check Kafka ACLs (trib acls) on every request
  --super-users 'User:a;User:b' principals allowed everything
  --allow-everyone-if-no-acl-found
                                a resource without any ACL is open to all (default: denied)
  --max-connections-per-ip N    further connections from an address are closed
`;

type SecurityValues = {
  [K in keyof typeof SECURITY_OPTIONS]?: (typeof SECURITY_OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof SECURITY_OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

/** The broker options the flags ask for (nothing when none is given). */
export function brokerSecurityOptions(values: SecurityValues): Partial<BrokerOptions> {
  const out: Partial<BrokerOptions> = {};
  if (values.listener !== undefined && values.listener.length > 0) out.listeners = values.listener;
  if (values['advertised-listeners'] !== undefined) out.advertisedListeners = values['advertised-listeners'];
  const clientAuth = values['ssl-client-auth'];
  if (clientAuth !== undefined && !['required', 'requested', 'none'].includes(clientAuth)) {
    throw new UsageError(`--ssl-client-auth is required, requested or none, got ${clientAuth}`);
  }
  if (values['ssl-cert'] !== undefined || values['ssl-key'] !== undefined || values['ssl-ca'] !== undefined) {
    out.ssl = {
      certFile: values['ssl-cert'],
      keyFile: values['ssl-key'],
      caFile: values['ssl-ca'],
      clientAuth: (clientAuth as SslClientAuth | undefined) ?? (values['ssl-ca'] !== undefined ? 'none' : undefined),
    };
  } else if (clientAuth !== undefined) {
    throw new UsageError('--ssl-client-auth needs --ssl-cert, --ssl-key and --ssl-ca');
  }
  const mechanisms = values['sasl-mechanism'];
  if (mechanisms !== undefined && mechanisms.length > 0) {
    const upper = mechanisms.map((m) => m.toUpperCase());
    for (const m of upper) {
      if (!(SASL_MECHANISMS as readonly string[]).includes(m)) {
        throw new UsageError(`--sasl-mechanism ${m} is not one of ${SASL_MECHANISMS.join(', ')}`);
      }
    }
    out.sasl = { mechanisms: upper as SaslMechanism[] };
  }
  if (values.authorizer === true) {
    out.authorizer = {
      superUsers: values['super-users'] ?? [],
      allowEveryoneIfNoAclFound: values['allow-everyone-if-no-acl-found'] === true,
    };
  } else if (values['super-users'] !== undefined || values['allow-everyone-if-no-acl-found'] === true) {
    throw new UsageError('--super-users and --allow-everyone-if-no-acl-found need --authorizer');
  }
  const max = values['max-connections-per-ip'];
  if (max !== undefined) {
    const n = Number(max);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`--max-connections-per-ip must be an integer ≥ 1, got ${max}`);
    out.maxConnectionsPerIp = n;
  }
  return out;
}

/** The registry's security flags, `--registry-*` on `trib serve`, unprefixed on `trib registry serve`. */
export function registrySecurityFlags(prefix: '' | 'registry-' | 'console-') {
  return {
    [`${prefix}user`]: { type: 'string', multiple: true },
    [`${prefix}token`]: { type: 'string', multiple: true },
    [`${prefix}anonymous`]: { type: 'string' },
    [`${prefix}allowed-host`]: { type: 'string', multiple: true },
    [`${prefix}ssl-cert`]: { type: 'string' },
    [`${prefix}ssl-key`]: { type: 'string' },
  } as const;
}

export function registrySecurityHelp(prefix: '' | 'registry-' | 'console-', title = 'Registry security'): string {
  return `${title}:
  --${prefix}user USER:PASSWORD:ROLE[:PREFIX,...]
                                a basic-auth user; ROLE read, write or admin, optionally limited to
                                subjects starting with the prefixes (repeatable)
  --${prefix}token TOKEN:ROLE[:PREFIX,...]
                                a bearer token (16+ characters), same roles (repeatable)
  --${prefix}anonymous read     what requests without credentials may do (default: nothing)
  --${prefix}allowed-host NAME  Host header names answered (repeatable; default on loopback: its
                                loopback names, against DNS rebinding)
  --${prefix}ssl-cert FILE --${prefix}ssl-key FILE
                                serve HTTPS
`;
}

/** The registry server options the flags ask for. */
export function registrySecurityOptions(
  values: Record<string, string | boolean | string[] | undefined>,
  prefix: '' | 'registry-' | 'console-',
): {
  auth?: HttpAuthOptions;
  allowedHosts?: string[];
  tls?: { cert: Buffer; key: Buffer };
} {
  const get = <T>(name: string) => values[`${prefix}${name}`] as T | undefined;
  const out: { auth?: HttpAuthOptions; allowedHosts?: string[]; tls?: { cert: Buffer; key: Buffer } } = {};
  const users = get<string[]>('user') ?? [];
  const tokens = get<string[]>('token') ?? [];
  const anonymous = get<string>('anonymous');
  if (anonymous !== undefined && !['read', 'write', 'admin', 'none'].includes(anonymous)) {
    throw new UsageError(`--${prefix}anonymous is read, write, admin or none, got ${anonymous}`);
  }
  if (users.length > 0 || tokens.length > 0) {
    try {
      out.auth = {
        users: users.map(parseUserSpec),
        tokens: tokens.map(parseTokenSpec),
        anonymous: anonymous as HttpAuthOptions['anonymous'],
      };
    } catch (err) {
      throw new UsageError(`--${prefix}user/--${prefix}token: ${(err as Error).message}`);
    }
  } else if (anonymous !== undefined) {
    throw new UsageError(`--${prefix}anonymous needs --${prefix}user or --${prefix}token`);
  }
  const hosts = get<string[]>('allowed-host');
  if (hosts !== undefined && hosts.length > 0) out.allowedHosts = hosts;
  const cert = get<string>('ssl-cert');
  const key = get<string>('ssl-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`--${prefix}ssl-cert and --${prefix}ssl-key go together`);
  }
  if (cert !== undefined && key !== undefined) out.tls = { cert: readFileSync(cert), key: readFileSync(key) };
  return out;
}
