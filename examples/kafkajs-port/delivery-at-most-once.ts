/**
 * At-most-once delivery: commit a message, then process it. A crash between the two loses the
 * message (the next owner of the partition starts after it), but nothing is ever processed twice.
 *
 * Run: npx tsx examples/kafkajs-port/delivery-at-most-once.ts
 */
import { pathToFileURL } from 'node:url';
import { Tributary } from '../../src/index.ts';

/** Consumes 5 messages with a crash after committing the third; returns every value processed. */
export async function atMostOnce(tributary: Tributary, topic = 'metrics'): Promise<string[]> {
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }] });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });

  const processed: string[] = [];
  let seen = 0;
  const consume = async (crashAt: number | undefined) => {
    const consumer = tributary.consumer({ groupId: `${topic}-workers` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]); // 1. commit
        seen++;
        if (seen === crashAt) {
          done(); // the process dies here: committed, never processed
          return;
        }
        processed.push(String(message.value)); // 2. process
        if (message.offset === '4') done();
      },
    });
    await finished;
    await consumer.disconnect();
  };
  await consume(3);
  await consume(undefined);
  await producer.disconnect();
  await admin.disconnect();
  return processed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const tributary = new Tributary({ storage: 'memory', clientId: 'at-most-once' });
  console.log(await atMostOnce(tributary)); // [ 'a', 'b', 'd', 'e' ]: 'c' lost, none twice
}
