import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../../src/log/index.ts';
import { confluentPython, PYTHON_SCRIPTS } from './confluent-python.ts';
import { startTribServe, type TribServe } from './trib-serve.ts';

const KILLS = 10;
const PARTITIONS = 3;
/** Acknowledgements to wait for between two kills: the producer is mid-stream when each one lands. */
const ACKS_PER_ROUND = 300;

/**
 * Issue 14's fault proof with a real client: `trib serve` is SIGKILLed 10 times while librdkafka
 * (PyPI's confluent-kafka) produces idempotently with acks=all, pipelining batches to three
 * partitions, and restarted on the same data directory each time. After the last restart every
 * record the client saw acknowledged is in the log at the offset it was told, and no record is
 * there twice: librdkafka resends what was in flight with its original sequence numbers, and the
 * broker's producer state, rebuilt from the log, answers the ones it already had as duplicates.
 */
describe('trib serve SIGKILLed 10 times under an idempotent acks=all librdkafka producer', () => {
  let server: TribServe;
  let python: string;
  beforeAll(async () => {
    python = confluentPython();
    server = await startTribServe({ args: ['--num-partitions', String(PARTITIONS)] });
  }, 600_000);
  afterAll(() => server?.dispose());

  it('should keep every acknowledged record at its offset, and none twice', async () => {
    const producer = spawn(python, [join(PYTHON_SCRIPTS, 'kill-loop-producer.py'), server.bootstrap, 'kills'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const acked = new Map<string, { partition: number; offset: number }>();
    const failed: string[] = [];
    const errors: string[] = [];
    let stderr = '';
    let pending = '';
    let summary = '';
    let produced = 0;
    let waiter: { count: number; resolve: () => void } | undefined;
    producer.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    producer.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, value, ...rest] = line.split(' ');
        if (kind === 'ack') {
          // A value acknowledged twice would be a duplicate delivery report: keep the first, count it.
          if (acked.has(value!)) failed.push(`${value} acknowledged twice`);
          else acked.set(value!, { partition: Number(rest[0]), offset: Number(rest[1]) });
        } else if (kind === 'err') failed.push(line);
        else if (kind === 'error') errors.push(line);
        else if (kind === 'produced') produced = Number(value);
        else if (kind === 'sent') summary = line;
      }
      if (waiter !== undefined && acked.size >= waiter.count) {
        waiter.resolve();
        waiter = undefined;
      }
    });
    const exited = new Promise<number | null>((resolve) => producer.once('exit', resolve));
    const ackedAtLeast = (count: number) =>
      new Promise<void>((resolve, reject) => {
        if (acked.size >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${acked.size} of ${count} acked:\n${stderr}`)), 60_000);
        waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });

    // Per kill: the values handed to librdkafka but not yet acknowledged when the broker died.
    const inFlightAtKill: string[][] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      await ackedAtLeast(acked.size + ACKS_PER_ROUND);
      await server.kill();
      const unacked: string[] = [];
      for (let n = 0; n < produced; n++) if (!acked.has(`v${n}`)) unacked.push(`v${n}`);
      inFlightAtKill.push(unacked);
      await server.restart();
    }
    await ackedAtLeast(acked.size + ACKS_PER_ROUND);
    producer.stdin.end('stop\n');
    expect(await exited).toBe(0);
    expect(await server.stop()).toBe(0);

    // The client's own view: everything it produced was acknowledged, nothing failed or was fatal.
    const sent = Number(/^sent (\d+) unreported 0$/.exec(summary)?.[1]);
    expect(summary).toMatch(/^sent \d+ unreported 0$/);
    expect(failed).toEqual([]);
    expect(errors.filter((e) => e.startsWith('error fatal'))).toEqual([]);
    expect(acked.size).toBe(sent);
    // Each kill cut the connection (librdkafka reported it), and the kills landed mid-stream: records
    // sent before a kill were acknowledged only after the restart, by the new broker process.
    expect(
      errors.filter((e) => e.includes('_TRANSPORT') || e.includes('_ALL_BROKERS_DOWN')).length,
    ).toBeGreaterThanOrEqual(KILLS);
    const carriedOver = inFlightAtKill.map((values) => values.filter((v) => acked.has(v)).length);
    expect(carriedOver.filter((n) => n > 0).length).toBeGreaterThanOrEqual(KILLS / 2);
    console.log(`kill loop: ${sent} records, acknowledged across each kill: ${carriedOver.join(' ')}`);

    // The log's view, read from the data directory after a clean stop.
    const log = await openLog({ dataDir: server.dataDir, maintenanceIntervalMs: 0 });
    const stored = new Map<string, { partition: number; offset: number }[]>();
    try {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        let offset = 0;
        for (;;) {
          const { records, nextOffset, highWatermark } = await log.read('kills', partition, offset);
          for (const r of records) {
            const value = Buffer.from(r.value!).toString();
            stored.set(value, [...(stored.get(value) ?? []), { partition, offset: r.offset }]);
          }
          if (nextOffset >= highWatermark) break;
          offset = nextOffset;
        }
      }
    } finally {
      await log.close();
    }
    const twice = [...stored].filter(([, places]) => places.length > 1);
    expect(twice).toEqual([]);
    const missing = [...acked].filter(([value, at]) => {
      const places = stored.get(value);
      return places === undefined || places[0]!.partition !== at.partition || places[0]!.offset !== at.offset;
    });
    expect(missing).toEqual([]);
    // Nothing but what was produced: the log holds exactly the acknowledged records.
    expect(stored.size).toBe(acked.size);
  }, 600_000);
});
