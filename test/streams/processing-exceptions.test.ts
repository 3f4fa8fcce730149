/**
 * Kafka's processing exception handler (KIP-1033, `processing.exception.handler`) and the
 * serialization half of its production exception handler (KIP-399), as Kafka's
 * ProcessingExceptionHandlerIntegrationTest drives it: a processor's error goes to the handler
 * with the record and where it failed; CONTINUE drops that record at that processor only, FAIL
 * (and the default, no handler) stops the task with the error, asked about once.
 */
import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { type Serde, Serdes } from '../../src/serde/index.ts';
import {
  KafkaStreams,
  type ProcessingErrorContext,
  type ProcessingExceptionHandler,
  StreamsBuilder,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';

const S = Serdes.String();
const io = { keySerde: S, valueSerde: S };

function failingOn(bad: string) {
  return (v: string) => {
    if (v === bad) throw new Error(`cannot take ${v}`);
    return v.toUpperCase();
  };
}

function recording(response: 'CONTINUE' | 'FAIL') {
  const calls: { context: ProcessingErrorContext; value: unknown; message: string }[] = [];
  const handler: ProcessingExceptionHandler = (context, record, error) => {
    calls.push({ context, value: record?.value ?? null, message: (error as Error).message });
    return response;
  };
  return { calls, handler };
}

describe('processing exception handler', () => {
  it('should drop the failing record at the failing processor with CONTINUE, telling the handler where', () => {
    const b = new StreamsBuilder();
    const source = b.stream('in', io);
    source.mapValues(failingOn('b')).to('upper', io);
    source.to('copy', io);
    const { calls, handler } = recording('CONTINUE');
    const driver = new TopologyTestDriver(b.build(), { processingExceptionHandler: handler });
    const input = driver.createInputTopic('in', S, S);
    for (const [v, t] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      input.pipeInput('k', v, t);
    expect(driver.createOutputTopic('upper', S, S).readValuesToList()).toEqual(['A', 'C']);
    // The sibling branch got every record: only the failing processor dropped it.
    expect(driver.createOutputTopic('copy', S, S).readValuesToList()).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual([
      {
        context: {
          topic: 'in',
          partition: 0,
          offset: 1,
          headers: [],
          timestamp: 2,
          processorNodeId: 'KSTREAM-MAPVALUES-0000000001',
          taskId: '0_0',
        },
        value: 'b',
        message: 'cannot take b',
      },
    ]);
  });

  it('should stop the task with the error with FAIL, asking once however deep the processor', () => {
    const b = new StreamsBuilder();
    b.stream('in', io)
      .mapValues((v) => v)
      .filter(() => true)
      .mapValues(failingOn('b'))
      .to('out', io);
    const { calls, handler } = recording('FAIL');
    const driver = new TopologyTestDriver(b.build(), { processingExceptionHandler: handler });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 1);
    expect(() => input.pipeInput('k', 'b', 2)).toThrow('cannot take b');
    expect(calls.map((c) => c.context.processorNodeId)).toEqual(['KSTREAM-MAPVALUES-0000000003']);
  });

  it("should stop the task with the error when no handler is set, as Kafka's default", () => {
    const b = new StreamsBuilder();
    b.stream('in', io).mapValues(failingOn('a')).to('out', io);
    const driver = new TopologyTestDriver(b.build());
    expect(() => driver.createInputTopic('in', S, S).pipeInput('k', 'a', 1)).toThrow('cannot take a');
  });

  it('should ask about a punctuator that throws, with no record, and go on with CONTINUE', () => {
    const b = new StreamsBuilder();
    let fired = 0;
    b.stream('in', io)
      .process<string, string>(() => ({
        init(ctx) {
          ctx.schedule(1_000, 'WALL_CLOCK_TIME', () => {
            fired++;
            throw new Error('punctuator broke');
          });
        },
        process() {},
      }))
      .to('out', io);
    const { calls, handler } = recording('CONTINUE');
    const driver = new TopologyTestDriver(b.build(), { processingExceptionHandler: handler });
    driver.createInputTopic('in', S, S).pipeInput('k', 'a', 1);
    driver.advanceWallClockTime(1_000);
    driver.advanceWallClockTime(1_000);
    expect(fired).toBe(2);
    expect(calls.map((c) => [c.context.topic, c.context.offset, c.value, c.message])).toEqual([
      [undefined, -1, null, 'punctuator broke'],
      [undefined, -1, null, 'punctuator broke'],
    ]);
  });

  it('should stop the task with what a handler throws', () => {
    const b = new StreamsBuilder();
    b.stream('in', io).mapValues(failingOn('a')).to('out', io);
    const driver = new TopologyTestDriver(b.build(), {
      processingExceptionHandler: () => {
        throw new Error('the handler broke');
      },
    });
    expect(() => driver.createInputTopic('in', S, S).pipeInput('k', 'a', 1)).toThrow('the handler broke');
  });

  it('should keep a running app running past a failing record with CONTINUE', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    try {
      await log.createTopic({ topic: 'in' });
      await log.createTopic({ topic: 'out' });
      await log.append(
        'in',
        0,
        ['a', 'b', 'c'].map((v) => ({ key: Buffer.from('k'), value: Buffer.from(v) })),
      );
      const b = new StreamsBuilder();
      b.stream('in', io).mapValues(failingOn('b')).to('out', io);
      const { calls, handler } = recording('CONTINUE');
      const streams = new KafkaStreams(b.build(), {
        applicationId: 'processing-continue',
        log,
        processingExceptionHandler: handler,
      });
      await streams.start();
      await streams.waitForIdle();
      expect(streams.state).toBe('RUNNING');
      await streams.close();
      const { records } = await log.read('out', 0, 0);
      expect(records.map((r) => Buffer.from(r.value!).toString())).toEqual(['A', 'C']);
      expect(calls.map((c) => [c.context.topic, c.context.offset, c.value])).toEqual([['in', 1, 'b']]);
    } finally {
      await log.close();
    }
  });

  describe('serialization at a sink (production.exception.handler)', () => {
    /** A value serde that cannot serialize 'b'. */
    const picky: Serde<string> = {
      serialize: (topic, v) => {
        if (v === 'b') throw new Error(`${topic} cannot hold b`);
        return S.serialize(topic, v);
      },
      deserialize: (topic, bytes) => S.deserialize(topic, bytes),
    };

    function pickySink() {
      const b = new StreamsBuilder();
      b.stream('in', io)
        .mapValues((v) => v)
        .to('out', { keySerde: S, valueSerde: picky });
      return b.build();
    }

    it('should drop a record whose value does not serialize with CONTINUE, telling the handler which part failed', () => {
      const seen: unknown[] = [];
      const processing = recording('CONTINUE');
      const driver = new TopologyTestDriver(pickySink(), {
        processingExceptionHandler: processing.handler,
        productionExceptionHandler: {
          handleSerializationException: (context, record, error, origin) => {
            seen.push([
              context.processorNodeId,
              context.offset,
              record.topic,
              record.value,
              origin,
              (error as Error).message,
            ]);
            return 'CONTINUE';
          },
        },
      });
      const input = driver.createInputTopic('in', S, S);
      for (const v of ['a', 'b', 'c']) input.pipeInput('k', v, 1);
      expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a', 'c']);
      expect(seen).toEqual([['KSTREAM-SINK-0000000002', 1, 'out', 'b', 'VALUE', 'out cannot hold b']]);
      // Not a processing error: the processing handler was not asked.
      expect(processing.calls).toEqual([]);
    });

    it('should stop the task by default, without asking the processing handler', () => {
      const processing = recording('CONTINUE');
      const driver = new TopologyTestDriver(pickySink(), { processingExceptionHandler: processing.handler });
      expect(() => driver.createInputTopic('in', S, S).pipeInput('k', 'b', 1)).toThrow('out cannot hold b');
      expect(processing.calls).toEqual([]);
    });
  });
});
