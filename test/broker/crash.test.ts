import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { startTribServe, type TribServe } from '../interop/broker/trib-serve.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/**
 * `trib serve` in a child process, killed with SIGKILL while an idempotent kafkajs producer sends
 * with acks=-1: every acknowledged record is there after the restart, and none twice.
 */
describe('trib serve killed during acks=-1 produce', () => {
  let server: TribServe;
  beforeAll(async () => {
    server = await startTribServe();
  }, 60_000);
  afterAll(() => server?.dispose());

  it('should keep every acknowledged record, once, across SIGKILLs', async () => {
    const kafka = new Kafka({
      brokers: [server.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: string[] = [];
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < 20; i++) {
        const value = `r${round}-${i}`;
        await producer.send({ topic: 'crash', acks: -1, messages: [{ key: value, value }] });
        acked.push(value);
      }
      // One send in flight when the broker dies; kafkajs retries it against the restarted broker.
      const inFlight = `r${round}-in-flight`;
      const sent = producer.send({ topic: 'crash', acks: -1, messages: [{ key: inFlight, value: inFlight }] });
      await server.kill();
      await server.restart();
      await sent.then(
        () => acked.push(inFlight),
        () => undefined,
      );
    }
    await producer.disconnect();
    expect(await server.stop()).toBe(0);
    const log = await openLog({ dataDir: server.dataDir, maintenanceIntervalMs: 0 });
    try {
      const values: string[] = [];
      let offset = 0;
      for (;;) {
        const { records, nextOffset, highWatermark } = await log.read('crash', 0, offset);
        for (const r of records) values.push(Buffer.from(r.value!).toString());
        if (nextOffset >= highWatermark) break;
        offset = nextOffset;
      }
      for (const value of acked) expect(values.filter((v) => v === value)).toEqual([value]);
      expect(new Set(values).size).toBe(values.length);
      expect(acked.length).toBeGreaterThanOrEqual(rounds * 20);
    } finally {
      await log.close();
    }
  }, 120_000);
});
