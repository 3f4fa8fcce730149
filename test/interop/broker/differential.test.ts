import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaCluster, startKafka } from '../kafka/cluster.ts';
import { confluentPython, PYTHON_SCRIPTS } from './confluent-python.ts';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * Differential: one scenario (python/differential.py: produce 40 keyed records, consume half of each
 * partition in a group and commit, a new member of the group resumes from the commits to the end and
 * commits) run with the same client, PyPI's confluent-kafka (librdkafka 2.16), against `trib serve`,
 * against Apache Kafka 4.x itself (one KRaft node from Maven Central's jars, started here) and against
 * librdkafka's mock cluster. All three must give the same records, partitions, offsets, assignments,
 * committed offsets (with their metadata) and watermarks. Each broker auto-creates the topic with 4
 * partitions, the mock cluster's default.
 */
describe('the same group scenario against trib serve, Apache Kafka and the librdkafka mock cluster', () => {
  let python: string;
  let kafka: KafkaCluster;
  let server: TribServe;
  beforeAll(async () => {
    python = confluentPython();
    [kafka, server] = await Promise.all([
      startKafka({ config: { 'num.partitions': 4 } }),
      startTribServe({ args: ['--num-partitions', '4', '--group-initial-rebalance-delay-ms', '0'] }),
    ]);
  }, 900_000);
  afterAll(async () => {
    await server?.dispose();
    await kafka?.stop();
  });

  const scenario = (target: string) =>
    JSON.parse(
      run(python, [join(PYTHON_SCRIPTS, 'differential.py'), target], { timeoutMs: 150_000 })
        .trim()
        .split('\n')
        .at(-1)!,
    ) as {
      produced: [string, string, number, number][];
      partitions: number[];
      a_consumed: [number, number, string, string][];
      committed_by_a: [number, number, string][];
      b_consumed: [number, number, string, string][];
      b_first_offsets: (number | null)[];
      committed_by_b: [number, number][];
      watermarks: [number, number][];
    };

  it('should give the same records, partitions, offsets and committed offsets on all three', () => {
    const onKafka = scenario(kafka.bootstrap[0]!);
    const onTributary = scenario(server.bootstrap);
    const onMock = scenario('mock');

    // The scenario itself did what it says (on Kafka, the reference).
    expect(onKafka.partitions).toEqual([0, 1, 2, 3]);
    expect(onKafka.produced).toHaveLength(40);
    expect(onKafka.a_consumed.length + onKafka.b_consumed.length).toBe(40);
    expect(onKafka.b_first_offsets).toEqual(onKafka.committed_by_a.map(([, offset]) => offset));
    expect(onKafka.committed_by_b).toEqual(onKafka.watermarks.map(([, high], p) => [p, high]));

    expect(onTributary).toEqual(onKafka);
    expect(onMock).toEqual(onKafka);
  });
});
