/**
 * DeleteRecords (key 21): move partitions' log start offsets forward. Versions 0-2, flexible from 2.
 *
 * ```
 * DeleteRecordsRequest
 *   topics                [DeleteRecordsTopic]
 *     name                string
 *     partitions          [DeleteRecordsPartition]
 *       partition_index   int32
 *       offset            int64 (-1 = the high watermark)
 *   timeout_ms            int32
 *
 * DeleteRecordsResponse
 *   throttle_time_ms      int32
 *   topics                [DeleteRecordsTopicResult]
 *     name                string
 *     partitions          [DeleteRecordsPartitionResult]
 *       partition_index   int32
 *       low_watermark     int64
 *       error_code        int16
 * ```
 *
 * @example
 * deleteRecords.encodeRequest(1, { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 100 }] }], timeoutMs: 5000 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DeleteRecordsRequest = message({
  valid: '0-2',
  flexible: '2+',
  fields: [
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int64('offset', '0+')]),
    ]),
    f.int32('timeoutMs', '0+'),
  ],
});
export type DeleteRecordsRequest = MessageOf<typeof DeleteRecordsRequest>;

export const DeleteRecordsResponse = message({
  valid: '0-2',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('lowWatermark', '0+'),
        f.int16('errorCode', '0+'),
      ]),
    ]),
  ],
});
export type DeleteRecordsResponse = MessageOf<typeof DeleteRecordsResponse>;

/** DeleteRecords, key 21. */
export const deleteRecords = api(21, 'DeleteRecords', DeleteRecordsRequest, DeleteRecordsResponse);
