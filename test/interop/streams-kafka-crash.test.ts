/**
 * WordCount exactly-once over the wire against three KRaft Kafka brokers (topics of replication
 * factor 3): the Streams instance (a child process) is SIGKILLed at random while input is still
 * produced, and one Kafka broker (the leader of `text-lines` partition 0) is SIGKILLed after the
 * second kill and restarted after the fourth. The final counts in the output topic (read_committed)
 * and in the store equal a plain count of the input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tributary } from '../../src/index.ts';
import { runWireCrashScenario } from '../streams/wire-crash-scenario.ts';
import { type KafkaCluster, startKafka } from './kafka/cluster.ts';

let kafka: KafkaCluster;
let stateDir: string;

beforeAll(async () => {
  kafka = await startKafka({
    nodes: 3,
    // A killed broker is declared dead after its session times out: keep that short for the test.
    config: { 'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500, 'min.insync.replicas': 2 },
  });
  stateDir = mkdtempSync(join(tmpdir(), 'trib-kafka-streams-crash-'));
});
afterAll(async () => {
  await kafka?.stop();
  if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
});

describe('WordCount over the wire on a 3-broker Kafka cluster', () => {
  it('should count every word exactly once across instance SIGKILLs and a Kafka broker killed and restarted', async () => {
    let victim: number | undefined;
    const result = await runWireCrashScenario({
      brokers: kafka.bootstrap,
      stateDir,
      kills: 6,
      seed: 23,
      sessionTimeoutMs: 6000,
      replicationFactor: 3,
      betweenKills: async (k) => {
        if (k === 1) {
          const tributary = new Tributary({ brokers: kafka.bootstrap, logLevel: 0 });
          const admin = tributary.admin();
          await admin.connect();
          const meta = await admin.fetchTopicMetadata({ topics: ['text-lines'] });
          victim = meta.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
          await admin.disconnect();
          await tributary.close();
          await kafka.kill(victim);
        }
        if (k === 3 && victim !== undefined) await kafka.restart(victim);
      },
    });
    if (process.env.TRIBUTARY_REPORT)
      console.log('lines', result.lines, 'committed after each kill', result.progress, 'broker killed', victim);
    expect(victim).toBeDefined();
    expect(result.progress[0]).toBeGreaterThan(0);
    expect(result.progress.at(-1)).toBeGreaterThan(result.progress[0]!);
    expect(Object.fromEntries(result.topic)).toEqual(Object.fromEntries(result.expected));
    expect(Object.fromEntries(result.store)).toEqual(Object.fromEntries(result.expected));
  }, 600_000);
});
