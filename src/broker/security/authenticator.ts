/**
 * The SASL exchange of one connection on a `SASL_PLAINTEXT` or `SASL_SSL` listener, as Kafka's
 * `SaslServerAuthenticator` runs it:
 *
 * ```
 * HANDSHAKE_OR_VERSIONS ─ApiVersions→ HANDSHAKE ─SaslHandshake v1→ AUTHENTICATE ─SaslAuthenticate…→ COMPLETE
 *                                               ─SaslHandshake v0→ RAW_TOKENS  ─size-prefixed tokens…→ COMPLETE
 * any other request before COMPLETE, an unknown mechanism or a refused token → FAILED
 * ```
 *
 * A failure is answered (SaslAuthenticate's SASL_AUTHENTICATION_FAILED, or the handshake's
 * UNSUPPORTED_SASL_MECHANISM with the enabled list) and the connection is then closed after
 * `failedAuthenticationDelayMs` (Kafka's `connection.failed.authentication.delay.ms`, 100 ms), so a
 * client guessing passwords gets at most one guess per connection and per delay. Error messages say
 * what failed (unknown user and wrong password alike), never a secret.
 *
 * Mechanisms: SCRAM-SHA-256 and SCRAM-SHA-512 against the {@link SecurityStore}'s salted
 * credentials; PLAIN against the same credentials (the password is salted and hashed off the event
 * loop) or a pluggable verifier; OAUTHBEARER with Kafka's unsecured-JWT validator or a pluggable one.
 */
import { pbkdf2 } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { TributaryError } from '../../errors.ts';
import type { Clock } from '../../clock.ts';
import { OAuthBearerServer, type OAuthBearerValidator, unsecuredJwtValidator } from '../../security/oauthbearer.ts';
import { PlainServer, type PlainVerifier } from '../../security/plain.ts';
import {
  SCRAM_MECHANISMS,
  type ScramCredential,
  type ScramMechanism,
  ScramServer,
  scramFormatter,
} from '../../security/scram.ts';
import type { SecurityStore } from '../../security/store.ts';

/** The SASL mechanisms a broker can enable. */
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

/** Kafka's `connection.failed.authentication.delay.ms` default. */
export const DEFAULT_FAILED_AUTHENTICATION_DELAY_MS = 100;

/** SASL settings of a broker (Kafka's `sasl.enabled.mechanisms` and the callback handlers). */
export interface BrokerSaslOptions {
  /** Default `['SCRAM-SHA-256', 'SCRAM-SHA-512']`. */
  mechanisms?: readonly SaslMechanism[];
  /** PLAIN's check; default: the password against the user's stored SCRAM credential. */
  plainVerifier?: PlainVerifier;
  /**
   * OAUTHBEARER's token check; default Kafka's unsecured-JWT validator (`alg: none` tokens: for
   * development only, as Kafka's documentation warns).
   */
  oauthBearerValidator?: OAuthBearerValidator;
  /** Kafka's `connection.failed.authentication.delay.ms`. Default 100. */
  failedAuthenticationDelayMs?: number;
}

/** What the broker's connections share. */
export interface SaslConfig {
  readonly mechanisms: readonly SaslMechanism[];
  readonly store: SecurityStore;
  readonly plainVerifier: PlainVerifier;
  readonly oauthBearerValidator: OAuthBearerValidator;
  readonly failedAuthenticationDelayMs: number;
}

/** Resolves a broker's SASL options against its store. */
export function saslConfig(options: BrokerSaslOptions, store: SecurityStore, clock: Clock): SaslConfig {
  const mechanisms = [...(options.mechanisms ?? ['SCRAM-SHA-256', 'SCRAM-SHA-512'])];
  for (const m of mechanisms) {
    if (!SASL_MECHANISMS.includes(m)) {
      throw new TributaryError(
        'INVALID_CONFIG',
        `Unknown SASL mechanism ${String(m)}; use ${SASL_MECHANISMS.join(', ')}`,
      );
    }
  }
  if (mechanisms.length === 0) throw new TributaryError('INVALID_CONFIG', 'A SASL listener needs a mechanism');
  const delay = options.failedAuthenticationDelayMs ?? DEFAULT_FAILED_AUTHENTICATION_DELAY_MS;
  if (!Number.isInteger(delay) || delay < 0)
    throw new TributaryError('INVALID_CONFIG', `failedAuthenticationDelayMs must be an integer ≥ 0, got ${delay}`);
  return {
    mechanisms,
    store,
    plainVerifier: options.plainVerifier ?? ((user, password) => verifyAgainstStore(store, user, password)),
    oauthBearerValidator: options.oauthBearerValidator ?? unsecuredJwtValidator({ clock }),
    failedAuthenticationDelayMs: delay,
  };
}

