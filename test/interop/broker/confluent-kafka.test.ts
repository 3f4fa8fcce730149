import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confluentPython, PYTHON_SCRIPTS } from './confluent-python.ts';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * A newer librdkafka than Debian's 2.0.2: PyPI's confluent-kafka 2.16.1 (librdkafka 2.16.0), which
 * picks flexible versions the Debian build does not: seen through a logging proxy, Produce 10,
 * Fetch 16, ListOffsets 7, Metadata 13, OffsetCommit 9, OffsetFetch 9, DescribeGroups 5,
 * ListGroups 5, InitProducerId 4 (Debian's: Produce 7, Fetch 11, Metadata 4). The script
 * python/confluent-kafka-interop.py: admin, an idempotent zstd producer, a committed and an aborted
 * transaction, two read_committed group members (one static), commits with metadata, group admin.
 */
describe('confluent-kafka (PyPI, librdkafka 2.16) against trib serve', () => {
  let server: TribServe;
  let python: string;
  beforeAll(async () => {
    python = confluentPython();
    server = await startTribServe({ args: ['--group-initial-rebalance-delay-ms', '0'] });
  }, 600_000);
  afterAll(() => server?.dispose());

  it('should create and describe a topic, produce, run transactions and share the partitions in a group', () => {
    const out = run(python, [join(PYTHON_SCRIPTS, 'confluent-kafka-interop.py'), server.bootstrap], {
      timeoutMs: 100_000,
    });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
      partitions: number[];
      cleanup_policy: string;
      acked: [number, number][];
      seen: [number, number, string, string][];
      assigned: number[][];
      positions: [number, number][];
      group: { state: string; assignor: string; members: [string, string | null, number[]][] };
      committed: [number, number, string][];
      groups: string[];
    };
    expect(result.partitions).toEqual([0, 1, 2]);
    expect(result.cleanup_policy).toBe('delete');
    expect(result.acked).toEqual(Array.from({ length: 30 }, (_, i) => [i % 3, Math.floor(i / 3)]));
    // read_committed: the 30 records, then each partition's committed transactional record at offset
    // 10; the aborted ones (offset 12, after the commit marker) are not delivered.
    const expected: [number, number, string, string][] = [
      ...Array.from({ length: 30 }, (_, i): [number, number, string, string] => [
        i % 3,
        Math.floor(i / 3),
        `key-${i}`,
        `value-${i}`,
      ]),
      ...[0, 1, 2].map((p): [number, number, string, string] => [p, 10, '', `committed-${p}`]),
    ];
    expect(result.seen).toEqual(expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    expect(result.assigned.flat().sort()).toEqual([0, 1, 2]);
    expect(result.assigned.every((a) => a.length > 0)).toBe(true);
    expect(result.group.state).toBe('STABLE');
    expect(result.group.assignor).toBe('range');
    // The static member is described with its group.instance.id, the dynamic one with none.
    expect(result.group.members.map(([client, instance]) => [client, instance])).toEqual([
      ['ck-member-0', 'ck-static-0'],
      ['ck-member-1', null],
    ]);
    expect(result.group.members.flatMap(([, , partitions]) => partitions).sort()).toEqual([0, 1, 2]);
    // Each member committed its position (past the committed record: 11, or the partition's end, 14,
    // when its fetch had gone past the aborted records and the markers), and the metadata came back.
    for (const [, position] of result.positions) expect([11, 14]).toContain(position);
    expect(result.committed).toEqual(result.positions.map(([p, offset]) => [p, offset, `ck-${p}`]));
    expect(result.groups).toEqual(['ck-group']);
  });
});
