/**
 * FindCoordinator (key 10): which broker coordinates a group (key type 0) or a transactional id
 * (key type 1). Versions 0-6, flexible from 3; v4+ asks for several keys at once.
 *
 * ```
 * FindCoordinatorRequest
 *   key                 string                      v0-3
 *   key_type            int8                        v1+
 *   coordinator_keys    [string]                    v4+
 *
 * FindCoordinatorResponse
 *   throttle_time_ms    int32                       v1+
 *   error_code          int16                       v0-3
 *   error_message       nullable string             v1-3
 *   node_id             int32                       v0-3
 *   host                string                      v0-3
 *   port                int32                       v0-3
 *   coordinators        [Coordinator]               v4+
 *     key               string
 *     node_id           int32
 *     host              string
 *     port              int32
 *     error_code        int16
 *     error_message     nullable string
 * ```
 *
 * @example
 * findCoordinator.encodeRequest(2, { key: 'my-group', keyType: 0, coordinatorKeys: [] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const FindCoordinatorRequest = message({
  valid: '0-6',
  flexible: '3+',
  fields: [f.string('key', '0-3'), f.int8('keyType', '1+'), f.arrayOf('coordinatorKeys', '4+', 'string')],
});
export type FindCoordinatorRequest = MessageOf<typeof FindCoordinatorRequest>;

export const FindCoordinatorResponse = message({
  valid: '0-6',
  flexible: '3+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0-3'),
    f.nstring('errorMessage', '1-3', '1-3'),
    f.int32('nodeId', '0-3'),
    f.string('host', '0-3'),
    f.int32('port', '0-3'),
    f.array('coordinators', '4+', [
      f.string('key', '4+'),
      f.int32('nodeId', '4+'),
      f.string('host', '4+'),
      f.int32('port', '4+'),
      f.int16('errorCode', '4+'),
      f.nstring('errorMessage', '4+', '4+'),
    ]),
  ],
});
export type FindCoordinatorResponse = MessageOf<typeof FindCoordinatorResponse>;

/** FindCoordinator, key 10. */
export const findCoordinator = api(10, 'FindCoordinator', FindCoordinatorRequest, FindCoordinatorResponse);
