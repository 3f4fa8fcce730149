import { type Clock, systemClock } from '../clock.ts';
import { TributaryError } from '../errors.ts';

/**
 * SASL/OAUTHBEARER (RFC 7628), server side, as Kafka's `OAuthBearerSaslServer`, with Kafka's
 * *unsecured* JWT validator (`OAuthBearerUnsecuredValidatorCallbackHandler`) as the default and any
 * {@link OAuthBearerValidator} pluggable in its place (a JWKS-checking one for production).
 *
 * The unsecured validator accepts only `alg: none` tokens with an empty signature: it is for
 * development, as in Kafka. Time comes from the injectable {@link Clock}.
 *
 * @example
 * const validator = unsecuredJwtValidator({ clock, requiredScope: ['kafka'] });
 * const server = new OAuthBearerServer({ validator });
 * const sep = String.fromCharCode(1);
 * const answer = await server.evaluate(`n,,${sep}auth=Bearer ${jwt}${sep}${sep}`);
 * server.isComplete ? server.authorizationId : JSON.parse(Buffer.from(answer).toString()); // { status: 'invalid_token' }
 */

/** A validated token, as Kafka's `OAuthBearerToken`. */
export interface OAuthBearerToken {
  /** The compact serialization the client sent. */
  value: string;
  principalName: string;
  scope: ReadonlySet<string>;
  /** Expiry, ms since the epoch. */
  lifetimeMs: number;
  /** Issued-at, ms since the epoch, when the token says. */
  startTimeMs: number | undefined;
}

/** Why a token was refused: Kafka's `errorStatus` (`invalid_token` or `insufficient_scope`) and its scope. */
export interface OAuthBearerValidationFailure {
  status: 'invalid_token' | 'insufficient_scope';
  scope?: string;
  /** For the server's log only: never sent to the client, never holding the token. */
  reason: string;
}

/** What a validator returns. */
export type OAuthBearerValidationResult =
  | { ok: true; token: OAuthBearerToken }
  | { ok: false; failure: OAuthBearerValidationFailure };

/**
 * Decides whether a bearer token is good. Kafka's `OAuthBearerValidatorCallback` handler, as a function.
 *
 * @example
 * const alwaysAlice: OAuthBearerValidator = (value) => ({ ok: true, token: { value, principalName: 'alice',
 *   scope: new Set(), lifetimeMs: Number.MAX_SAFE_INTEGER, startTimeMs: undefined } });
 */
export type OAuthBearerValidator = (
  tokenValue: string,
) => OAuthBearerValidationResult | Promise<OAuthBearerValidationResult>;

/** A parsed unsecured JWS, as Kafka's `OAuthBearerUnsecuredJws`. */
export interface UnsecuredJws {
  header: Readonly<Record<string, unknown>>;
  claims: Readonly<Record<string, unknown>>;
  splits: readonly [string, string, string];
  principalName: string;
  scope: ReadonlySet<string>;
  /** `exp` × 1000, rounded. */
  lifetimeMs: number;
  /** `iat` × 1000, rounded, when present. */
  startTimeMs: number | undefined;
}

