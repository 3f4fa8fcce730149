import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { JoinWindows, KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import { S } from './helpers.ts';

describe('stream-stream join on a real log', () => {
  it('should not move stream time on with one input while the other has unread records in the log (Kafka max.task.idle.ms = 0)', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    for (const topic of ['left', 'right', 'joined']) await log.createTopic({ topic, numPartitions: 1 });
    const enc = new TextEncoder();
    // Ten left records per ms and one right record per ms, read ten at a time: the left buffer
    // covers 1 ms where the right one covers 10. Without waiting for the left input's next read,
    // the right input takes stream time 9 ms ahead and the left records in between come too late for their right ones.
    const left = Array.from({ length: 500 }, (_, i) => ({
      key: enc.encode(`k${i % 10}`),
      value: enc.encode('l'),
      timestamp: Math.floor(i / 10),
    }));
    const right = Array.from({ length: 50 }, (_, i) => ({
      key: enc.encode(`k${i % 10}`),
      value: enc.encode('r'),
      timestamp: i,
    }));
    await log.append('left', 0, left);
    await log.append('right', 0, right);
    const b = new StreamsBuilder();
    b.stream('left', { keySerde: S, valueSerde: S })
      .join(
        b.stream('right', { keySerde: S, valueSerde: S }),
        (l, r) => l + r,
        JoinWindows.ofTimeDifferenceWithNoGrace(5),
      )
      .to('joined', { keySerde: S, valueSerde: S });
    const streams = new KafkaStreams(b.build(), { applicationId: 'join-idle', log, maxPollRecords: 10 });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    // Pairs of one key at most 5 ms apart (520; 108 came out before the fix).
    let expected = 0;
    for (const r of right)
      for (const l of left) if (l.key[1] === r.key[1] && Math.abs(l.timestamp - r.timestamp) <= 5) expected++;
    expect(log.offsets('joined', 0).highWatermark).toBe(expected);
    await log.close();
  });
});
