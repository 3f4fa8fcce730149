import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { TributaryError } from '../errors.ts';

/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), server side, as Kafka's `ScramSaslServer`.
 *
 * The broker keeps a {@link ScramCredential} per user and mechanism (salt, iterations, StoredKey,
 * ServerKey; never the password) and runs one {@link ScramServer} per connection over the four
 * messages: client-first → server-first → client-final → server-final.
 *
 * @example
 * const cred = createScramCredential('SCRAM-SHA-256', 'alice-secret');
 * const server = new ScramServer({ mechanism: 'SCRAM-SHA-256', credentials: (u) => (u === 'alice' ? cred : undefined) });
 * const serverFirst = await server.evaluate(clientFirst);  // 'r=…,s=…,i=4096'
 * const serverFinal = await server.evaluate(clientFinal);  // 'v=…'; server.authorizationId === 'alice'
 */

/** The SCRAM mechanisms Kafka (and Tributary) enables. */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** The mechanisms, in Kafka's order. */
export const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** Kafka's bounds on iterations (`ScramMechanism.minIterations`, AlterUserScramCredentials' maximum). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

/**
 * A hash function as SCRAM uses it: `H()`, `HMAC()` and `Hi()` (PBKDF2 with HMAC). Exposed so the
 * RFC 5802 (SHA-1) test vectors can check the arithmetic; the server only accepts SHA-256 and SHA-512.
 *
 * @example
 * const f = scramFormatter('sha256');
 * const salted = f.hi('pencil', salt, 4096);
 */
export interface ScramFormatter {
  readonly hash: 'sha1' | 'sha256' | 'sha512';
  h(data: Uint8Array): Buffer;
  hmac(key: Uint8Array, data: Uint8Array | string): Buffer;
  hi(password: string, salt: Uint8Array, iterations: number): Buffer;
  /** `HMAC(SaltedPassword, "Client Key")`. */
  clientKey(saltedPassword: Uint8Array): Buffer;
  /** `HMAC(SaltedPassword, "Server Key")`. */
  serverKey(saltedPassword: Uint8Array): Buffer;
  /** `H(ClientKey)`. */
  storedKey(clientKey: Uint8Array): Buffer;
  /** `ClientKey XOR HMAC(StoredKey, AuthMessage)`: what a client sends as `p=`. */
  clientProof(saltedPassword: Uint8Array, authMessage: string): Buffer;
  /** `HMAC(ServerKey, AuthMessage)`: what the server sends as `v=`. */
  serverSignature(serverKey: Uint8Array, authMessage: string): Buffer;
}

/**
 * The SCRAM arithmetic for one hash.
 *
 * @example
 * const f = scramFormatter('sha512');
 * f.storedKey(f.clientKey(f.hi('pw', salt, 4096))).length; // 64
 */
export function scramFormatter(hash: 'sha1' | 'sha256' | 'sha512'): ScramFormatter {
  const size = hash === 'sha1' ? 20 : hash === 'sha256' ? 32 : 64;
  const f: ScramFormatter = {
    hash,
    h: (data) => createHash(hash).update(data).digest(),
    hmac: (key, data) => createHmac(hash, key).update(data).digest(),
    // RFC 5802's Hi() is PBKDF2 with dkLen = the hash's output size; passwords are UTF-8 (SASLprep is the identity for ASCII).
    hi: (password, salt, iterations) => pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, size, hash),
    clientKey: (salted) => f.hmac(salted, 'Client Key'),
    serverKey: (salted) => f.hmac(salted, 'Server Key'),
    storedKey: (clientKey) => f.h(clientKey),
    clientProof(salted, authMessage) {
      const clientKey = f.clientKey(salted);
      return xor(clientKey, f.hmac(f.storedKey(clientKey), authMessage));
    },
    serverSignature: (serverKey, authMessage) => f.hmac(serverKey, authMessage),
  };
  return f;
}

