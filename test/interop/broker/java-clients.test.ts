import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKafkaJars } from '../kafka/jars.ts';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * Apache Kafka's own Java clients (kafka-clients 4.x from Maven Central, Java 17) against
 * `trib serve`: java/TribJavaProducer.java (Admin createTopics/describeTopics, an idempotent
 * acks=all lz4 producer, a committed and an aborted transaction) and java/TribJavaConsumer.java (two
 * members of one classic group, one static, read_committed, commits with metadata, then the Admin
 * client's describeConsumerGroups and listConsumerGroupOffsets). javac compiles them once into a
 * cache folder named by their hash and Kafka's version. Seen through a logging proxy, the producer
 * side uses Produce 12, Metadata 13, CreateTopics 7, InitProducerId 5, AddPartitionsToTxn 3, EndTxn 4.
 */
const SOURCES = join(import.meta.dirname, 'java');
const CACHE = join(process.env.TRIB_INTEROP_CACHE ?? join(homedir(), '.cache', 'tributary-interop'), 'java');

function compile(libClasspath: string, version: string): string {
  const files = readdirSync(SOURCES)
    .filter((f) => f.endsWith('.java'))
    .sort();
  const hash = createHash('sha256').update(version);
  for (const f of files) hash.update(f).update(readFileSync(join(SOURCES, f)));
  const classes = join(CACHE, `classes-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(classes)) return classes;
  const staging = `${classes}.partial-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  run('javac', ['-Xlint:all', '-Werror', '-cp', libClasspath, '-d', staging, ...files.map((f) => join(SOURCES, f))], {
    timeoutMs: 180_000,
  });
  rmSync(classes, { recursive: true, force: true });
  renameSync(staging, classes);
  // Classes of earlier sources are not used again.
  for (const old of readdirSync(CACHE)) {
    if (old.startsWith('classes-') && join(CACHE, old) !== classes)
      rmSync(join(CACHE, old), { recursive: true, force: true });
  }
  return classes;
}

describe("Apache Kafka's Java clients against trib serve", () => {
  let server: TribServe;
  let classpath: string;
  const java = (main: string, args: string[]) =>
    JSON.parse(
      run('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', classpath, main, server.bootstrap, ...args], {
        timeoutMs: 120_000,
      })
        .trim()
        .split('\n')
        .at(-1)!,
    );

  beforeAll(async () => {
    const jars = ensureKafkaJars();
    classpath = `${compile(jars.classpath, jars.version)}:${jars.classpath}`;
    server = await startTribServe({ args: ['--group-initial-rebalance-delay-ms', '0'] });
  }, 900_000);
  afterAll(() => server?.dispose());

  it('should create a topic, produce idempotently, commit one transaction and abort another, and consume them in a group of two', () => {
    const produced = java('TribJavaProducer', ['java-topic', '2']) as { partitions: number; acked: number[][] };
    expect(produced.partitions).toBe(2);
    // Record i went to partition i % 2, at offset i / 2, in the order sent.
    expect(produced.acked).toEqual(Array.from({ length: 20 }, (_, i) => [i % 2, Math.floor(i / 2)]));

    // 20 plain records and the 5 committed ones; the aborted 5 and the markers stay hidden (read_committed).
    const consumed = java('TribJavaConsumer', ['java-topic', 'java-group', '25']) as {
      assigned: number[][];
      state: string;
      members: [string, string | null, number[]][];
      committed: [number, number, string][];
      seen: [number, number, string, string][];
    };
    const plain = Array.from({ length: 20 }, (_, i) => [i % 2, Math.floor(i / 2), `key-${i}`, `value-${i}`]);
    // Partition 0 got committed-0, -2, -4 after its 10 records, partition 1 committed-1, -3.
    const committedTx = [0, 1, 2, 3, 4].map((i) => [i % 2, 10 + Math.floor(i / 2), `tx-${i}`, `committed-${i}`]);
    const byPlace = (a: unknown[], b: unknown[]) =>
      (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number);
    expect([...consumed.seen].sort(byPlace)).toEqual([...plain, ...committedTx].sort(byPlace));
    expect([...consumed.assigned].sort()).toEqual([[0], [1]]);
    expect(consumed.state).toBe('Stable');
    // The static member is named by its group.instance.id; the other has none.
    expect(consumed.members.map(([client, instance]) => [client, instance])).toEqual([
      ['java-member-0', 'java-static-0'],
      ['java-member-1', null],
    ]);
    expect(consumed.members.flatMap(([, , partitions]) => partitions).sort()).toEqual([0, 1]);
    // Each member committed its position: the partition's end, past the aborted records and both markers.
    expect(consumed.committed.map(([p, , metadata]) => [p, metadata])).toEqual([
      [0, 'java-0'],
      [1, 'java-1'],
    ]);
    expect(consumed.committed.map(([, offset]) => offset)).toEqual([endOffset(0), endOffset(1)]);
  });

  /** The log end offset of java-topic's partition: 10 records, the committed transaction's records
   * and marker, the aborted transaction's records and marker. */
  function endOffset(partition: number): number {
    const inTx = partition === 0 ? 3 : 2;
    return 10 + inTx + 1 + inTx + 1;
  }
});
