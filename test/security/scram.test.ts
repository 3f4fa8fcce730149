import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import {
  createScramCredential,
  decodeSaslName,
  encodeSaslName,
  formatScramCredential,
  parseScramCredential,
  SCRAM_MECHANISM_CODES,
  parseClientFirst,
  type ScramCredential,
  ScramServer,
  scramFormatter,
} from '../../src/security/scram.ts';

const require = createRequire(import.meta.url);

// RFC 7677 section 3: user "user", password "pencil", SCRAM-SHA-256.
const RFC7677 = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function rfc7677Server(
  cred = createScramCredential('SCRAM-SHA-256', 'pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64') }),
) {
  return new ScramServer({
    mechanism: 'SCRAM-SHA-256',
    credentials: (u) => (u === 'user' ? cred : undefined),
    serverNonce: () => RFC7677.serverNonce,
  });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<TributaryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TributaryError);
  expect((err as TributaryError).code).toBe(code);
  return err as TributaryError;
}

describe('SCRAM arithmetic (RFC test vectors)', () => {
  it('computes RFC 5802 section 5 (SHA-1) proof and server signature', () => {
    const f = scramFormatter('sha1');
    const salted = f.hi('pencil', Buffer.from('QSXCR+Q6sek8bf92', 'base64'), 4096);
    const authMessage =
      'n=user,r=fyko+d2lbbFgONRv9qkxdawL,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096,c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j';
    expect(f.clientProof(salted, authMessage).toString('base64')).toBe('v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    expect(f.serverSignature(f.serverKey(salted), authMessage).toString('base64')).toBe('rmF9pqV8S7suAoZWja4dJRkFsKQ=');
  });

  it('runs the RFC 7677 SCRAM-SHA-256 exchange byte for byte', async () => {
    const server = rfc7677Server();
    expect(await server.evaluate(RFC7677.clientFirst)).toBe(RFC7677.serverFirst);
    expect(server.isComplete).toBe(false);
    expect(await server.evaluate(Buffer.from(RFC7677.clientFinal))).toBe(RFC7677.serverFinal);
    expect(server.isComplete).toBe(true);
    expect(server.authorizationId).toBe('user');
  });
});

describe('credentials', () => {
  it('keeps salt, iterations and keys, never the password', () => {
    const cred = createScramCredential('SCRAM-SHA-512', 'secret-pw', { iterations: 8192 });
    expect(cred.iterations).toBe(8192);
    expect(cred.salt.length).toBe(32);
    expect(cred.storedKey.length).toBe(64);
    expect(cred.serverKey.length).toBe(64);
    expect(JSON.stringify(cred)).not.toContain('secret-pw');
    expect(Object.keys(cred).sort()).toEqual(['iterations', 'mechanism', 'salt', 'serverKey', 'storedKey']);
  });

  it('uses a fresh salt each time (ScramFormatterTest: same password, different credentials)', () => {
    const a = createScramCredential('SCRAM-SHA-256', 'pw');
    const b = createScramCredential('SCRAM-SHA-256', 'pw');
    expect(Buffer.from(a.salt).equals(Buffer.from(b.salt))).toBe(false);
    expect(Buffer.from(a.storedKey).equals(Buffer.from(b.storedKey))).toBe(false);
  });

  it('refuses iterations outside 4096..16384 and empty passwords', () => {
    for (const iterations of [4095, 16385, 0, 4096.5]) {
      expect(() => createScramCredential('SCRAM-SHA-256', 'pw', { iterations })).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST' }),
      );
    }
    expect(() => createScramCredential('SCRAM-SHA-256', '')).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
    expect(() => createScramCredential('SCRAM-SHA-1' as never, 'pw')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_SASL_MECHANISM' }),
    );
  });
});

