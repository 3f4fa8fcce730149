import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { TributaryError } from '../../src/errors.ts';
import {
  IllegalTokenError,
  OAuthBearerServer,
  parseOAuthBearerInitialResponse,
  parseUnsecuredJws,
  unsecuredJwtValidator,
} from '../../src/security/oauthbearer.ts';

const require = createRequire(import.meta.url);
const b64url = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const HEADER = `${b64url('{"alg":"none"}')}.`;
const token = (claimsJson: string, header = HEADER) => `${header}${b64url(claimsJson)}.`;
const SEP = String.fromCharCode(1);

describe('parseUnsecuredJws (OAuthBearerUnsecuredJwsTest)', () => {
  it('reads valid claims', () => {
    const compact = token('{"sub":"SUBJECT","iat":100.1,"exp":300.3}');
    const jws = parseUnsecuredJws(compact, 'sub', 'scope');
    expect(jws.header).toEqual({ alg: 'none' });
    expect(jws.claims.exp).toBe(300.3);
    expect(jws.claims.iat).toBe(100.1);
    expect(jws.principalName).toBe('SUBJECT');
    expect(jws.lifetimeMs).toBe(300300);
    expect(jws.startTimeMs).toBe(100100);
  });

  it('reads a valid compact serialization with a scope list', () => {
    const compact = token('{"sub":"foo","iat":100,"exp":3700,"scope":["scopeValue1","scopeValue2"]}');
    const jws = parseUnsecuredJws(compact);
    expect(Object.keys(jws.claims)).toHaveLength(4);
    expect(jws.principalName).toBe('foo');
    expect(jws.lifetimeMs).toBe(3700 * 1000);
    expect(jws.claims.scope).toEqual(['scopeValue1', 'scopeValue2']);
    expect(jws.scope).toEqual(new Set(['scopeValue1', 'scopeValue2']));
    expect(jws.splits).toEqual([compact.split('.')[0], compact.split('.')[1], '']);
  });

  it('takes a string scope as one element and ignores blank list elements', () => {
    expect(parseUnsecuredJws(token('{"sub":"a","exp":1,"scope":" read write "}')).scope).toEqual(
      new Set(['read write']),
    );
    expect(parseUnsecuredJws(token('{"sub":"a","exp":1,"scope":["x"," ",""]}')).scope).toEqual(new Set(['x']));
  });

  it('refuses a missing or blank principal, a missing exp, bad types', () => {
    for (const claims of [
      '{"iat":100,"scope":["a"]}',
      '{"sub":"   ","iat":100,"exp":3700}',
      '{"sub":"a","iat":100}',
      '{"sub":1,"exp":3700}',
      '{"sub":"a","exp":"3700"}',
      '{"sub":"a","exp":3700,"iat":"x"}',
      '{"sub":"a","exp":3700,"scope":5}',
    ]) {
      expect(() => parseUnsecuredJws(token(claims))).toThrow(IllegalTokenError);
    }
  });

  it('refuses a signed, non-none, malformed or wrongly split token', () => {
    const claims = b64url('{"sub":"a","exp":3700}');
    const bad = [
      `${b64url('{"alg":"HS256"}')}.${claims}.`,
      `${b64url('{}')}.${claims}.`,
      `${HEADER}${claims}.c2ln`,
      `${HEADER}${claims}`,
      `${HEADER}${claims}..`,
      `${HEADER}${claims}.x.`,
      `${HEADER}bm90IGpzb24.`,
      `${HEADER}${b64url('[1]')}.`,
      `${HEADER}${claims.slice(0, 4)}*${claims.slice(4)}.`,
    ];
    for (const t of bad) {
      const err = (() => {
        try {
          parseUnsecuredJws(t);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(IllegalTokenError);
      expect((err as TributaryError).code).toBe('SASL_AUTHENTICATION_FAILED');
    }
  });
});

describe('unsecuredJwtValidator (OAuthBearerUnsecuredValidatorCallbackHandlerTest)', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const nowSeconds = clock.now() / 1000;
  const exp = (lifetimeSeconds: number) => `"exp":${nowSeconds + lifetimeSeconds}`;
  const IAT = `"iat":${nowSeconds}`;
  const noScope = unsecuredJwtValidator({ clock, principalClaimName: 'principal', allowableClockSkewMs: 1 });

  it('accepts a valid token, with and without the optional iat', async () => {
    for (const withIat of [true, false]) {
      const r = await noScope(token(`{"principal":"username",${exp(3600)}${withIat ? `,${IAT}` : ''}}`));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.token.principalName).toBe('username');
    }
  });

  it('refuses a bad or missing principal as invalid_token', async () => {
    for (const claims of [`{${exp(3600)},"principal":1}`, `{${exp(3600)}}`]) {
      const r = await noScope(token(claims));
      expect(r).toMatchObject({ ok: false, failure: { status: 'invalid_token' } });
      if (!r.ok) expect(r.failure.scope).toBeUndefined();
    }
  });

  it('refuses a token whose exp is now (and honours the clock skew both ways)', async () => {
    expect(await noScope(token(`{"principal":"username",${IAT},${exp(0)}}`))).toMatchObject({
      ok: false,
      failure: { status: 'invalid_token' },
    });
    const own = new ManualClock(clock.now());
    const skewed = unsecuredJwtValidator({ clock: own, allowableClockSkewMs: 5000 });
    const t = token(`{"sub":"a",${exp(3)}}`);
    expect((await skewed(t)).ok).toBe(true);
    own.advance(7_999);
    expect((await skewed(t)).ok).toBe(true);
    own.advance(1);
    expect((await skewed(t)).ok).toBe(false);
  });

  it('refuses an iat in the future beyond the skew, and exp not after iat', async () => {
    const c = new ManualClock(1_000_000);
    const v = unsecuredJwtValidator({ clock: c, allowableClockSkewMs: 1000 });
    expect((await v(token('{"sub":"a","iat":1001,"exp":5000}'))).ok).toBe(true);
    expect(await v(token('{"sub":"a","iat":1001.001,"exp":5000}'))).toMatchObject({
      ok: false,
      failure: { status: 'invalid_token' },
    });
    expect(await v(token('{"sub":"a","iat":1000,"exp":1000}'))).toMatchObject({ ok: false });
    const strict = unsecuredJwtValidator({ clock: c, requireIssuedAt: true });
    expect(await strict(token('{"sub":"a","exp":5000}'))).toMatchObject({
      ok: false,
      failure: { reason: 'Required claim missing: iat' },
    });
  });

  it('checks the required scope, failing with insufficient_scope and the scope list', async () => {
    const claims = `{"sub":"username",${exp(3600)},"scope":"scope1"}`;
    expect((await unsecuredJwtValidator({ clock, requiredScope: 'scope1' })(token(claims))).ok).toBe(true);
    const r = await unsecuredJwtValidator({ clock, requiredScope: 'scope1 scope2' })(token(claims));
    expect(r).toEqual({
      ok: false,
      failure: expect.objectContaining({ status: 'insufficient_scope', scope: '[scope1, scope2]' }),
    });
  });

  it('refuses a negative clock skew', () => {
    expect(() => unsecuredJwtValidator({ allowableClockSkewMs: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});

describe('OAuthBearerServer', () => {
  const clock = new ManualClock(1_000_000);
  const good = token('{"sub":"alice","iat":1000,"exp":2000}');
  const server = () => new OAuthBearerServer({ validator: unsecuredJwtValidator({ clock }) });

  it('authenticates the message kafkajs sends, with extensions', async () => {
    const { request } = require('kafkajs/src/protocol/sasl/oauthBearer/index.js');
    const framed: Buffer = await (
      await request({}, { value: good, extensions: { traceId: '42', tenant: 'eu' } })
    ).encode();
    const s = server();
    expect((await s.evaluate(framed.subarray(4))).length).toBe(0);
    expect(s.isComplete).toBe(true);
    expect(s.authorizationId).toBe('alice');
    expect([...s.extensions]).toEqual([
      ['traceId', '42'],
      ['tenant', 'eu'],
    ]);
    expect(s.token?.lifetimeMs).toBe(2_000_000);
  });

  it('answers a refused token with the JSON error, then fails on the client 0x01', async () => {
    const s = server();
    const expired = token('{"sub":"alice","iat":10,"exp":20}');
    const answer = await s.evaluate(`n,,${SEP}auth=Bearer ${expired}${SEP}${SEP}`);
    expect(JSON.parse(Buffer.from(answer).toString('utf8'))).toEqual({ status: 'invalid_token' });
    expect(s.isComplete).toBe(false);
    const err = await s.evaluate(new Uint8Array([1])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SASL_AUTHENTICATION_FAILED' });
    expect((err as Error).message).not.toContain(expired);
    await expect(s.evaluate(new Uint8Array([1]))).rejects.toMatchObject({ code: 'ILLEGAL_SASL_STATE' });
  });

  it('refuses an authzid other than the principal, another scheme, and malformed messages', async () => {
    await expect(server().evaluate(`n,a=bob,${SEP}auth=Bearer ${good}${SEP}${SEP}`)).rejects.toMatchObject({
      code: 'SASL_AUTHENTICATION_FAILED',
    });
    const ok = server();
    await ok.evaluate(`n,a=alice,${SEP}auth=Bearer ${good}${SEP}${SEP}`);
    expect(ok.authorizationId).toBe('alice');
    for (const bad of [
      `n,,${SEP}auth=Basic ${good}${SEP}${SEP}`,
      `n,,${SEP}auth=Bearer ${good}${SEP}`,
      `y,,${SEP}auth=Bearer ${good}${SEP}${SEP}`,
      `n,,${SEP}${SEP}`,
      `n,,${SEP}k${SEP}auth=Bearer ${good}${SEP}${SEP}`,
    ]) {
      await expect(server().evaluate(bad)).rejects.toMatchObject({ code: 'SASL_AUTHENTICATION_FAILED' });
    }
    expect(parseOAuthBearerInitialResponse(`n,,${SEP}auth=Bearer abc.def.${SEP}${SEP}`)).toEqual({
      authorizationId: '',
      tokenValue: 'abc.def.',
      extensions: new Map(),
    });
  });

  it('takes a pluggable validator', async () => {
    const s = new OAuthBearerServer({
      validator: (value) =>
        value === 'opaque-123'
          ? {
              ok: true,
              token: { value, principalName: 'svc', scope: new Set(), lifetimeMs: 5, startTimeMs: undefined },
            }
          : { ok: false, failure: { status: 'invalid_token', reason: 'unknown' } },
    });
    await s.evaluate(`n,,${SEP}auth=Bearer opaque-123${SEP}${SEP}`);
    expect(s.authorizationId).toBe('svc');
  });
});
