/**
 * 1,000 wrong passwords over loopback from another process (half PLAIN, which makes the broker salt and hash each guess,
 * half SCRAM with made-up proofs, which costs the guesser nothing), 64 at a time, while an
 * authenticated client keeps asking for Metadata: its latency stays near what it was before, and
 * the broker's heap comes back to where it was (every failed connection is answered after the
 * delay, closed and forgotten).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { RawClient } from '../raw-client.ts';
import { nodeArgs } from '../../setup/node-args.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let log: EmbeddedLogBackend;
let broker: Broker;
const port = () => broker.address().port;

beforeAll(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'busy', numPartitions: 4 });
  broker = await serve({
    log,
    listeners: ['SASL_PLAINTEXT://127.0.0.1:0'],
    sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
    maxConnectionsPerIp: 100,
    logLevel: 0,
  });
  await (await broker.security()).upsertScram('alice', 'SCRAM-SHA-256', 'the-right-password');
});

afterAll(async () => {
  await broker.close();
  await log.close();
});

async function authenticated(): Promise<RawClient> {
  const client = await RawClient.connect(port());
  await client.request(API.SaslHandshake, 1, { mechanism: 'PLAIN' });
  const res = await client.request(API.SaslAuthenticate, 1, { authBytes: Buffer.from('\0alice\0the-right-password') });
  expect(res.errorCode).toBe(0);
  return client;
}

/** Runs the guesser in its own process; resolves with what it printed. */
function attack(guesses: number, concurrency: number): Promise<{ codes: Record<string, number>; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs(join(import.meta.dirname, 'attacker.ts')), String(port()), String(guesses), String(concurrency)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`attacker exited ${code}: ${err}`)),
    );
  });
}

async function latencies(client: RawClient, until: () => boolean): Promise<number[]> {
  const out: number[] = [];
  while (!until()) {
    const started = performance.now();
    await client.request(API.Metadata, 9, { topics: null, allowAutoTopicCreation: false });
    out.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

it('1,000 wrong passwords neither slow an authenticated client nor grow the heap', { timeout: 120_000 }, async () => {
  const client = await authenticated();
  // Warm up, then the baseline.
  let stop = false;
  setTimeout(() => (stop = true), 1000);
  const before = await latencies(client, () => stop);
  // A first round of guesses warms the code paths, so the heap is compared after both rounds.
  await attack(64, 64);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  let done = false;
  const during = latencies(client, () => done);
  const result = await attack(1000, 64);
  const attackMs = result.ms;
  done = true;
  const under = await during;
  client.close();

  // Every guess answered SASL_AUTHENTICATION_FAILED (58), none refused for another reason.
  expect(result.codes).toEqual({ 58: 1000 });
  await new Promise((r) => setTimeout(r, 200));
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const report = {
    attackMs: Math.round(attackMs),
    guessesPerSecond: Math.round(1000 / (attackMs / 1000)),
    metadataP50BeforeMs: +percentile(before, 0.5).toFixed(2),
    metadataP50DuringMs: +percentile(under, 0.5).toFixed(2),
    metadataP99DuringMs: +percentile(under, 0.99).toFixed(2),
    metadataRequestsDuring: under.length,
    heapGrowthMiB: +((heapAfter - heapBefore) / 2 ** 20).toFixed(2),
  };
  console.log(JSON.stringify(report));
  // Each connection gets one guess and waits the 100 ms delay: 64 at a time cannot go faster than 640/s.
  expect(report.guessesPerSecond).toBeLessThan(700);
  expect(under.length).toBeGreaterThan(10);
  expect(report.metadataP50DuringMs).toBeLessThan(Math.max(25, report.metadataP50BeforeMs * 10));
  expect(report.metadataP99DuringMs).toBeLessThan(500);
  expect(report.heapGrowthMiB).toBeLessThan(8);
});