function formatterOf(mechanism: ScramMechanism): ScramFormatter {
  if (mechanism === 'SCRAM-SHA-256') return scramFormatter('sha256');
  if (mechanism === 'SCRAM-SHA-512') return scramFormatter('sha512');
  throw new TributaryError('UNSUPPORTED_SASL_MECHANISM', `Unsupported SASL mechanism ${String(mechanism)}`);
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/**
 * What the broker stores for one user and mechanism, as Kafka's `ScramCredential`: never the password.
 *
 * @example
 * const cred = createScramCredential('SCRAM-SHA-512', 'pw', { iterations: 8192 });
 * cred.storedKey.length; // 64
 */
export interface ScramCredential {
  readonly mechanism: ScramMechanism;
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/** Options of `createScramCredential` (salt and iteration count; at least 4096 iterations). */
export interface ScramCredentialOptions {
  /** Default: 32 random bytes. Kafka's AlterUserScramCredentials lets the client choose it. */
  salt?: Uint8Array;
  /** Default 4096; 4096 to 16384. */
  iterations?: number;
}

/**
 * Salts and hashes a password into a {@link ScramCredential}; the password is not kept.
 * Refuses iterations outside 4096..16384 and an empty salt or password with `INVALID_REQUEST`.
 *
 * @example
 * const cred = createScramCredential('SCRAM-SHA-256', 'alice-secret');
 * cred.iterations; // 4096
 */
export function createScramCredential(
  mechanism: ScramMechanism,
  password: string,
  options: ScramCredentialOptions = {},
): ScramCredential {
  const f = formatterOf(mechanism);
  const iterations = options.iterations ?? SCRAM_MIN_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
    throw new TributaryError(
      'INVALID_REQUEST',
      `SCRAM iterations must be ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}, got ${iterations}`,
    );
  }
  if (typeof password !== 'string' || password.length === 0)
    throw new TributaryError('INVALID_REQUEST', 'A SCRAM password must not be empty');
  const salt = options.salt ?? randomBytes(32);
  if (salt.length === 0) throw new TributaryError('INVALID_REQUEST', 'A SCRAM salt must not be empty');
  const salted = f.hi(password, salt, iterations);
  const clientKey = f.clientKey(salted);
  return {
    mechanism,
    salt: Uint8Array.from(salt),
    iterations,
    storedKey: f.storedKey(clientKey),
    serverKey: f.serverKey(salted),
  };
}

/** Kafka's wire codes for the mechanisms (DescribeUserScramCredentials, AlterUserScramCredentials). */
export const SCRAM_MECHANISM_CODES: Readonly<Record<ScramMechanism, number>> = {
  'SCRAM-SHA-256': 1,
  'SCRAM-SHA-512': 2,
};

/**
 * Writes a credential in Kafka's stored form (`ScramCredentialUtils.credentialToString`):
 * `salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>`; the mechanism is kept beside it.
 *
 * @example
 * formatScramCredential(cred); // 'salt=…,stored_key=…,server_key=…,iterations=4096'
 */
export function formatScramCredential(credential: ScramCredential): string {
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return `salt=${b64(credential.salt)},stored_key=${b64(credential.storedKey)},server_key=${b64(credential.serverKey)},iterations=${credential.iterations}`;
}

/**
 * Reads {@link formatScramCredential}'s form back; a malformed string or key lengths that do not fit
 * the mechanism throw `CORRUPT_MESSAGE` (a stored credential is damaged, not a client's mistake).
 *
 * @example
 * parseScramCredential('SCRAM-SHA-256', formatScramCredential(cred)).iterations; // 4096
 */
export function parseScramCredential(mechanism: ScramMechanism, text: string): ScramCredential {
  const size = formatterOf(mechanism).hash === 'sha256' ? 32 : 64;
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  const [salt, storedKey, serverKey, iterations] = ['salt', 'stored_key', 'server_key', 'iterations'].map(
    (k) => fields.get(k) ?? '',
  );
  if (
    fields.size !== 4 ||
    ![salt, storedKey, serverKey].every((v = '') => b64.test(v)) ||
    !/^[0-9]+$/.test(iterations ?? '')
  ) {
    throw new TributaryError('CORRUPT_MESSAGE', 'A stored SCRAM credential is malformed');
  }
  const credential: ScramCredential = {
    mechanism,
    salt: Buffer.from(salt ?? '', 'base64'),
    storedKey: Buffer.from(storedKey ?? '', 'base64'),
    serverKey: Buffer.from(serverKey ?? '', 'base64'),
    iterations: Number(iterations),
  };
  if (
    credential.storedKey.length !== size ||
    credential.serverKey.length !== size ||
    credential.iterations < SCRAM_MIN_ITERATIONS
  ) {
    throw new TributaryError('CORRUPT_MESSAGE', `A stored SCRAM credential does not fit ${mechanism}`);
  }
  return credential;
}

/**
 * Encodes a username as a SCRAM `saslname` (`,` → `=2C`, `=` → `=3D`).
 *
 * @example
 * encodeSaslName('a,b=c'); // 'a=2Cb=3Dc'
 */
export function encodeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/**
 * Decodes a `saslname`; any `=` not followed by `2C` or `3D` fails, as RFC 5802 requires.
 *
 * @example
 * decodeSaslName('a=2Cb'); // 'a,b'
 */
export function decodeSaslName(saslName: string): string {
  if (/=(?!2C|3D)/.test(saslName)) throw authFailed('Invalid username encoding');
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** A parsed client-first message. */
export interface ClientFirstMessage {
  /** `n`: the client does not support channel binding; `y`: it does but thinks the server does not. */
  gs2Flag: 'n' | 'y';
  authorizationId: string;
  username: string;
  nonce: string;
  /** Kafka's SCRAM extensions after the nonce, e.g. `tokenauth=true`. */
  extensions: ReadonlyMap<string, string>;
  /** The message without the GS2 header, part of AuthMessage. */
  bare: string;
  /** The GS2 header (`n,,` or `n,a=alice,`), which the client-final `c=` must carry back. */
  gs2Header: string;
}

const VALUE_CHARS = /^[\x21-\x2B\x2D-\x7E]+$/; // printable ASCII without ','

/**
 * Parses a client-first message as Kafka's `ClientFirstMessage`: `gs2-header n=user,r=nonce[,ext=v…]`.
 * Channel binding (`p=`) and the reserved `m=` are refused.
 *
 * @example
 * parseClientFirst('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL').username; // 'user'
 */
export function parseClientFirst(message: string): ClientFirstMessage {
  const m = /^([ny]),(?:a=([^,]*))?,(n=([^,]*),r=([^,]+)((?:,[^,]+)*))$/.exec(message);
  if (!m) throw authFailed('Invalid SCRAM client first message');
  const [, flag = 'n', authzid, bare = '', saslName = '', nonce = '', ext = ''] = m;
  if (!VALUE_CHARS.test(nonce)) throw authFailed('Invalid SCRAM nonce');
  const extensions = new Map<string, string>();
  for (const part of ext.split(',').slice(1)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw authFailed('Invalid SCRAM extension');
    extensions.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return {
    gs2Flag: flag as 'n' | 'y',
    authorizationId: authzid === undefined ? '' : decodeSaslName(authzid),
    username: decodeSaslName(saslName),
    nonce,
    extensions,
    bare,
    gs2Header: `${flag},${authzid === undefined ? '' : `a=${authzid}`},`,
  };
}

/** A parsed client-final message. */
export interface ClientFinalMessage {
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** `c=…,r=…`, part of AuthMessage. */
  withoutProof: string;
}

/**
 * Parses a client-final message: `c=base64(gs2-header),r=nonce[,ext…],p=base64(proof)`.
 *
 * @example
 * parseClientFinal('c=biws,r=abc,p=dGVzdA==').nonce; // 'abc'
 */
export function parseClientFinal(message: string): ClientFinalMessage {
  const m = /^(c=([A-Za-z0-9+/=]+),r=([^,]+)(?:,[^,]+)*?),p=([A-Za-z0-9+/=]+)$/.exec(message);
  if (!m) throw authFailed('Invalid SCRAM client final message');
  const [, withoutProof = '', binding = '', nonce = '', proof = ''] = m;
  return { channelBinding: Buffer.from(binding, 'base64'), nonce, proof: Buffer.from(proof, 'base64'), withoutProof };
}

function authFailed(message: string): TributaryError {
  return new TributaryError('SASL_AUTHENTICATION_FAILED', `Authentication failed: ${message}`);
}

/** Looks a user's credential up; `undefined` when there is no such user (or none for this mechanism). */
export type ScramCredentialLookup = (
  username: string,
) => ScramCredential | undefined | Promise<ScramCredential | undefined>;

/**
 * Checks a delegation token when a client sends `tokenauth=true` (Kafka's `DelegationTokenCache`):
 * the username is the token id; return the token's credential and owner, or `undefined`.
 */
export type ScramTokenLookup = (
  tokenId: string,
) =>
  | { credential: ScramCredential; owner: string }
  | undefined
  | Promise<{ credential: ScramCredential; owner: string } | undefined>;

/** Options of a {@link ScramServer}. */
export interface ScramServerOptions {
  mechanism: ScramMechanism;
  credentials: ScramCredentialLookup;
  /**
   * Kafka's `tokenauth` extension (delegation tokens). Without a lookup here, a client-first message
   * carrying `tokenauth=true` is refused, as Kafka does when delegation tokens are off.
   */
  tokens?: ScramTokenLookup;
  /** The server's half of the nonce; default 32 random bytes in base64. Tests pin it. */
  serverNonce?: () => string;
}

type State = 'RECEIVE_CLIENT_FIRST' | 'RECEIVE_CLIENT_FINAL' | 'COMPLETE' | 'FAILED';

/**
 * One SCRAM exchange on one connection. {@link evaluate} takes each client message and returns the
 * server's answer; any failure throws `SASL_AUTHENTICATION_FAILED` and leaves the server `FAILED`
 * (every later message throws `ILLEGAL_SASL_STATE`). The proof is compared in constant time, and an
 * unknown user fails with the same message as a wrong password.
 *
 * @example
 * const server = new ScramServer({ mechanism: 'SCRAM-SHA-512', credentials: lookup });
 * const first = await server.evaluate('n,,n=alice,r=abc');
 * const final = await server.evaluate(clientFinal);
 * server.isComplete; // true; server.authorizationId === 'alice'
 */
export class ScramServer {
  readonly mechanism: ScramMechanism;
  readonly #options: ScramServerOptions;
  readonly #f: ScramFormatter;
  #state: State = 'RECEIVE_CLIENT_FIRST';
  #clientFirst: ClientFirstMessage | undefined;
  #serverFirst = '';
  #nonce = '';
  #credential: ScramCredential | undefined;
  #authorizationId = '';
  #tokenAuthenticated = false;

  constructor(options: ScramServerOptions) {
    this.#f = formatterOf(options.mechanism);
    this.mechanism = options.mechanism;
    this.#options = options;
  }

  /** True once the client's proof was verified and the server-final message returned. */
  get isComplete(): boolean {
    return this.#state === 'COMPLETE';
  }

  /** The authenticated principal's name (the username, or a token's owner); throws before completion. */
  get authorizationId(): string {
    if (this.#state !== 'COMPLETE')
      throw new TributaryError('ILLEGAL_SASL_STATE', 'Authentication exchange has not completed');
    return this.#authorizationId;
  }

  /** True when the client authenticated with a delegation token (`tokenauth=true`). */
  get tokenAuthenticated(): boolean {
    return this.#tokenAuthenticated;
  }

  /**
   * Takes the next client message (UTF-8 bytes or a string) and returns the server's next message.
   */
  async evaluate(message: Uint8Array | string): Promise<string> {
    const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
    try {
      switch (this.#state) {
        case 'RECEIVE_CLIENT_FIRST':
          return await this.#onClientFirst(text);
        case 'RECEIVE_CLIENT_FINAL':
          return this.#onClientFinal(text);
        default:
          throw new TributaryError('ILLEGAL_SASL_STATE', `Unexpected SASL message in state ${this.#state}`);
      }
    } catch (err) {
      if (this.#state !== 'COMPLETE') this.#state = 'FAILED';
      // Only what the server knows goes on: no proof, key or password bytes reach the message.
      if (err instanceof TributaryError) throw err;
      throw authFailed('Invalid SCRAM message');
    }
  }

  async #onClientFirst(text: string): Promise<string> {
    const first = parseClientFirst(text);
    const tokenauth = first.extensions.get('tokenauth');
    let credential: ScramCredential | undefined;
    let principal = first.username;
    const tokenLookup = this.#options.tokens;
    if (tokenauth !== undefined && tokenauth.toLowerCase() === 'true' && !tokenLookup)
      throw authFailed('Token authentication not enabled');
    try {
      if (tokenauth !== undefined && tokenauth.toLowerCase() === 'true' && tokenLookup) {
        const token = await tokenLookup(first.username);
        credential = token?.credential;
        principal = token?.owner ?? '';
        this.#tokenAuthenticated = true;
      } else {
        credential = await this.#options.credentials(first.username);
      }
    } catch (cause) {
      // A failing credential store is not the client's fault, but it must not let the client in either.
      throw new TributaryError(
        'SASL_AUTHENTICATION_FAILED',
        'Authentication failed: credentials for user could not be verified',
        { cause },
      );
    }
    if (!credential || credential.mechanism !== this.mechanism) throw authFailed('Invalid user credentials');
    if (first.authorizationId !== '' && first.authorizationId !== principal) {
      throw authFailed('Client requested an authorization id that is different from username');
    }
    // Letters and digits only, as Kafka's: librdkafka's SCRAM parser cuts a nonce at '='.
    const serverNonce = this.#options.serverNonce?.() ?? randomBytes(32).toString('base64').replace(/[+/=]/g, '');
    this.#nonce = first.nonce + serverNonce;
    this.#serverFirst = `r=${this.#nonce},s=${Buffer.from(credential.salt).toString('base64')},i=${credential.iterations}`;
    this.#clientFirst = first;
    this.#credential = credential;
    this.#authorizationId = principal;
    this.#state = 'RECEIVE_CLIENT_FINAL';
    return this.#serverFirst;
  }

  #onClientFinal(text: string): string {
    const final = parseClientFinal(text);
    const first = this.#clientFirst as ClientFirstMessage;
    const credential = this.#credential as ScramCredential;
    // endsWith, as Kafka's ScramSaslServer checks: librdkafka 2.0.x repeats its own nonce in front.
    if (!final.nonce.endsWith(this.#nonce))
      throw new TributaryError('SASL_AUTHENTICATION_FAILED', 'Invalid client nonce in the final client message.');
    if (!final.channelBinding.equals(Buffer.from(first.gs2Header, 'utf8'))) throw authFailed('Invalid channel binding');
    const authMessage = `${first.bare},${this.#serverFirst},${final.withoutProof}`;
    const signature = this.#f.hmac(credential.storedKey, authMessage);
    if (final.proof.length !== signature.length) throw authFailed('Invalid client credentials');
    const clientKey = xor(final.proof, signature);
    // Constant time: how much of the key matched must not show in how long the check takes.
    if (!timingSafeEqual(this.#f.h(clientKey), credential.storedKey)) throw authFailed('Invalid client credentials');
    this.#state = 'COMPLETE';
    return `v=${this.#f.serverSignature(credential.serverKey, authMessage).toString('base64')}`;
  }
}
