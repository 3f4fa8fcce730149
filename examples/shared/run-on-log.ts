/**
 * Runs a topology on a fresh embedded log for the examples: creates the topics, writes the input
 * records where Kafka's default partitioner puts them, runs the app until it is idle, and reads
 * the output topics back, in offset order per partition.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPartition, KafkaStreams, openLog, type Serde, type StreamsConfig, type Topology } from 'tributary';

export interface Input<K, V> {
  topic: string;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
}

/** A record to send, in the order given (out-of-order timestamps stay out of order). */
export interface Send {
  topic: string;
  key: unknown;
  value: unknown;
  timestamp: number;
}

export interface Output<K, V> {
  topic: string;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
}

export interface OutputRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
}

export async function runOnLog(
  applicationId: string,
  topology: Topology,
  partitions: number,
  inputs: Input<unknown, unknown>[],
  sends: Send[],
  outputs: Output<unknown, unknown>[],
  config: Partial<StreamsConfig> = {},
): Promise<Map<string, OutputRecord<unknown, unknown>[]>> {
  const dataDir = mkdtempSync(join(tmpdir(), `tributary-${applicationId}-`));
  const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
  try {
    for (const t of [...inputs, ...outputs]) await log.createTopic({ topic: t.topic, numPartitions: partitions });
    const streams = new KafkaStreams(topology, { applicationId, log, commitIntervalMs: 20, ...config });
    await streams.start();
    // Records go in one at a time, in order, as a producer would send them.
    for (const r of sends) {
      const input = inputs.find((i) => i.topic === r.topic);
      if (input === undefined) throw new Error(`no input topic ${r.topic}`);
      const key = r.key === null ? null : input.keySerde.serialize(input.topic, r.key);
      const partition = key === null ? 0 : defaultPartition(key, partitions);
      const value = r.value === null ? null : input.valueSerde.serialize(input.topic, r.value);
      await log.append(input.topic, partition, [{ key, value, timestamp: r.timestamp }]);
      await streams.waitForIdle();
    }
    await streams.close();
    const result = new Map<string, OutputRecord<unknown, unknown>[]>();
    for (const out of outputs) {
      const records: OutputRecord<unknown, unknown>[] = [];
      for (let p = 0; p < partitions; p++) {
        let offset = 0;
        const end = log.offsets(out.topic, p).highWatermark;
        while (offset < end) {
          const read = await log.read(out.topic, p, offset, { maxBytes: 1 << 20 });
          for (const r of read.records) {
            records.push({
              key: r.key === null ? null : out.keySerde.deserialize(out.topic, r.key),
              value: r.value === null ? null : out.valueSerde.deserialize(out.topic, r.value),
              timestamp: r.timestamp,
            });
          }
          offset = read.nextOffset;
        }
      }
      result.set(out.topic, records);
    }
    return result;
  } finally {
    await log.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
