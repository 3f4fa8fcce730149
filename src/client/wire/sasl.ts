/**
 * SASL for the wire client, with kafkajs's options (`sasl: { mechanism, username, password }`):
 * PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802: the server's signature is checked, so a
 * broker that does not know the password cannot pass for one that does) and OAUTHBEARER (a token
 * from `oauthBearerProvider`). Each new connection runs it before any other request:
 *
 * ```
 * SaslHandshake v1 (mechanism) → SaslAuthenticate v1 … until the mechanism is done
 * ```
 *
 * A refusal is `SASL_AUTHENTICATION_FAILED` (not retriable: the same password fails again) with the
 * broker's message; a mechanism the broker does not enable is `UNSUPPORTED_SASL_MECHANISM` naming
 * those it does. Passwords and tokens never reach an error or a log line.
 *
 * @example
 * new Tributary({ brokers: ['localhost:9093'], ssl: { ca: [caPem] },
 *   sasl: { mechanism: 'scram-sha-512', username: 'alice', password: process.env.PW! } });
 */
import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import { decodeResponse, encodeRequest } from '../../protocol/wire/header.ts';
import { encodeSaslName, scramFormatter } from '../../security/scram.ts';
import type { SASLOptions } from '../tributary.ts';
import type { WireRequest } from './connection.ts';

/** Sends one request on the connection being authenticated. */
export type AuthenticateSender = <Res>(request: WireRequest<Res>) => Promise<Res>;

/** What a connection runs after connecting and before anything else. */
export type Authenticate = (send: AuthenticateSender, broker: string) => Promise<void>;

const SCRAM_MIN_ITERATIONS = 4096;

function failed(broker: string, message: string): TributaryError {
  return new TributaryError('SASL_AUTHENTICATION_FAILED', `SASL authentication with ${broker} failed: ${message}`, {
    retriable: false,
    broker,
  });
}

/**
 * The authenticate step for kafkajs-style SASL options; throws `INVALID_CLIENT_CONFIG` for options
 * it cannot use (an unknown or unsupported mechanism, a missing username or provider).
 */
export function saslAuthenticator(sasl: SASLOptions, clientId: string): Authenticate {
  const mechanism = String(sasl?.mechanism ?? '').toLowerCase();
  const invalid = (message: string) => new TributaryError('INVALID_CLIENT_CONFIG', message);
  let steps: (broker: string) => Mechanism;
  if (mechanism === 'plain' || mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') {
    const { username, password } = sasl as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string') {
      throw invalid(`sasl ${mechanism} needs a username and a password (strings)`);
    }
    steps = mechanism === 'plain' ? () => plain(username, password) : (b) => scram(mechanism, username, password, b);
  } else if (mechanism === 'oauthbearer') {
    const provider = (sasl as { oauthBearerProvider?: unknown }).oauthBearerProvider;
    if (typeof provider !== 'function') throw invalid('sasl oauthbearer needs an oauthBearerProvider function');
    steps = (b) => oauthBearer(provider as () => Promise<{ value: string }>, b);
  } else {
    throw invalid(
      `sasl mechanism ${JSON.stringify(sasl?.mechanism)} is not supported by the wire client (plain, scram-sha-256, scram-sha-512, oauthbearer)`,
    );
  }
  const kafkaName = mechanism.toUpperCase();
  return async (send, broker) => {
    const handshake = await send(request(API.SaslHandshake, 1, clientId, { mechanism: kafkaName }));
    if (handshake.errorCode === 33) {
      throw new TributaryError(
        'UNSUPPORTED_SASL_MECHANISM',
        `${broker} does not enable SASL ${kafkaName}; it enables ${handshake.mechanisms.join(', ') || 'none'}`,
        { retriable: false, broker, mechanisms: handshake.mechanisms },
      );
    }
    if (handshake.errorCode !== 0) throw failed(broker, `SaslHandshake error code ${handshake.errorCode}`);
    const mech = steps(broker);
    let token: Buffer | undefined = await mech.first();
    while (token !== undefined) {
      const res = await send(request(API.SaslAuthenticate, 1, clientId, { authBytes: token }));
      if (res.errorCode !== 0) throw failed(broker, res.errorMessage ?? `error code ${res.errorCode}`);
      token = await mech.next(Buffer.from(res.authBytes));
    }
  };
}

