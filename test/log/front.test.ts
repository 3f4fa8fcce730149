import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../src/errors.ts';
import { type EmbeddedLogBackend, openLog, type ReadOptions } from '../../src/log/index.ts';

/** What a call ended in: the error's code, `TypeError`, or `ok`. */
async function outcome(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (err) {
    if (err instanceof TributaryError) return err.code;
    if (err instanceof TypeError) return 'TypeError';
    throw err;
  }
}

const logs: EmbeddedLogBackend[] = [];
afterEach(async () => {
  for (const log of logs.splice(0)) await log.close();
});

async function logWithTopic(): Promise<EmbeddedLogBackend> {
  const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  logs.push(log);
  await log.createTopic({ topic: 't', numPartitions: 1 });
  await log.append('t', 0, [{ key: null, value: new Uint8Array([1]) }]);
  return log;
}

describe("the log's validating front", () => {
  it('should check arguments once and answer each bad one with its error', async () => {
    const log = await logWithTopic();
    const cases: [string, () => unknown, string][] = [
      ['a topic spec that is not an object', () => log.createTopic(null as never), 'TypeError'],
      ['an illegal topic name', () => log.createTopic({ topic: 'a b' }), 'INVALID_TOPIC_EXCEPTION'],
      ['zero partitions', () => log.createTopic({ topic: 'n', numPartitions: 0 }), 'INVALID_PARTITIONS'],
      ['a topic that is not a string', () => log.describeTopic(3 as never), 'TypeError'],
      ['changes that are not an object', () => log.alterConfigs('t', null as never), 'TypeError'],
      ['appends that are not an array', () => log.write({} as never), 'TypeError'],
      ['a negative offset', () => log.read('t', 0, -1), 'INVALID_REQUEST'],
      ['a fractional offset', () => log.readBatches('t', 0, 0.5), 'INVALID_REQUEST'],
      ['an unknown isolation', () => log.read('t', 0, 0, { isolation: 'x' } as unknown as ReadOptions), 'TypeError'],
      ['a negative maxBytes', () => log.read('t', 0, 0, { maxBytes: -1 }), 'INVALID_REQUEST'],
      ['a zero maxRecords', () => log.readBatches('t', 0, 0, { maxRecords: 0 }), 'INVALID_REQUEST'],
      ['a timestamp that is not a number', () => log.offsetForTimestamp('t', 0, 'now' as never), 'TypeError'],
      ['a signal that is not one', () => log.waitForData('t', 0, 0, {} as AbortSignal), 'TypeError'],
      ['a negative beforeOffset', () => log.deleteRecords('t', 0, -1), 'INVALID_REQUEST'],
      ['a zero transaction timeout', () => log.initProducerId({ transactionTimeoutMs: 0 }), 'INVALID_REQUEST'],
      ['an empty transactional id', () => log.initProducerId({ transactionalId: '' }), 'TypeError'],
      ['no bad argument', () => log.read('t', 0, 0, { maxBytes: 0, maxRecords: 1 }), 'ok'],
    ];
    const got = await Promise.all(cases.map(async ([name, call]) => [name, await outcome(call)]));
    expect(got).toEqual(cases.map(([name, , code]) => [name, code]));
  });

  it('should ask for the state first: an unknown topic or partition before a bad argument', async () => {
    const log = await logWithTopic();
    expect(await outcome(() => log.read('missing', 0, -1))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await outcome(() => log.read('t', 7, -1))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await outcome(() => log.alterConfigs('missing', null as never))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(await outcome(() => log.deleteRecords('missing', 0, -1))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('should answer LOG_CLOSED before any bad argument once the log is closed', async () => {
    const log = await logWithTopic();
    await log.close();
    const calls: (() => unknown)[] = [
      () => log.createTopic(null as never),
      () => log.write({} as never),
      () => log.read('t', 0, -1),
      () => log.describeTopic(3 as never),
      () => log.initProducerId({ transactionTimeoutMs: 0 }),
      () => log.deleteRecords('t', 0, -1),
      () => log.maintenance(),
    ];
    for (const call of calls) expect(await outcome(call)).toBe('LOG_CLOSED');
  });
});
