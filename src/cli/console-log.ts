/**
 * The console's log calls over the wire, for `trib console -b HOST:PORT` (a remote `trib serve`,
 * Apache Kafka, Redpanda): topics and their configs through the admin calls (Metadata,
 * DescribeConfigs, CreateTopics, DeleteTopics, AlterConfigs), offsets through ListOffsets, records
 * through Fetch, all via the CLI's {@link CliReader}. Partition sizes are not known over the wire
 * (Kafka gives them through DescribeLogDirs); they show as 0.
 *
 * @example
 * const log = wireConsoleLog(tributary, reader);
 * const console = await startConsole({ log, tributary, port: 8080 });
 */
import { ConfigResourceTypes } from '../client/admin.ts';
import type { Tributary } from '../client/tributary.ts';
import type { ConsoleLog } from '../console/console-log.ts';
import { TributaryError } from '../errors.ts';
import type { TopicConfig } from '../log/config.ts';
import type { TopicDescription } from '../log/backend.ts';
import { WaitInterrupt } from '../log/wait-interrupt.ts';
import type { CliReader } from './cluster.ts';

export function wireConsoleLog(tributary: Tributary, reader: CliReader): ConsoleLog {
  const admin = tributary.admin();
  let connected: Promise<void> | undefined;
  const ready = () => {
    connected ??= admin.connect();
    return connected;
  };

  const configsOf = async (topic: string) => {
    await ready();
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    const configs: Record<string, string | null> = {};
    const overrides: Record<string, string | null> = {};
    for (const entry of resources[0]?.configEntries ?? []) {
      configs[entry.configName] = entry.configValue;
      if (!entry.isDefault) overrides[entry.configName] = entry.configValue;
    }
    return { configs, overrides };
  };

  const describeTopic = async (topic: string): Promise<TopicDescription> => {
    await reader.load(topic);
    const count = reader.partitionCount(topic);
    const { configs, overrides } = await configsOf(topic);
    return {
      name: topic,
      topicId: 0,
      partitions: Array.from({ length: count }, (_, partition) => {
        const o = reader.offsets(topic, partition);
        return { partition, logStartOffset: o.logStartOffset, highWatermark: o.highWatermark, sizeBytes: 0 };
      }),
      configs: configs as unknown as TopicConfig,
      overrides: overrides as unknown as Partial<TopicConfig>,
    };
  };

  return {
    listTopics: () => reader.listTopics(),
    describeTopic,
    offsets: (topic, partition) => reader.offsets(topic, partition),
    read: (topic, partition, offset, options) => reader.read(topic, partition, offset, options),
    offsetForTimestamp: (topic, partition, timestamp) => reader.offsetForTimestamp(topic, partition, timestamp),
    async waitForData(topic, partition, offset, signal) {
      // The reader waits on an AbortSignal; the console's tail interrupts with a WaitInterrupt.
      if (!(signal instanceof WaitInterrupt)) {
        return reader.waitForData(topic, partition, offset, signal ?? new AbortController().signal);
      }
      const controller = new AbortController();
      const listener = { interrupted: () => controller.abort() };
      signal.listen(listener);
      try {
        await reader.waitForData(topic, partition, offset, controller.signal);
      } finally {
        signal.unlisten(listener);
      }
    },
    async createTopic(spec) {
      await ready();
      const configEntries = Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value: String(value) }));
      const created = await admin.createTopics({
        topics: [{ topic: spec.topic, numPartitions: spec.numPartitions ?? 1, configEntries }],
      });
      if (!created) {
        throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${spec.topic}" already exists`, { topic: spec.topic });
      }
      return describeTopic(spec.topic);
    },
    async deleteTopic(topic) {
      await ready();
      await admin.deleteTopics({ topics: [topic] });
    },
    async alterConfigs(topic, changes) {
      // AlterConfigs replaces the topic's whole set of overrides: send the current ones changed.
      const { overrides } = await configsOf(topic);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete overrides[name];
        else overrides[name] = String(value);
      }
      await admin.alterConfigs({
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configEntries: Object.entries(overrides).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      return describeTopic(topic);
    },
  };
}
