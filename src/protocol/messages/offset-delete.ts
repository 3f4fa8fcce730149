/**
 * OffsetDelete (key 47): delete a group's committed offsets for some partitions. Version 0 only,
 * not flexible.
 *
 * ```
 * OffsetDeleteRequest
 *   group_id              string
 *   topics                [OffsetDeleteRequestTopic]
 *     name                string
 *     partitions          [OffsetDeleteRequestPartition]
 *       partition_index   int32
 *
 * OffsetDeleteResponse
 *   error_code            int16
 *   throttle_time_ms      int32
 *   topics                [OffsetDeleteResponseTopic]
 *     name                string
 *     partitions          [OffsetDeleteResponsePartition]
 *       partition_index   int32
 *       error_code        int16
 * ```
 *
 * @example
 * offsetDelete.encodeRequest(0, { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const OffsetDeleteRequest = message({
  valid: '0',
  flexible: 'none',
  fields: [
    f.string('groupId', '0+'),
    f.array('topics', '0+', [f.string('name', '0+'), f.array('partitions', '0+', [f.int32('partitionIndex', '0+')])]),
  ],
});
export type OffsetDeleteRequest = MessageOf<typeof OffsetDeleteRequest>;

export const OffsetDeleteResponse = message({
  valid: '0',
  flexible: 'none',
  fields: [
    f.int16('errorCode', '0+'),
    f.int32('throttleTimeMs', '0+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});
export type OffsetDeleteResponse = MessageOf<typeof OffsetDeleteResponse>;

/** OffsetDelete, key 47. */
export const offsetDelete = api(47, 'OffsetDelete', OffsetDeleteRequest, OffsetDeleteResponse);