const pbkdf2Async = (password: string, salt: Uint8Array, iterations: number, size: number, hash: string) =>
  new Promise<Buffer>((resolve, reject) =>
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, size, hash, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

const DECOY_SALT = Buffer.from('tributary-no-such-user');

/** PLAIN's default check: the password salted as the stored SCRAM credential, on the thread pool. */
async function verifyAgainstStore(store: SecurityStore, user: string, password: string): Promise<boolean> {
  const credential: ScramCredential | undefined = SCRAM_MECHANISMS.map((m: ScramMechanism) =>
    store.scramCredential(user, m),
  ).find((c) => c !== undefined);
  if (credential === undefined) {
    // As long as for a user who exists, so the time taken does not tell which names are users.
    await pbkdf2Async(password, DECOY_SALT, 4096, 64, 'sha512');
    return false;
  }
  const f = scramFormatter(credential.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
  const size = credential.storedKey.length;
  const salted = await pbkdf2Async(password, credential.salt, credential.iterations, size, f.hash);
  const storedKey = f.storedKey(f.clientKey(salted));
  return storedKey.length === credential.storedKey.length && timingSafeEqual(storedKey, credential.storedKey);
}

type State = 'HANDSHAKE_OR_VERSIONS' | 'HANDSHAKE' | 'AUTHENTICATE' | 'RAW_TOKENS' | 'COMPLETE' | 'FAILED';

interface SaslServer {
  readonly isComplete: boolean;
  readonly authorizationId: string;
  evaluate(message: Uint8Array): Promise<Uint8Array | string>;
}

/** What one SaslAuthenticate (or raw token) produced. */
export interface SaslStep {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
}

const NONE = 0;
const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;
const SASL_AUTHENTICATION_FAILED = 58;

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;

/** One connection's SASL state. */
export class Authenticator {
  readonly #config: SaslConfig;
  #state: State = 'HANDSHAKE_OR_VERSIONS';
  #server: SaslServer | undefined;
  #mechanism: SaslMechanism | undefined;
  #principal: string | undefined;

  constructor(config: SaslConfig) {
    this.#config = config;
  }

  get complete(): boolean {
    return this.#state === 'COMPLETE';
  }

  get failed(): boolean {
    return this.#state === 'FAILED';
  }

  /** True after SaslHandshake v0: the next frames are raw tokens, not Kafka requests. */
  get expectsRawTokens(): boolean {
    return this.#state === 'RAW_TOKENS';
  }

  /** `User:<name>` once complete. */
  get principal(): string | undefined {
    return this.#principal;
  }

  get mechanism(): SaslMechanism | undefined {
    return this.#mechanism;
  }

  /**
   * Whether a request of this API key may come now (before authentication only ApiVersions,
   * SaslHandshake and SaslAuthenticate may). A refused request fails the exchange.
   */
  admits(apiKey: number): boolean {
    const ok =
      (this.#state === 'HANDSHAKE_OR_VERSIONS' && (apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE)) ||
      (this.#state === 'HANDSHAKE' && apiKey === SASL_HANDSHAKE) ||
      (this.#state === 'AUTHENTICATE' && apiKey === SASL_AUTHENTICATE);
    if (!ok) this.#state = 'FAILED';
    return ok;
  }

  /** After an ApiVersions answer before authentication. */
  sawApiVersions(): void {
    if (this.#state === 'HANDSHAKE_OR_VERSIONS') this.#state = 'HANDSHAKE';
  }

  /** SaslHandshake: picks the mechanism; an unknown one fails the exchange. */
  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[] } {
    const enabled = [...this.#config.mechanisms];
    if (!(enabled as string[]).includes(mechanism)) {
      this.#state = 'FAILED';
      return { errorCode: UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled };
    }
    this.#mechanism = mechanism as SaslMechanism;
    this.#server = this.#serverFor(this.#mechanism);
    this.#state = version === 0 ? 'RAW_TOKENS' : 'AUTHENTICATE';
    return { errorCode: NONE, mechanisms: enabled };
  }

  #serverFor(mechanism: SaslMechanism): SaslServer {
    const { store } = this.#config;
    switch (mechanism) {
      case 'PLAIN':
        return new PlainServer({ verify: this.#config.plainVerifier });
      case 'OAUTHBEARER':
        return new OAuthBearerServer({ validator: this.#config.oauthBearerValidator });
      default: {
        const scram = mechanism;
        return new ScramServer({ mechanism: scram, credentials: (user) => store.scramCredential(user, scram) });
      }
    }
  }

  /** One SaslAuthenticate (or raw) token. */
  async authenticate(token: Uint8Array): Promise<SaslStep> {
    if (this.#server === undefined || (this.#state !== 'AUTHENTICATE' && this.#state !== 'RAW_TOKENS')) {
      this.#state = 'FAILED';
      return { errorCode: ILLEGAL_SASL_STATE, errorMessage: 'Unexpected SaslAuthenticate request', authBytes: EMPTY };
    }
    try {
      const answer = await this.#server.evaluate(token);
      if (this.#server.isComplete) {
        this.#principal = `User:${this.#server.authorizationId}`;
        this.#state = 'COMPLETE';
      }
      return {
        errorCode: NONE,
        errorMessage: null,
        authBytes: typeof answer === 'string' ? Buffer.from(answer, 'utf8') : Buffer.from(answer),
      };
    } catch (err) {
      this.#state = 'FAILED';
      const illegal = err instanceof TributaryError && err.code === 'ILLEGAL_SASL_STATE';
      const message =
        err instanceof TributaryError
          ? err.message
          : `Authentication failed during authentication with SASL mechanism ${this.#mechanism}`;
      return {
        errorCode: illegal ? ILLEGAL_SASL_STATE : SASL_AUTHENTICATION_FAILED,
        errorMessage: message,
        authBytes: EMPTY,
      };
    }
  }
}

const EMPTY = Buffer.alloc(0);
