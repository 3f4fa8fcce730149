/**
 * A password guesser for the brute-force test, run as its own process (so its work does not share
 * the broker's event loop): `node --import tsx attacker.ts PORT GUESSES CONCURRENCY`. Half the
 * guesses are PLAIN, half SCRAM-SHA-256 with made-up proofs; each on a new connection, waiting
 * for the broker's answer and close. Prints `{"codes": {...}, "ms": n}`.
 */
import { API } from '../../../src/protocol/messages/index.ts';
import { RawClient } from '../raw-client.ts';

const [port, total, concurrency] = process.argv.slice(2).map(Number) as [number, number, number];

async function guess(i: number): Promise<number> {
  const client = await RawClient.connect(port);
  try {
    if (i % 2 === 0) {
      await client.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
      const res = await client.request(API.SaslAuthenticate, 1, { authBytes: Buffer.from(`\0alice\0guess-${i}`) });
      await client.closed;
      return res.errorCode;
    }
    await client.request(API.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' });
    const first = await client.request(API.SaslAuthenticate, 1, { authBytes: Buffer.from(`n,,n=alice,r=nonce${i}`) });
    const nonce = /r=([^,]+)/.exec(Buffer.from(first.authBytes).toString())![1];
    const proof = Buffer.alloc(32, i % 256).toString('base64');
    const res = await client.request(API.SaslAuthenticate, 1, {
      authBytes: Buffer.from(`c=biws,r=${nonce},p=${proof}`),
    });
    await client.closed;
    return res.errorCode;
  } finally {
    client.close();
  }
}

const started = performance.now();
const codes: Record<number, number> = {};
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const code = await guess(next++).catch(() => -999);
      codes[code] = (codes[code] ?? 0) + 1;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ codes, ms: Math.round(performance.now() - started) })}\n`);
