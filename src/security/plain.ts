import { createHash, timingSafeEqual } from 'node:crypto';
import { TributaryError } from '../errors.ts';
import { type ScramCredential, scramFormatter } from './scram.ts';

/**
 * SASL/PLAIN (RFC 4616), server side, as Kafka's `PlainSaslServer`: one client message
 * `[authzid] NUL authcid NUL passwd`, checked by a pluggable {@link PlainVerifier}; an authzid, when
 * given, must equal the username. The server answers with an empty message and is complete.
 *
 * PLAIN sends the password in the clear: the broker should offer it on SASL_SSL listeners.
 *
 * @example
 * const server = new PlainServer({ verify: staticPlainVerifier({ alice: 'alice-secret' }) });
 * await server.evaluate(Buffer.from('\0alice\0alice-secret')); // empty answer
 * server.authorizationId; // 'alice'
 */

/** Decides whether a username and password are good. Throwing counts as "could not be verified". */
export type PlainVerifier = (username: string, password: string) => boolean | Promise<boolean>;

/** The three tokens of a PLAIN message. */
export interface PlainMessage {
  authorizationId: string;
  username: string;
  password: string;
}

/**
 * Splits a PLAIN message into its three tokens, exactly as Kafka does (it counts up to four so that
 * a fourth NUL is reported). Empty username or password fail. Errors are `SASL_AUTHENTICATION_FAILED`.
 *
 * @example
 * parsePlainMessage(Buffer.from('\0alice\0pw')); // { authorizationId: '', username: 'alice', password: 'pw' }
 */
export function parsePlainMessage(message: Uint8Array | string): PlainMessage {
  const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
  const tokens: string[] = [];
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const end = text.indexOf('\0', start);
    if (end === -1) {
      tokens.push(text.slice(start));
      break;
    }
    tokens.push(text.slice(start, end));
    start = end + 1;
  }
  if (tokens.length !== 3) {
    throw new TributaryError(
      'SASL_AUTHENTICATION_FAILED',
      `Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`,
    );
  }
  const [authorizationId = '', username = '', password = ''] = tokens;
  if (username === '')
    throw new TributaryError('SASL_AUTHENTICATION_FAILED', 'Authentication failed: username not specified');
  if (password === '')
    throw new TributaryError('SASL_AUTHENTICATION_FAILED', 'Authentication failed: password not specified');
  return { authorizationId, username, password };
}

// Hashing both sides first gives equal-length inputs, so neither the content nor the length of the
// expected password shows in the comparison's timing.
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a, 'utf8').digest(),
    createHash('sha256').update(b, 'utf8').digest(),
  );
}

/**
 * A verifier over a fixed user → password map (Kafka's `user_<name>="<password>"` JAAS options),
 * compared in constant time.
 *
 * @example
 * const verify = staticPlainVerifier({ admin: 'admin-secret', alice: 'alice-secret' });
 * await verify('alice', 'nope'); // false
 */
export function staticPlainVerifier(
  users: Readonly<Record<string, string>> | ReadonlyMap<string, string>,
): PlainVerifier {
  const map = users instanceof Map ? new Map(users) : new Map(Object.entries(users));
  return (username, password) => {
    const expected = map.get(username);
    // An unknown user still costs one comparison, so a timing probe cannot list users.
    return sameSecret(expected ?? '\0unknown', password) && expected !== undefined;
  };
}

/**
 * Checks a password against a stored SCRAM credential, so PLAIN and SCRAM can share one user store
 * without the broker keeping passwords.
 *
 * @example
 * const cred = createScramCredential('SCRAM-SHA-256', 'pw');
 * verifyScramPassword(cred, 'pw'); // true
 */
export function verifyScramPassword(credential: ScramCredential, password: string): boolean {
  const f = scramFormatter(credential.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
  const storedKey = f.storedKey(f.clientKey(f.hi(password, credential.salt, credential.iterations)));
  return storedKey.length === credential.storedKey.length && timingSafeEqual(storedKey, credential.storedKey);
}

/** Options of a {@link PlainServer}. */
export interface PlainServerOptions {
  verify: PlainVerifier;
}

/**
 * One PLAIN exchange. {@link evaluate} throws `SASL_AUTHENTICATION_FAILED` on bad input or bad
 * credentials (never echoing the password) and `ILLEGAL_SASL_STATE` on a second message.
 *
 * @example
 * const server = new PlainServer({ verify: (u, p) => u === 'bob' && p === 'pw' });
 * await server.evaluate('bob\0bob\0pw'); // authzid equal to the username is fine
 */
export class PlainServer {
  readonly mechanism = 'PLAIN';
  readonly #verify: PlainVerifier;
  #state: 'NEW' | 'COMPLETE' | 'FAILED' = 'NEW';
  #authorizationId = '';

  constructor(options: PlainServerOptions) {
    this.#verify = options.verify;
  }

  get isComplete(): boolean {
    return this.#state === 'COMPLETE';
  }

  /** The authenticated username; throws `ILLEGAL_SASL_STATE` before completion. */
  get authorizationId(): string {
    if (this.#state !== 'COMPLETE')
      throw new TributaryError('ILLEGAL_SASL_STATE', 'Authentication exchange has not completed');
    return this.#authorizationId;
  }

  /** Takes the client's one message; returns the empty server answer. */
  async evaluate(message: Uint8Array | string): Promise<Uint8Array> {
    if (this.#state !== 'NEW')
      throw new TributaryError('ILLEGAL_SASL_STATE', `Unexpected SASL/PLAIN message in state ${this.#state}`);
    this.#state = 'FAILED';
    const { authorizationId, username, password } = parsePlainMessage(message);
    let ok: boolean;
    try {
      ok = await this.#verify(username, password);
    } catch (cause) {
      throw new TributaryError(
        'SASL_AUTHENTICATION_FAILED',
        'Authentication failed: credentials for user could not be verified',
        { cause },
      );
    }
    if (!ok)
      throw new TributaryError('SASL_AUTHENTICATION_FAILED', 'Authentication failed: Invalid username or password');
    if (authorizationId !== '' && authorizationId !== username) {
      throw new TributaryError(
        'SASL_AUTHENTICATION_FAILED',
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    }
    this.#authorizationId = username;
    this.#state = 'COMPLETE';
    return new Uint8Array(0);
  }
}
