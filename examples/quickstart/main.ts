/**
 * Tributary's quickstart: a topic on the embedded log, a few keyed records, read back with their
 * partitions and offsets. No broker, no JVM: the log lives in this process, in LevelDB.
 *
 *   npm start
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPartition, openLog, Serdes } from 'tributary';

const dataDir = process.env.TRIBUTARY_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'tributary-quickstart-'));
const log = await openLog({ dataDir });
const strings = Serdes.String();
const topic = 'greetings';

try {
  if (!(await log.listTopics()).includes(topic)) {
    await log.createTopic({ topic, numPartitions: 3 });
  }
  const numPartitions = log.partitionCount(topic);
  console.log(`Topic "${topic}" with ${numPartitions} partitions, stored in ${dataDir}\n`);

  const messages: [string, string][] = [
    ['alice', 'hello'],
    ['bob', 'hi there'],
    ['carol', 'good morning'],
    ['alice', 'how are you?'],
    ['bob', 'fine, thanks'],
  ];
  for (const [key, value] of messages) {
    const keyBytes = strings.serialize(topic, key)!;
    // The Java client's default partitioner: the same key lands on the same partition as on Kafka.
    const partition = defaultPartition(keyBytes, numPartitions);
    const { baseOffset } = await log.append(
      topic,
      partition,
      [{ key: keyBytes, value: strings.serialize(topic, value) }],
      {
        sync: true,
      },
    );
    console.log(`produced  ${key.padEnd(6)} → partition ${partition} offset ${baseOffset}`);
  }

  console.log('\nRead back, partition by partition:');
  for (let partition = 0; partition < numPartitions; partition++) {
    const { logStartOffset } = log.offsets(topic, partition);
    const { records } = await log.read(topic, partition, logStartOffset);
    for (const r of records) {
      const key = strings.deserialize(topic, r.key);
      const value = strings.deserialize(topic, r.value);
      console.log(`partition ${partition} offset ${r.offset}  ${key}: ${value}`);
    }
  }
} finally {
  await log.close();
  if (process.env.TRIBUTARY_DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
}
