import { afterEach, describe, expect, it } from 'vitest';
import { Tributary } from '../../src/index.ts';

describe('client argument checks', () => {
  let tributary: Tributary | undefined;
  afterEach(async () => {
    await tributary?.close();
  });

  async function setUp() {
    tributary = new Tributary({ storage: 'memory' });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't' }] });
    const producer = tributary.producer();
    await producer.connect();
    return { admin, producer };
  }

  it('should refuse acks other than -1, 0 and 1 and append nothing', async () => {
    const { admin, producer } = await setUp();
    await expect(
      producer.send({ topic: 't', acks: 'x' as unknown as number, messages: [{ value: 'a' }] }),
    ).rejects.toBeInstanceOf(TypeError);
    await expect(producer.send({ topic: 't', acks: 5, messages: [{ value: 'a' }] })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    expect((await admin.fetchTopicOffsets('t'))[0]).toMatchObject({ high: '0' });
    await producer.send({ topic: 't', acks: 1, messages: [{ value: 'a' }] });
    expect((await admin.fetchTopicOffsets('t'))[0]).toMatchObject({ high: '1' });
  });

  it('should refuse setOffsets with a negative offset other than the -1/-2 sentinels, and fetchOffsets without a string groupId', async () => {
    const { admin } = await setUp();
    await expect(
      admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '-5' }] }),
    ).rejects.toBeInstanceOf(TypeError);
    await admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '-2' }] });
    await expect(admin.fetchOffsets({ groupId: 5 as unknown as string, topics: ['t'] })).rejects.toBeInstanceOf(
      TypeError,
    );
  });
});