/** One mechanism's client side: the first token, then each next one from the server's answer (undefined: done). */
interface Mechanism {
  first(): Promise<Buffer>;
  next(server: Buffer): Promise<Buffer | undefined>;
}

function request<Req, Res>(
  api: import('../../protocol/messages/index.ts').ApiMessage<Req, Res>,
  version: number,
  clientId: string,
  body: Req,
): WireRequest<Res> {
  return {
    apiKey: api.apiKey,
    apiName: api.name,
    apiVersion: version,
    expectResponse: true,
    encode: (correlationId) => encodeRequest(api, version, correlationId, clientId, body),
    decode: (frame) => decodeResponse(api, version, frame).body,
  };
}

function plain(username: string, password: string): Mechanism {
  return {
    first: async () => Buffer.from(`\0${username}\0${password}`, 'utf8'),
    next: async () => undefined,
  };
}

function oauthBearer(provider: () => Promise<{ value: string }>, broker: string): Mechanism {
  let errorSent = false;
  return {
    async first() {
      const token = await provider();
      if (typeof token?.value !== 'string' || token.value === '')
        throw failed(broker, 'the oauthBearerProvider gave no token');
      return Buffer.from(`n,,\x01auth=Bearer ${token.value}\x01\x01`, 'utf8');
    },
    async next(server) {
      if (server.length === 0) return undefined;
      if (errorSent) throw failed(broker, 'unexpected OAUTHBEARER message');
      // RFC 7628: the server's error comes as a challenge, answered with 0x01; the broker then fails the exchange.
      errorSent = true;
      return Buffer.from([1]);
    },
  };
}

const pbkdf2Async = (password: string, salt: Buffer, iterations: number, size: number, hash: string) =>
  new Promise<Buffer>((resolve, reject) =>
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, size, hash, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );

function scram(
  mechanism: 'scram-sha-256' | 'scram-sha-512',
  username: string,
  password: string,
  broker: string,
): Mechanism {
  const hash = mechanism === 'scram-sha-256' ? 'sha256' : 'sha512';
  const f = scramFormatter(hash);
  const nonce = randomBytes(24).toString('base64');
  const clientFirstBare = `n=${encodeSaslName(username)},r=${nonce}`;
  let state: 'first' | 'final' | 'done' = 'first';
  let expectedSignature: Buffer | undefined;
  return {
    first: async () => Buffer.from(`n,,${clientFirstBare}`, 'utf8'),
    async next(server) {
      const text = server.toString('utf8');
      const fields = new Map(
        text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
      );
      if (fields.has('e')) throw failed(broker, fields.get('e')!);
      if (state === 'first') {
        const serverNonce = fields.get('r') ?? '';
        const salt = Buffer.from(fields.get('s') ?? '', 'base64');
        const iterations = Number(fields.get('i'));
        if (!serverNonce.startsWith(nonce) || serverNonce === nonce)
          throw failed(broker, 'the server nonce does not extend ours');
        if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS)
          throw failed(broker, `the server asks for ${fields.get('i')} iterations (at least ${SCRAM_MIN_ITERATIONS})`);
        if (salt.length === 0) throw failed(broker, 'the server sent no salt');
        const salted = await pbkdf2Async(password, salt, iterations, hash === 'sha256' ? 32 : 64, hash);
        const withoutProof = `c=biws,r=${serverNonce}`;
        const authMessage = `${clientFirstBare},${text},${withoutProof}`;
        const proof = f.clientProof(salted, authMessage).toString('base64');
        expectedSignature = f.serverSignature(f.serverKey(salted), authMessage);
        state = 'final';
        return Buffer.from(`${withoutProof},p=${proof}`, 'utf8');
      }
      if (state === 'final') {
        const signature = Buffer.from(fields.get('v') ?? '', 'base64');
        if (signature.length !== expectedSignature!.length || !timingSafeEqual(signature, expectedSignature!)) {
          throw failed(broker, 'the server signature does not match (the broker does not know this password)');
        }
        state = 'done';
        return undefined;
      }
      throw failed(broker, 'unexpected SCRAM message');
    },
  };
}