describe('stored form (ScramCredentialUtils)', () => {
  it("round-trips a credential through Kafka's salt=,stored_key=,server_key=,iterations= form", async () => {
    const cred = createScramCredential('SCRAM-SHA-512', 'pw', { iterations: 5000 });
    const text = formatScramCredential(cred);
    expect(text).toMatch(
      /^salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=5000$/,
    );
    expect(text).not.toContain('pw,');
    const back = parseScramCredential('SCRAM-SHA-512', text);
    expect(back).toEqual({
      ...cred,
      salt: Buffer.from(cred.salt),
      storedKey: Buffer.from(cred.storedKey),
      serverKey: Buffer.from(cred.serverKey),
    });
    const s = new ScramServer({ mechanism: 'SCRAM-SHA-512', credentials: () => back });
    await kafkajsClient('SCRAM-SHA-512', 'u', 'pw', s).authenticate();
    expect(s.isComplete).toBe(true);
    expect(SCRAM_MECHANISM_CODES).toEqual({ 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 });
  });

  it('refuses a damaged stored form with CORRUPT_MESSAGE', () => {
    const text = formatScramCredential(createScramCredential('SCRAM-SHA-256', 'pw'));
    for (const bad of [
      '',
      text.replace('iterations=4096', 'iterations=x'),
      text.replace(/stored_key=[^,]+/, 'stored_key=AAAA'),
      text.replace(/,iterations=\d+/, ''),
      text.replace('iterations=4096', 'iterations=10'),
    ]) {
      expect(() => parseScramCredential('SCRAM-SHA-256', bad)).toThrow(
        expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
      );
    }
    expect(() => parseScramCredential('SCRAM-SHA-512', text)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});

describe('message parsing (ScramMessagesTest)', () => {
  it('encodes and decodes saslnames', () => {
    expect(encodeSaslName('a,b=c')).toBe('a=2Cb=3Dc');
    expect(decodeSaslName('a=2Cb=3Dc')).toBe('a,b=c');
    expect(() => decodeSaslName('a=2Db')).toThrow(expect.objectContaining({ code: 'SASL_AUTHENTICATION_FAILED' }));
  });

  it('round-trips awkward usernames through saslnames (ScramFormatterTest.saslName)', () => {
    for (const username of ['user1', '123', '1,2', 'user=A', 'user==B', 'user,1', 'user 1', ',', '=', ',=', '==']) {
      const saslName = encodeSaslName(username);
      expect(saslName).not.toContain(',');
      expect(saslName.replace(/=2C|=3D/g, '')).not.toContain('=');
      expect(decodeSaslName(saslName)).toBe(username);
    }
  });

  it('parses gs2 headers, authzid and extensions', () => {
    const m = parseClientFirst('n,a=alice,n=alice,r=abc,tokenauth=true,x=y');
    expect(m).toMatchObject({
      gs2Flag: 'n',
      authorizationId: 'alice',
      username: 'alice',
      nonce: 'abc',
      bare: 'n=alice,r=abc,tokenauth=true,x=y',
    });
    expect([...m.extensions]).toEqual([
      ['tokenauth', 'true'],
      ['x', 'y'],
    ]);
    expect(parseClientFirst('y,,n=u,r=n').gs2Flag).toBe('y');
  });

  it('refuses channel binding, the reserved m= and malformed messages', () => {
    for (const bad of [
      'p=tls-unique,,n=u,r=n',
      'n,,m=x,n=u,r=n',
      'n,,n=u',
      'n,,r=n,n=u',
      'x,,n=u,r=n',
      '',
      'n,,n=u,r=',
    ]) {
      expect(() => parseClientFirst(bad)).toThrow(expect.objectContaining({ code: 'SASL_AUTHENTICATION_FAILED' }));
    }
  });
});

describe('ScramServer (ScramSaslServerTest)', () => {
  it('refuses a wrong password, an unknown user with the same message', async () => {
    const wrong = rfc7677Server(
      createScramCredential('SCRAM-SHA-256', 'not-pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64') }),
    );
    await wrong.evaluate(RFC7677.clientFirst);
    const e1 = await expectCode(wrong.evaluate(RFC7677.clientFinal), 'SASL_AUTHENTICATION_FAILED');
    expect(e1.message).not.toContain('pencil');
    await expectCode(wrong.evaluate(RFC7677.clientFinal), 'ILLEGAL_SASL_STATE');

    const unknown = rfc7677Server();
    const e2 = await expectCode(unknown.evaluate('n,,n=mallory,r=abc'), 'SASL_AUTHENTICATION_FAILED');
    expect(e2.message).toBe('Authentication failed: Invalid user credentials');
  });

  it('accepts an authzid equal to the username and refuses another one', async () => {
    const cred = createScramCredential('SCRAM-SHA-256', 'pw');
    const ok = new ScramServer({ mechanism: 'SCRAM-SHA-256', credentials: () => cred });
    expect(await ok.evaluate('n,a=user,n=user,r=abc')).toMatch(/^r=abc/);
    const bad = new ScramServer({ mechanism: 'SCRAM-SHA-256', credentials: () => cred });
    const err = await expectCode(bad.evaluate('n,a=admin,n=user,r=abc'), 'SASL_AUTHENTICATION_FAILED');
    expect(err.message).toContain('authorization id');
  });

  it('refuses tokenauth unless delegation tokens are enabled, and uses the token owner when they are', async () => {
    const cred = createScramCredential('SCRAM-SHA-256', 'pw');
    const off = new ScramServer({ mechanism: 'SCRAM-SHA-256', credentials: () => cred });
    const err = await expectCode(off.evaluate('n,,n=token1,r=abc,tokenauth=true'), 'SASL_AUTHENTICATION_FAILED');
    expect(err.message).toContain('Token authentication not enabled');

    const tokenCred = createScramCredential('SCRAM-SHA-256', 'hmac-of-token', {
      salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
    });
    const on = new ScramServer({
      mechanism: 'SCRAM-SHA-256',
      credentials: () => undefined,
      tokens: (id) => (id === 'token1' ? { credential: tokenCred, owner: 'alice' } : undefined),
    });
    const f = scramFormatter('sha256');
    const serverFirst = await on.evaluate('n,,n=token1,r=abc,tokenauth=true');
    const withoutProof = `c=biws,r=${serverFirst.slice(2, serverFirst.indexOf(','))}`;
    const authMessage = `n=token1,r=abc,tokenauth=true,${serverFirst},${withoutProof}`;
    const salted = f.hi('hmac-of-token', tokenCred.salt, 4096);
    await on.evaluate(`${withoutProof},p=${f.clientProof(salted, authMessage).toString('base64')}`);
    expect(on.authorizationId).toBe('alice');
    expect(on.tokenAuthenticated).toBe(true);
  });

  it('refuses a credential of the other mechanism, a changed nonce and a changed channel binding', async () => {
    const sha512 = createScramCredential('SCRAM-SHA-512', 'pencil');
    await expectCode(
      new ScramServer({ mechanism: 'SCRAM-SHA-256', credentials: () => sha512 }).evaluate('n,,n=user,r=abc'),
      'SASL_AUTHENTICATION_FAILED',
    );

    const s1 = rfc7677Server();
    await s1.evaluate(RFC7677.clientFirst);
    await expectCode(s1.evaluate(RFC7677.clientFinal.replace('hNlF$k0', 'hNlF$k1')), 'SASL_AUTHENTICATION_FAILED');

    const s2 = rfc7677Server();
    await s2.evaluate(RFC7677.clientFirst);
    await expectCode(s2.evaluate(RFC7677.clientFinal.replace('c=biws', 'c=eSws')), 'SASL_AUTHENTICATION_FAILED');
    expect(() => s2.authorizationId).toThrow(expect.objectContaining({ code: 'ILLEGAL_SASL_STATE' }));
  });

  it('prefixes its nonce with the client nonce and refuses another nonce in client-final (validate(Failed)NonceExchange)', async () => {
    const cred = createScramCredential('SCRAM-SHA-512', 'pw');
    const s = new ScramServer({ mechanism: 'SCRAM-SHA-512', credentials: () => cred });
    const first = await s.evaluate('n,a=userA,n=userA,r=clientnonce123');
    expect(first).toMatch(/^r=clientnonce123[^,]{16,},s=[A-Za-z0-9+/=]+,i=4096$/);
    const err = await expectCode(s.evaluate('c=biws,r=someothernonce,p=dGVzdA=='), 'SASL_AUTHENTICATION_FAILED');
    expect(err.message).toBe('Invalid client nonce in the final client message.');
  });

  it('accepts a client-final nonce that ends with the server nonce, as Kafka does (librdkafka 2.0 repeats its own in front)', async () => {
    const salt = Buffer.from('salty-salt');
    const cred = createScramCredential('SCRAM-SHA-256', 'pw', { salt });
    const s = new ScramServer({ mechanism: 'SCRAM-SHA-256', credentials: () => cred });
    const serverFirst = await s.evaluate('n,,n=alice,r=cnonce');
    const nonce = /^r=([^,]+)/.exec(serverFirst)![1]!;
    const f = scramFormatter('sha256');
    const withoutProof = `c=biws,r=cnonce${nonce}`;
    const proof = f.clientProof(f.hi('pw', salt, 4096), `n=alice,r=cnonce,${serverFirst},${withoutProof}`);
    await s.evaluate(`${withoutProof},p=${proof.toString('base64')}`);
    expect(s.authorizationId).toBe('alice');
  });

  it('reports a failing credential store as could-not-verify', async () => {
    const s = new ScramServer({
      mechanism: 'SCRAM-SHA-256',
      credentials: () => Promise.reject(new Error('store down')),
    });
    const err = await expectCode(s.evaluate('n,,n=user,r=abc'), 'SASL_AUTHENTICATION_FAILED');
    expect(err.message).toBe('Authentication failed: credentials for user could not be verified');
  });

  it('refuses a message after completion', async () => {
    const s = rfc7677Server();
    await s.evaluate(RFC7677.clientFirst);
    await s.evaluate(RFC7677.clientFinal);
    await expectCode(s.evaluate(RFC7677.clientFinal), 'ILLEGAL_SASL_STATE');
    expect(s.isComplete).toBe(true);
  });
});

// kafkajs's own SCRAM client, driven against the server: its saslAuthenticate callback gets the
// encoded SaslAuthenticate payload (int32-length-prefixed bytes) and decodes our answer the same way.
const { SCRAM: KafkajsScram } = require('kafkajs/src/broker/saslAuthenticator/scram.js');

function kafkajsClient(
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
  username: string,
  password: string,
  server: ScramServer,
) {
  const digest =
    mechanism === 'SCRAM-SHA-256'
      ? { length: 32, type: 'sha256', minIterations: 4096 }
      : { length: 64, type: 'sha512', minIterations: 4096 };
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const saslAuthenticate = async ({
    request,
    response,
  }: {
    request: { encode(): Promise<Buffer> };
    response: { decode(b: Buffer): Promise<Buffer>; parse(b: Buffer): Promise<unknown> };
  }) => {
    const framed = await request.encode();
    const answer = Buffer.from(await server.evaluate(framed.subarray(4)), 'utf8');
    const len = Buffer.alloc(4);
    len.writeInt32BE(answer.length);
    return response.parse(await response.decode(Buffer.concat([len, answer])));
  };
  return new KafkajsScram({ username, password }, '127.0.0.1', 9092, logger, saslAuthenticate, digest) as {
    authenticate(): Promise<void>;
  };
}

describe('against kafkajs SCRAM client', () => {
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const users = new Map<string, ScramCredential>([
      ['alice', createScramCredential(mechanism, 'alice-secret')],
      ['bob,=x', createScramCredential(mechanism, 'pässwörd', { iterations: 8192 })],
    ]);
    const server = () => new ScramServer({ mechanism, credentials: (u) => users.get(u) });

    it(`${mechanism}: authenticates alice and a user whose name needs escaping`, async () => {
      const s1 = server();
      await kafkajsClient(mechanism, 'alice', 'alice-secret', s1).authenticate();
      expect(s1.authorizationId).toBe('alice');
      const s2 = server();
      await kafkajsClient(mechanism, 'bob,=x', 'pässwörd', s2).authenticate();
      expect(s2.authorizationId).toBe('bob,=x');
    });

    it(`${mechanism}: refuses a wrong password and an unknown user`, async () => {
      const s1 = server();
      await expect(kafkajsClient(mechanism, 'alice', 'wrong', s1).authenticate()).rejects.toThrow(
        /Invalid client credentials/,
      );
      expect(s1.isComplete).toBe(false);
      await expect(kafkajsClient(mechanism, 'nobody', 'x', server()).authenticate()).rejects.toThrow(
        /Invalid user credentials/,
      );
    });
  }
});
