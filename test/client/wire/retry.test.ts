import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { createRetrier, RETRY_DEFAULTS, retryTimes } from '../../../src/client/wire/retry.ts';
import { isRetriableKafkaError, kafkaError, kafkaErrorName } from '../../../src/client/wire/kafka-errors.ts';

function recordingEnv(random = 0.5) {
  const waits: number[] = [];
  return { waits, env: { sleep: async (ms: number) => void waits.push(ms), random: () => random } };
}

const retriable = () => new TributaryError('NOT_LEADER_OR_FOLLOWER', 'moved', { retriable: true });

describe('createRetrier', () => {
  it('shouldRetryRetriableErrorsWithKafkajsExponentialBackoff', async () => {
    const { waits, env } = recordingEnv();
    const retrier = createRetrier({ initialRetryTime: 100, multiplier: 2, factor: 0.2, retries: 5 }, env);
    let calls = 0;
    const result = await retrier(async (attempt) => {
      calls++;
      if (attempt < 3) throw retriable();
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(4);
    // random 0.5 means no jitter: 100, 200, 400.
    expect(waits).toEqual([100, 200, 400]);
  });

  it('shouldCapEachWaitAtMaxRetryTimeAndStopAfterRetries', async () => {
    const { waits, env } = recordingEnv();
    const retrier = createRetrier({ initialRetryTime: 100, maxRetryTime: 250, retries: 3 }, env);
    let calls = 0;
    const err = await retrier(async () => {
      calls++;
      throw retriable();
    }).catch((e: unknown) => e);
    expect((err as TributaryError).code).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 250]);
  });

  it('shouldNotRetryErrorsThatAreNotRetriable', async () => {
    const { waits, env } = recordingEnv();
    const retrier = createRetrier({}, env);
    let calls = 0;
    await expect(
      retrier(async () => {
        calls++;
        throw new TributaryError('TOPIC_ALREADY_EXISTS', 'exists');
      }),
    ).rejects.toMatchObject({ code: 'TOPIC_ALREADY_EXISTS' });
    await expect(
      retrier(async () => {
        throw new TypeError('bug');
      }),
    ).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('shouldRandomiseEachWaitWithinFactor', () => {
    expect(retryTimes({ initialRetryTime: 1000, factor: 0.2, retries: 1 }, () => 0)).toEqual([800]);
    expect(retryTimes({ initialRetryTime: 1000, factor: 0.2, retries: 1 }, () => 0.999999)).toEqual([1200]);
    expect(RETRY_DEFAULTS).toEqual({
      maxRetryTime: 30_000,
      initialRetryTime: 300,
      factor: 0.2,
      multiplier: 2,
      retries: 5,
    });
  });
});

describe('kafkaError', () => {
  it.each([
    [3, 'UNKNOWN_TOPIC_OR_PARTITION', true],
    [5, 'LEADER_NOT_AVAILABLE', true],
    [6, 'NOT_LEADER_OR_FOLLOWER', true],
    [7, 'REQUEST_TIMED_OUT', true],
    [15, 'COORDINATOR_NOT_AVAILABLE', true],
    [16, 'NOT_COORDINATOR', true],
    [36, 'TOPIC_ALREADY_EXISTS', false],
    [37, 'INVALID_PARTITIONS', false],
    [38, 'INVALID_REPLICATION_FACTOR', false],
    [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false],
    [47, 'PRODUCER_FENCED', false],
    [51, 'CONCURRENT_TRANSACTIONS', true],
    [13, 'CONNECTION_ERROR', true],
  ] as const)('shouldMapKafkaCode%sTo%s', (code, expected, isRetriable) => {
    const err = kafkaError(code, { topic: 't', partition: 1 });
    expect(err.code).toBe(expected);
    expect(err.retriable).toBe(isRetriable);
    expect(err.context).toMatchObject({ topic: 't', partition: 1, kafkaCode: code });
  });

  it('shouldKeepKafkasNameForCodesWithoutATributaryCode', () => {
    const err = kafkaError(57, {}, 'no such log dir');
    expect(err.code).toBe('KAFKA_PROTOCOL_ERROR');
    expect(err.context).toMatchObject({ kafkaCode: 57, kafkaName: 'LOG_DIR_NOT_FOUND' });
    expect(err.message).toContain('no such log dir');
    // A Kafka error that has a Tributary code gets it: authorization came with the security codes.
    expect(kafkaError(29, {}, 'denied').code).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(kafkaErrorName(12345)).toBe('UNKNOWN_ERROR_12345');
    expect(isRetriableKafkaError(12345)).toBe(false);
  });
});
