import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LogEntry } from '../../../src/client/logger.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { RawClient } from '../raw-client.ts';

const dir = join(import.meta.dirname, 'tls');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

/** A self-made CA, a server certificate for localhost/127.0.0.1, and client certificates (100 years). */
export const tls = {
  dir,
  ca: read('ca-cert.pem'),
  serverCert: read('server-cert.pem'),
  serverKey: read('server-key.pem'),
  clientCert: read('client-cert.pem'),
  clientKey: read('client-key.pem'),
  /** Signed by another CA the broker does not trust. */
  rogueCert: read('rogue-client-cert.pem'),
  rogueKey: read('rogue-client-key.pem'),
  otherCa: read('other-ca-cert.pem'),
};

/** The principal of client-cert.pem as Kafka builds it from the subject. */
export const CLIENT_CERT_PRINCIPAL = 'User:CN=alice,O=Acme,C=US';

/** An unsecured JWT (`alg: none`), as Kafka's unsecured login module makes them. */
export function unsecuredJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none' })}.${b64(claims)}.`;
}

/** A logCreator that keeps every entry, to check what the broker logged. */
export function captureLogs(): {
  entries: { level: number; namespace: string; log: Record<string, unknown> }[];
  logCreator: () => (e: LogEntry) => void;
} {
  const entries: { level: number; namespace: string; log: Record<string, unknown> }[] = [];
  return {
    entries,
    logCreator: () => (e: LogEntry) => entries.push({ level: e.level, namespace: e.namespace, log: { ...e.log } }),
  };
}

/** A client authenticated as `user` (SASL/PLAIN; the test's verifier takes any user with password "pw"). */
export async function clientAs(port: number, user: string): Promise<RawClient> {
  const client = await RawClient.connect(port);
  const hs = await client.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
  expect(hs.errorCode).toBe(0);
  const auth = await client.request(API.SaslAuthenticate, 1, { authBytes: Buffer.from(`\0${user}\0pw`) });
  expect(auth.errorCode).toBe(0);
  return client;
}
