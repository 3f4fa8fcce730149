/**
 * kafkajs-style producer program: sends COUNT keyed, gzip-compressed messages in batches of ten and
 * prints how many the broker acknowledged. `BROKER=host:port npx tsx examples/kafkajs-port/broker/producer.ts`
 */
import { CompressionTypes, logLevel, Tributary } from 'tributary';

const topic = process.env.TOPIC ?? 'example-events';
const count = Number(process.env.COUNT ?? 30);
const kafka = new Tributary({ clientId: 'example-producer', brokers: [process.env.BROKER ?? 'localhost:9092'], logLevel: logLevel.WARN });
const producer = kafka.producer();

const message = (n: number) => ({ key: `user-${n % 5}`, value: JSON.stringify({ n, at: new Date().toISOString() }), headers: { source: 'example' } });

const run = async () => {
  await producer.connect();
  let acknowledged = 0;
  for (let from = 0; from < count; from += 10) {
    const messages = Array.from({ length: Math.min(10, count - from) }, (_, i) => message(from + i));
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages });
    acknowledged += messages.length;
  }
  console.log(`sent ${acknowledged}`);
  await producer.disconnect();
};

run().catch((e) => {
  console.error(`[example/producer] ${e.message}`, e);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, async () => {
    try {
      await producer.disconnect();
    } finally {
      process.kill(process.pid, signal);
    }
  });
}
