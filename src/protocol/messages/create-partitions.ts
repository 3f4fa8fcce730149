/**
 * CreatePartitions (key 37): grow topics to a new partition count. Versions 0-3, flexible from 2.
 *
 * ```
 * CreatePartitionsRequest
 *   topics            [CreatePartitionsTopic]
 *     name            string
 *     count           int32
 *     assignments     [CreatePartitionsAssignment], nullable
 *       broker_ids    [int32]
 *   timeout_ms        int32
 *   validate_only     bool
 *
 * CreatePartitionsResponse
 *   throttle_time_ms  int32
 *   results           [CreatePartitionsTopicResult]
 *     name            string
 *     error_code      int16
 *     error_message   nullable string
 * ```
 *
 * @example
 * createPartitions.encodeRequest(1, { topics: [{ name: 't', count: 6, assignments: null }], timeoutMs: 5000, validateOnly: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const CreatePartitionsRequest = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.int32('count', '0+'),
      f.narray('assignments', '0+', '0+', [f.arrayOf('brokerIds', '0+', 'int32')]),
    ]),
    f.int32('timeoutMs', '0+'),
    f.bool('validateOnly', '0+'),
  ],
});
export type CreatePartitionsRequest = MessageOf<typeof CreatePartitionsRequest>;

export const CreatePartitionsResponse = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('results', '0+', [
      f.string('name', '0+'),
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '0+', '0+'),
    ]),
  ],
});
export type CreatePartitionsResponse = MessageOf<typeof CreatePartitionsResponse>;

/** CreatePartitions, key 37. */
export const createPartitions = api(37, 'CreatePartitions', CreatePartitionsRequest, CreatePartitionsResponse);
