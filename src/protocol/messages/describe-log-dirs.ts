/**
 * DescribeLogDirs (key 35): the log directories of a broker and the bytes each partition takes in
 * them (`kafka-log-dirs.sh --describe`, and the topic sizes UIs show). Versions 0-4, flexible from
 * 2. Kafka 4.0 dropped version 0 from its brokers; it is served here as the rest are from 0.
 *
 * ```
 * DescribeLogDirsRequest
 *   topics                        [DescribableLogDirTopic]   nullable (null = every topic)
 *     topic                       string
 *     partitions                  [int32]
 *
 * DescribeLogDirsResponse
 *   throttle_time_ms              int32
 *   error_code                    int16                      v3+
 *   results                       [DescribeLogDirsResult]
 *     error_code                  int16
 *     log_dir                     string
 *     topics                      [DescribeLogDirsTopic]
 *       name                      string
 *       partitions                [DescribeLogDirsPartition]
 *         partition_index         int32
 *         partition_size          int64
 *         offset_lag              int64
 *         is_future_key           bool
 *     total_bytes                 int64 (default -1)         v4+
 *     usable_bytes                int64 (default -1)         v4+
 * ```
 *
 * @example
 * describeLogDirs.encodeRequest(4, { topics: null });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeLogDirsRequest = message({
  valid: '0-4',
  flexible: '2+',
  fields: [f.narray('topics', '0+', '0+', [f.string('topic', '0+'), f.arrayOf('partitions', '0+', 'int32')])],
});
export type DescribeLogDirsRequest = MessageOf<typeof DescribeLogDirsRequest>;

export const DescribeLogDirsResponse = message({
  valid: '0-4',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '3+'),
    f.array('results', '0+', [
      f.int16('errorCode', '0+'),
      f.string('logDir', '0+'),
      f.array('topics', '0+', [
        f.string('name', '0+'),
        f.array('partitions', '0+', [
          f.int32('partitionIndex', '0+'),
          f.int64('partitionSize', '0+'),
          f.int64('offsetLag', '0+'),
          f.bool('isFutureKey', '0+'),
        ]),
      ]),
      f.int64('totalBytes', '4+', { default: -1 }),
      f.int64('usableBytes', '4+', { default: -1 }),
    ]),
  ],
});
export type DescribeLogDirsResponse = MessageOf<typeof DescribeLogDirsResponse>;

/** DescribeLogDirs, key 35. */
export const describeLogDirs = api(35, 'DescribeLogDirs', DescribeLogDirsRequest, DescribeLogDirsResponse);
