/**
 * At-least-once delivery (the default): process a message, then commit it. A crash between the two
 * redelivers the message to whoever takes the partition over, so a handler must tolerate repeats.
 *
 * Run: npx tsx examples/kafkajs-port/delivery-at-least-once.ts
 */
import { pathToFileURL } from 'node:url';
import { Tributary } from '../../src/index.ts';

/** Consumes 5 messages with a crash after processing the third; returns every value processed. */
export async function atLeastOnce(tributary: Tributary, topic = 'payments'): Promise<string[]> {
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }] });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic, messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });

  const processed: string[] = [];
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
        processed.push(String(message.value)); // 1. process
        if (processed.length === crashAt) {
          done(); // the process dies here: processed, never committed
          return;
        }
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]); // 2. commit
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
  const tributary = new Tributary({ storage: 'memory', clientId: 'at-least-once' });
  console.log(await atLeastOnce(tributary)); // [ 'a', 'b', 'c', 'c', 'd', 'e' ]: 'c' twice, none lost
}
