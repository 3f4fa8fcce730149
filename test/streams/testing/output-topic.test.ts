/**
 * TestOutputTopic's readers, as Kafka's TestOutputTopicTest has them: the map keeps the last value
 * of each key, a tombstone included, and refuses records without a key.
 */
import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { StreamsBuilder } from '../../../src/streams/index.ts';
import { TopologyTestDriver } from '../../../src/streams/testing/index.ts';
import { S } from '../helpers.ts';

function passThrough(): TopologyTestDriver {
  const builder = new StreamsBuilder();
  builder.stream('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
  return new TopologyTestDriver(builder.build());
}

describe('TestOutputTopic.readKeyValuesToMap', () => {
  it('shouldKeepTheLastValueOfEachKeyAndATombstoneAsNull', () => {
    const driver = passThrough();
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', '1');
    input.pipeInput('b', '2');
    input.pipeInput('a', '3');
    input.pipeInput('b', null);
    const map = driver.createOutputTopic('out', S, S).readKeyValuesToMap();
    expect([...map]).toEqual([
      ['a', '3'],
      ['b', null],
    ]);
  });

  it('shouldRefuseARecordWithoutAKey', () => {
    const driver = passThrough();
    driver.createInputTopic('in', S, S).pipeInput(null, 'v');
    const err = (() => {
      try {
        driver.createOutputTopic('out', S, S).readKeyValuesToMap();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe('ILLEGAL_STATE');
    expect((err as TributaryError).message).toMatch(/Null keys/);
  });
});
