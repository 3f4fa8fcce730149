/**
 * DescribeLogDirs (key 35): this broker's one log directory and the bytes each partition's stored
 * batches take in it, as `kafka-log-dirs.sh --describe` and the topic sizes of Kafka UIs read them.
 * A null topic list means every topic; a topic or partition that does not exist is left out, as
 * Kafka leaves out what its log directories do not hold. One replica per partition, so no offset
 * lag and no future logs. Version 4's volume sizes come from the file system holding the data
 * directory (-1 for a log in memory).
 * CLUSTER DESCRIBE is checked by its guard (security/guards.ts).
 */
import { statfs } from 'node:fs/promises';
import type { DescribeLogDirsResponse } from '../../protocol/messages/describe-log-dirs.ts';
import { API } from '../../protocol/messages/index.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';
import { isHiddenTopic } from '../security/authorize.ts';
import { describe } from '../topics.ts';

type LogDirTopic = DescribeLogDirsResponse['results'][number]['topics'][number];

/** What the directory is called in the answer when the log has none on disk. */
const IN_MEMORY = '(memory)';

export const describeLogDirsHandler = handler(API.DescribeLogDirs, async (broker, req) => {
  const wanted =
    req.topics === null
      ? (await broker.log.listTopics()).map((topic) => ({ topic, partitions: undefined }))
      : req.topics.map((t) => ({ topic: t.topic, partitions: new Set(t.partitions) }));
  const topics: LogDirTopic[] = [];
  const seen = new Set<string>();
  for (const { topic, partitions } of wanted) {
    if (seen.has(topic) || isHiddenTopic(topic)) continue;
    seen.add(topic);
    const description = await describe(broker, topic);
    if (description === undefined) continue;
    const sizes = description.partitions
      .filter((p) => partitions === undefined || partitions.has(p.partition))
      .map((p) => ({ partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: 0, isFutureKey: false }));
    if (sizes.length > 0) topics.push({ name: topic, partitions: sizes });
  }
  const dir = logDirOf(broker);
  const volume = dir === undefined ? undefined : await statfs(dir).catch(() => undefined);
  return {
    throttleTimeMs: 0,
    errorCode: KafkaCode.NONE,
    results: [
      {
        errorCode: KafkaCode.NONE,
        logDir: dir ?? IN_MEMORY,
        topics,
        totalBytes: volume === undefined ? -1 : volume.blocks * volume.bsize,
        usableBytes: volume === undefined ? -1 : volume.bavail * volume.bsize,
      },
    ],
  };
});

/** The log's data directory, when it has one on disk. */
function logDirOf(broker: BrokerContext): string | undefined {
  const dir = (broker.log as { dataDir?: unknown }).dataDir;
  return typeof dir === 'string' ? dir : undefined;
}
