import { firstValueFrom, map, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fromTopic } from '../../src/index.ts';
import { eventually, memoryTributary } from './helpers.ts';

async function setup() {
  const { tributary } = memoryTributary();
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't' }] });
  const producer = tributary.producer();
  await producer.connect();
  await producer.send({ topic: 't', messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i) })) });
  return { tributary, admin, producer };
}

describe('rxjs', () => {
  it('should emit messages and commit what was handled when take() unsubscribes', async () => {
    const { tributary, admin, producer } = await setup();
    const values = await firstValueFrom(
      fromTopic(tributary, { topics: 't', groupId: 'rx', fromBeginning: true }).pipe(
        map(({ message }) => String(message.value)),
        take(3),
        toArray(),
      ),
    );
    expect(values).toEqual(['0', '1', '2']);
    await eventually(
      async () => (await admin.fetchOffsets({ groupId: 'rx', topics: ['t'] }))[0]!.partitions[0]!.offset === '3',
      'the commit',
    );
    // A new subscription of the group resumes after the last handled message.
    const next = await firstValueFrom(fromTopic(tributary, { topics: 't', groupId: 'rx' }).pipe(take(2), toArray()));
    expect(next.map(({ message }) => message.offset)).toEqual(['3', '4']);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should run and stop an existing consumer when observed', async () => {
    const { tributary, admin, producer } = await setup();
    const consumer = tributary.consumer({ groupId: 'obs' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    const seen = await firstValueFrom(consumer.observe().pipe(take(4), toArray()));
    expect(seen.map((m) => `${m.topic}:${m.partition}:${m.message.offset}`)).toEqual([
      't:0:0',
      't:0:1',
      't:0:2',
      't:0:3',
    ]);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });
});