/** A token that is not even a well-formed unsecured JWS (Kafka's `OAuthBearerIllegalTokenException`). */
export class IllegalTokenError extends TributaryError {
  constructor(message: string) {
    super('SASL_AUTHENTICATION_FAILED', message);
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeSection(split: string): Record<string, unknown> {
  if (!BASE64URL.test(split)) throw new IllegalTokenError('malformed Base64 URL encoded value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(split, 'base64url').toString('utf8'));
  } catch {
    throw new IllegalTokenError('malformed JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new IllegalTokenError('malformed JSON');
  return parsed as Record<string, unknown>;
}

function numberClaim(claims: Record<string, unknown>, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new IllegalTokenError(`The '${name}' claim was not of type Number: ${typeof v}`);
  return v;
}

function scopeOf(claims: Record<string, unknown>, scopeClaimName: string): Set<string> {
  const v = claims[scopeClaimName];
  if (v === undefined || v === null) return new Set();
  // Kafka takes a string claim as ONE scope element (trimmed), and a list as its non-blank elements.
  if (typeof v === 'string') return v.trim() === '' ? new Set() : new Set([v.trim()]);
  if (!Array.isArray(v)) throw new IllegalTokenError(`The '${scopeClaimName}' claim was not of type List: ${typeof v}`);
  return new Set(v.map((e) => String(e).trim()).filter((e) => e !== ''));
}

/**
 * Parses an unsecured JWS by Kafka's rules: three dot-separated base64url sections, no `..`, header
 * `alg` exactly `none`, an empty signature, a numeric `exp`, a non-blank string principal claim
 * (default `sub`), numeric `iat` if present, and a scope claim (default `scope`) that is a string or a
 * list. Throws {@link IllegalTokenError}.
 *
 * @example
 * const jws = parseUnsecuredJws('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImV4cCI6OTk5OTk5OTk5OX0.');
 * jws.principalName; // 'alice'
 */
export function parseUnsecuredJws(compact: string, principalClaimName = 'sub', scopeClaimName = 'scope'): UnsecuredJws {
  if (principalClaimName.trim() === '' || scopeClaimName.trim() === '')
    throw new TypeError('Must specify non-blank principal and scope claim names');
  if (compact.includes('..')) throw new IllegalTokenError("Malformed compact serialization contains '..'");
  const splits = compact.split('.');
  if (splits.length !== 3)
    throw new IllegalTokenError(
      'Unsecured JWS compact serializations must have 3 dot-separated Base64URL-encoded values',
    );
  const [h = '', c = '', signature = ''] = splits;
  const header = decodeSection(h);
  const claims = decodeSection(c);
  if (header.alg !== 'none') throw new IllegalTokenError("Unsecured JWS must have 'none' for an algorithm");
  if (signature !== '') throw new IllegalTokenError('Unsecured JWS must not contain a digital signature');
  const scope = scopeOf(claims, scopeClaimName.trim());
  const exp = numberClaim(claims, 'exp');
  if (exp === undefined) throw new IllegalTokenError('No expiration time in JWT');
  const principal = claims[principalClaimName.trim()];
  if (principal !== undefined && principal !== null && typeof principal !== 'string') {
    throw new IllegalTokenError(`The '${principalClaimName}' claim was not of type String: ${typeof principal}`);
  }
  if (typeof principal !== 'string' || principal.trim() === '')
    throw new IllegalTokenError(`No principal name in JWT claim: ${principalClaimName}`);
  const iat = numberClaim(claims, 'iat');
  return {
    header,
    claims,
    splits: [h, c, signature],
    principalName: principal,
    scope,
    lifetimeMs: Math.round(exp * 1000),
    startTimeMs: iat === undefined ? undefined : Math.round(iat * 1000),
  };
}

/** Options of {@link unsecuredJwtValidator}, with Kafka's JAAS option names in the docs. */
export interface UnsecuredJwtValidatorOptions {
  /** Where "now" comes from; default the system clock. */
  clock?: Clock;
  /** `unsecuredValidatorPrincipalClaimName`; default `sub`. */
  principalClaimName?: string;
  /** `unsecuredValidatorScopeClaimName`; default `scope`. */
  scopeClaimName?: string;
  /** `unsecuredValidatorRequiredScope` (space-delimited in Kafka); default none. */
  requiredScope?: readonly string[] | string;
  /** `unsecuredValidatorAllowableClockSkewMs`; default 0, never negative. */
  allowableClockSkewMs?: number;
  /** Refuse tokens without `iat`. Kafka's unsecured validator does not (default false). */
  requireIssuedAt?: boolean;
}

/**
 * Kafka's unsecured JWT validator: parses with {@link parseUnsecuredJws}, then checks `iat` is not
 * after now + skew, now − skew is before `exp`, `exp` is after `iat`, and every required scope is
 * present (else `insufficient_scope`, with the required scope in Kafka's `[a, b]` form).
 *
 * @example
 * const validate = unsecuredJwtValidator({ clock: new ManualClock(0), allowableClockSkewMs: 1000 });
 * (await validate(token)).ok; // true until the clock passes exp + 1 s
 */
export function unsecuredJwtValidator(options: UnsecuredJwtValidatorOptions = {}): OAuthBearerValidator {
  const clock = options.clock ?? systemClock;
  const principalClaimName = options.principalClaimName?.trim() || 'sub';
  const scopeClaimName = options.scopeClaimName?.trim() || 'scope';
  const rs = options.requiredScope ?? [];
  const requiredScope = (typeof rs === 'string' ? rs.trim().split(/ +/) : [...rs]).filter((s) => s !== '');
  const skew = options.allowableClockSkewMs ?? 0;
  if (!Number.isInteger(skew) || skew < 0)
    throw new TributaryError('INVALID_CONFIG', `Allowable clock skew millis must not be negative: ${skew}`);
  const invalid = (reason: string): OAuthBearerValidationResult => ({
    ok: false,
    failure: { status: 'invalid_token', reason },
  });

  return (tokenValue) => {
    let jws: UnsecuredJws;
    try {
      jws = parseUnsecuredJws(tokenValue, principalClaimName, scopeClaimName);
    } catch (err) {
      if (err instanceof IllegalTokenError) return invalid(err.message);
      throw err;
    }
    const now = clock.now();
    const iat = jws.claims.iat as number | undefined;
    const exp = jws.claims.exp as number;
    if (iat === undefined && options.requireIssuedAt) return invalid('Required claim missing: iat');
    if (iat !== undefined && 1000 * iat > now + skew) {
      return invalid(
        `The Issued At value (${iat} seconds) was after the indicated time (${now} ms) plus allowable clock skew (${skew} ms)`,
      );
    }
    if (now - skew >= 1000 * exp) {
      return invalid(
        `The indicated time (${now} ms) minus allowable clock skew (${skew} ms) was on or after the Expiration Time value (${exp} seconds)`,
      );
    }
    if (iat !== undefined && exp <= iat)
      return invalid(`The Expiration Time time (${exp} seconds) was not after the Issued At time (${iat} seconds)`);
    for (const s of requiredScope) {
      if (!jws.scope.has(s)) {
        return {
          ok: false,
          failure: {
            status: 'insufficient_scope',
            scope: `[${requiredScope.join(', ')}]`,
            reason: `The provided scope was missing a required scope (${s})`,
          },
        };
      }
    }
    return {
      ok: true,
      token: {
        value: tokenValue,
        principalName: jws.principalName,
        scope: jws.scope,
        lifetimeMs: jws.lifetimeMs,
        startTimeMs: jws.startTimeMs,
      },
    };
  };
}

/** A parsed OAUTHBEARER client initial response. */
export interface OAuthBearerInitialResponse {
  authorizationId: string;
  tokenValue: string;
  /** Kafka's SASL extensions: every key=value pair besides `auth`. */
  extensions: ReadonlyMap<string, string>;
}

const SEP = String.fromCharCode(1);
const KEY = /^[A-Za-z]+$/;
// Kafka's VALUE: printable ASCII, space, tab, CR, LF.
const isValueChar = (c: number) => (c >= 0x21 && c <= 0x7e) || c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

function badFirstMessage(detail = ''): TributaryError {
  return new TributaryError('SASL_AUTHENTICATION_FAILED', `Invalid OAUTHBEARER client first message${detail}`);
}

/**
 * Parses `n,[a=authzid],<01>auth=Bearer <token><01>[key=value<01>…]<01>` (`<01>` being the byte 0x01) as
 * Kafka's `OAuthBearerClientInitialResponse`. Throws `SASL_AUTHENTICATION_FAILED`.
 *
 * @example
 * const sep = String.fromCharCode(1);
 * parseOAuthBearerInitialResponse(`n,,${sep}auth=Bearer abc.def.${sep}traceId=42${sep}${sep}`).extensions.get('traceId'); // '42'
 */
export function parseOAuthBearerInitialResponse(message: Uint8Array | string): OAuthBearerInitialResponse {
  const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
  const gs2 = /^n,(?:a=([^,]*))?,/.exec(text);
  if (!gs2 || !text.endsWith(SEP + SEP)) throw badFirstMessage();
  const body = text.slice(gs2[0].length);
  if (!body.startsWith(SEP)) throw badFirstMessage();
  const pairs = new Map<string, string>();
  for (const kv of body.slice(1, -2).split(SEP)) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (eq <= 0 || !KEY.test(key) || value === '' || ![...value].every((ch) => isValueChar(ch.charCodeAt(0))))
      throw badFirstMessage();
    pairs.set(key, value);
  }
  const auth = /^(\w+) +([-_~+/.a-zA-Z0-9]+=*)$/.exec(pairs.get('auth') ?? '');
  if (!auth) throw badFirstMessage(': no auth');
  if (auth[1] !== 'Bearer')
    throw new TributaryError('SASL_AUTHENTICATION_FAILED', 'Invalid scheme in OAUTHBEARER client first message');
  pairs.delete('auth');
  return { authorizationId: gs2[1] ?? '', tokenValue: auth[2] ?? '', extensions: pairs };
}

/** Options of an {@link OAuthBearerServer}. */
export interface OAuthBearerServerOptions {
  /** Default: {@link unsecuredJwtValidator} with its defaults. */
  validator?: OAuthBearerValidator;
}

/**
 * One OAUTHBEARER exchange. A good token completes it with an empty answer. A refused token gets
 * RFC 7628's JSON error (`{"status":"invalid_token"}`, or `insufficient_scope` with `scope`) as the
 * answer; the client then sends the single byte 0x01 and {@link evaluate} throws `SASL_AUTHENTICATION_FAILED`.
 *
 * @example
 * const server = new OAuthBearerServer({ validator: unsecuredJwtValidator({ clock }) });
 * await server.evaluate(initialResponse);
 * server.token?.principalName; // 'alice'
 */
export class OAuthBearerServer {
  readonly mechanism = 'OAUTHBEARER';
  readonly #validator: OAuthBearerValidator;
  #state: 'NEW' | 'ERROR_SENT' | 'COMPLETE' | 'FAILED' = 'NEW';
  #error = '';
  #token: OAuthBearerToken | undefined;
  #extensions: ReadonlyMap<string, string> = new Map();

  constructor(options: OAuthBearerServerOptions = {}) {
    this.#validator = options.validator ?? unsecuredJwtValidator();
  }

  get isComplete(): boolean {
    return this.#state === 'COMPLETE';
  }

  /** The validated token once complete (its `lifetimeMs` bounds the session, as Kafka's re-authentication does). */
  get token(): OAuthBearerToken | undefined {
    return this.#token;
  }

  /** The SASL extensions the client sent (Kafka's unsecured handler accepts them all). */
  get extensions(): ReadonlyMap<string, string> {
    return this.#extensions;
  }

  /** The token's principal; throws `ILLEGAL_SASL_STATE` before completion. */
  get authorizationId(): string {
    if (!this.#token || this.#state !== 'COMPLETE')
      throw new TributaryError('ILLEGAL_SASL_STATE', 'Authentication exchange has not completed');
    return this.#token.principalName;
  }

  /** Takes the client's next message; returns the answer (empty, or the JSON error). */
  async evaluate(message: Uint8Array | string): Promise<Uint8Array> {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    if (this.#state === 'ERROR_SENT') {
      this.#state = 'FAILED';
      if (bytes.length === 1 && bytes[0] === 1)
        throw new TributaryError('SASL_AUTHENTICATION_FAILED', `Authentication failed: ${this.#error}`);
      throw new TributaryError(
        'SASL_AUTHENTICATION_FAILED',
        'Authentication failed: expected %x01 after the error response',
      );
    }
    if (this.#state !== 'NEW')
      throw new TributaryError('ILLEGAL_SASL_STATE', `Unexpected SASL/OAUTHBEARER message in state ${this.#state}`);
    this.#state = 'FAILED';
    const initial = parseOAuthBearerInitialResponse(bytes);
    const result = await this.#validator(initial.tokenValue);
    if (!result.ok) {
      const body: Record<string, string> = { status: result.failure.status };
      if (result.failure.scope !== undefined) body.scope = result.failure.scope;
      this.#error = JSON.stringify(body);
      this.#state = 'ERROR_SENT';
      return Buffer.from(this.#error, 'utf8');
    }
    if (initial.authorizationId !== '' && initial.authorizationId !== result.token.principalName) {
      throw new TributaryError(
        'SASL_AUTHENTICATION_FAILED',
        `Authentication failed: Client requested an authorization id (${initial.authorizationId}) that is different from the token's principal name (${result.token.principalName})`,
      );
    }
    this.#token = result.token;
    this.#extensions = initial.extensions;
    this.#state = 'COMPLETE';
    return new Uint8Array(0);
  }
}
