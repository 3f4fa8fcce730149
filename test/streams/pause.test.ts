/**
 * `KafkaStreams.pause()` / `resume()` / `isPaused()` (KIP-834), as Kafka's
 * PauseResumeIntegrationTest drives them: a paused instance processes nothing and punctuates
 * nothing, while its global tables keep up; after `resume()` it processes what came meanwhile;
 * paused before `start()`, it starts paused.
 *
 * Whether a paused round ran is seen through a global table, which a paused instance still updates
 * in the same loop: once a global record appended after the inputs is visible, the loop has gone by
 * those inputs without processing them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { KafkaStreams, type Processor, type ProcessorContext, StreamsBuilder } from '../../src/streams/index.ts';
import { S } from './helpers.ts';

const enc = new TextEncoder();
let log: EmbeddedLogBackend;
let clock: ManualClock;
let punctuations: number;

beforeEach(async () => {
  clock = new ManualClock(1_000);
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
  for (const topic of ['in', 'out', 'names']) await log.createTopic({ topic });
  punctuations = 0;
});

afterEach(async () => {
  await log.close();
});

function topology() {
  const b = new StreamsBuilder();
  b.globalTable('names', { keySerde: S, valueSerde: S, materialized: 'names-store' });
  b.stream('in', { keySerde: S, valueSerde: S })
    .process<string, string>(() => {
      let ctx: ProcessorContext<string, string>;
      const p: Processor<string, string, string, string> = {
        init(c) {
          ctx = c;
          c.schedule(100, 'WALL_CLOCK_TIME', () => {
            punctuations++;
          });
        },
        process(record) {
          ctx.forward(record);
        },
      };
      return p;
    })
    .to('out', { keySerde: S, valueSerde: S });
  return b.build();
}

async function input(...values: string[]): Promise<void> {
  await log.append(
    'in',
    0,
    values.map((v) => ({ key: enc.encode('k'), value: enc.encode(v) })),
  );
}

/** Appends a global record and waits until the instance's global table has it: a loop round ran. */
async function roundPassed(streams: KafkaStreams, tag: string): Promise<void> {
  await log.append('names', 0, [{ key: enc.encode(tag), value: enc.encode(tag) }]);
  for (let i = 0; i < 2_000 && streams.store<string, string>('names-store').get(tag) === null; i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  expect(streams.store<string, string>('names-store').get(tag)).toBe(tag);
}

const outputs = () => log.offsets('out', 0).highWatermark;

describe('pause and resume', () => {
  it('should process and punctuate nothing while paused, and catch up after resume', async () => {
    const streams = new KafkaStreams(topology(), { applicationId: 'pause', log });
    await input('a', 'b', 'c');
    await streams.start();
    await streams.waitForIdle();
    expect([outputs(), streams.isPaused()]).toEqual([3, false]);
    streams.pause();
    expect(streams.isPaused()).toBe(true);
    await input('d', 'e');
    clock.advance(1_000);
    await roundPassed(streams, 'paused-1');
    await roundPassed(streams, 'paused-2');
    expect([outputs(), punctuations]).toEqual([3, 0]);
    expect(streams.state).toBe('RUNNING');
    streams.resume();
    expect(streams.isPaused()).toBe(false);
    await streams.waitForIdle();
    expect(outputs()).toBe(5);
    expect(punctuations).toBeGreaterThan(0);
    await streams.close();
  });

  it('should start paused when paused before start()', async () => {
    const streams = new KafkaStreams(topology(), { applicationId: 'pause-early', log });
    await input('a');
    streams.pause();
    await streams.start();
    expect([streams.state, streams.isPaused()]).toEqual(['RUNNING', true]);
    await roundPassed(streams, 'early');
    expect(outputs()).toBe(0);
    streams.resume();
    await streams.waitForIdle();
    expect(outputs()).toBe(1);
    await streams.close();
  });
});
