/**
 * kafkajs-style consumer program: reads the example topic from the beginning in a group, counts
 * messages per key, and (when EXPECT is set) disconnects once it has seen that many; without EXPECT
 * it runs until SIGINT/SIGTERM as a kafkajs service does.
 * `BROKER=host:port EXPECT=30 npx tsx examples/kafkajs-port/broker/consumer.ts`
 */
import { logLevel, Tributary } from 'tributary';

const topic = process.env.TOPIC ?? 'example-events';
const expect = process.env.EXPECT === undefined ? Number.POSITIVE_INFINITY : Number(process.env.EXPECT);
const kafka = new Tributary({ clientId: 'example-consumer', brokers: [process.env.BROKER ?? 'localhost:9092'], logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: process.env.GROUP ?? 'example-group' });

const perKey: Record<string, number> = {};
let seen = 0;

const finish = async () => {
  await consumer.disconnect();
  console.log(`consumed ${seen} ${JSON.stringify(perKey)}`);
};

const run = async () => {
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = String(message.key);
      perKey[key] = (perKey[key] ?? 0) + 1;
      seen++;
      if (seen === expect) setImmediate(() => void finish());
    },
  });
};

run().catch((e) => {
  console.error(`[example/consumer] ${e.message}`, e);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    try {
      await finish();
    } finally {
      process.kill(process.pid, signal);
    }
  });
}
