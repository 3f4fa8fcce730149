import { describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.ts';
import { eventually, memoryTributary } from './helpers.ts';

describe('a KafkaStreams app commits its offsets through the Tributary offset store (one owner)', () => {
  it('should show the app committed offsets and lag to admin.fetchOffsets({ groupId: applicationId })', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'in' }, { topic: 'out' }] });
    const producer = tributary.producer();
    await producer.connect();
    await producer.send({ topic: 'in', messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });

    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
      .mapValues((v) => v.toUpperCase())
      .to('out', { keySerde: Serdes.String(), valueSerde: Serdes.String() });
    const app = new KafkaStreams(builder.build(), { applicationId: 'upper', tributary, commitIntervalMs: 0 });
    await app.start();
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: 'upper', topics: ['in'] }))[0]!.partitions[0]!.offset;
    await eventually(async () => (await committed()) === '5', 'the app commit of offset 5');
    const lag = await admin.fetchConsumerLag({ groupId: 'upper', topics: ['in'] });
    expect(lag[0]!.partitions[0]).toMatchObject({ offset: '5', lag: '0' });
    await app.close();
    // A restarted app resumes from the store: nothing is processed twice.
    await producer.send({ topic: 'in', messages: [{ value: 'f' }] });
    const again = new KafkaStreams(builder.build(), { applicationId: 'upper', tributary, commitIntervalMs: 0 });
    await again.start();
    await eventually(async () => (await committed()) === '6', 'the second app commit of offset 6');
    await again.close();
    await producer.disconnect();
    await admin.disconnect();
    await tributary.close();
  });
});
