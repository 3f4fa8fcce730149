import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { PlainServer, parsePlainMessage, staticPlainVerifier, verifyScramPassword } from '../../src/security/plain.ts';
import { createScramCredential } from '../../src/security/scram.ts';

const require = createRequire(import.meta.url);
const USER_A = 'userA';
const PASSWORD_A = 'passwordA';
const USER_B = 'userB';
const message = (authzid: string, user: string, password: string) =>
  Buffer.from(`${authzid}\0${user}\0${password}`, 'utf8');
const server = () => new PlainServer({ verify: staticPlainVerifier({ [USER_A]: PASSWORD_A, [USER_B]: 'passwordB' }) });

async function failure(p: Promise<unknown>): Promise<TributaryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TributaryError);
  return err as TributaryError;
}

describe('PlainServer (PlainSaslServerTest)', () => {
  it('accepts no authorization id', async () => {
    const s = server();
    expect((await s.evaluate(message('', USER_A, PASSWORD_A))).length).toBe(0);
    expect(s.isComplete).toBe(true);
    expect(s.authorizationId).toBe(USER_A);
  });

  it('accepts an authorization id equal to the username', async () => {
    const s = server();
    expect((await s.evaluate(message(USER_A, USER_A, PASSWORD_A))).length).toBe(0);
  });

  it('refuses an authorization id different from the username', async () => {
    const err = await failure(server().evaluate(message(USER_B, USER_A, PASSWORD_A)));
    expect(err.code).toBe('SASL_AUTHENTICATION_FAILED');
    expect(err.message).toBe(
      'Authentication failed: Client requested an authorization id that is different from username',
    );
  });

  it('refuses empty tokens and the wrong number of tokens with Kafka messages', async () => {
    const cases: [string, string][] = [
      ['\0\0', 'Authentication failed: username not specified'],
      ['\0\0p', 'Authentication failed: username not specified'],
      ['\0u\0', 'Authentication failed: password not specified'],
      ['a\0\0', 'Authentication failed: username not specified'],
      ['a\0\0p', 'Authentication failed: username not specified'],
      ['a\0u\0', 'Authentication failed: password not specified'],
      ['a\0u\0p\0', 'Invalid SASL/PLAIN response: expected 3 tokens, got 4'],
      ['\0u', 'Invalid SASL/PLAIN response: expected 3 tokens, got 2'],
    ];
    for (const [text, expected] of cases) {
      const err = await failure(server().evaluate(Buffer.from(text)));
      expect(err.code).toBe('SASL_AUTHENTICATION_FAILED');
      expect(err.message).toBe(expected);
    }
  });

  it('refuses a wrong password and an unknown user alike, without echoing the password', async () => {
    const e1 = await failure(server().evaluate(message('', USER_A, 'hunter2')));
    const e2 = await failure(server().evaluate(message('', 'nobody', 'hunter2')));
    expect(e1.message).toBe('Authentication failed: Invalid username or password');
    expect(e2.message).toBe(e1.message);
    expect(e1.message).not.toContain('hunter2');
  });

  it('reports a verifier that throws as could-not-verify, and refuses a second message', async () => {
    const s = new PlainServer({
      verify: () => {
        throw new Error('store down');
      },
    });
    const err = await failure(s.evaluate(message('', USER_A, PASSWORD_A)));
    expect(err.message).toBe('Authentication failed: credentials for user could not be verified');
    expect((await failure(s.evaluate(message('', USER_A, PASSWORD_A)))).code).toBe('ILLEGAL_SASL_STATE');
    const ok = server();
    await ok.evaluate(message('', USER_A, PASSWORD_A));
    expect((await failure(ok.evaluate(message('', USER_A, PASSWORD_A)))).code).toBe('ILLEGAL_SASL_STATE');
  });

  it("authenticates the message kafkajs's PLAIN request encodes", async () => {
    const plainRequest = require('kafkajs/src/protocol/sasl/plain/request.js');
    const framed: Buffer = await plainRequest({ username: USER_A, password: PASSWORD_A }).encode();
    const s = server();
    await s.evaluate(framed.subarray(4));
    expect(s.authorizationId).toBe(USER_A);
    const wrong: Buffer = await plainRequest({ username: USER_A, password: 'nope' }).encode();
    expect((await failure(server().evaluate(wrong.subarray(4)))).code).toBe('SASL_AUTHENTICATION_FAILED');
  });

  it('parses UTF-8 tokens', () => {
    expect(parsePlainMessage(message('', 'jürgen', 'pässwörd'))).toEqual({
      authorizationId: '',
      username: 'jürgen',
      password: 'pässwörd',
    });
  });

  it('verifies a password against a SCRAM credential', async () => {
    const cred = createScramCredential('SCRAM-SHA-512', 'alice-secret');
    expect(verifyScramPassword(cred, 'alice-secret')).toBe(true);
    expect(verifyScramPassword(cred, 'alice-secreT')).toBe(false);
    const s = new PlainServer({ verify: (u, p) => u === 'alice' && verifyScramPassword(cred, p) });
    await s.evaluate(message('', 'alice', 'alice-secret'));
    expect(s.authorizationId).toBe('alice');
  });
});
