/**
 * IncrementalAlterConfigs (key 44): set, delete, append to or subtract from single configs
 * (operation 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT). Versions 0-1, flexible from 1.
 *
 * ```
 * IncrementalAlterConfigsRequest
 *   resources             [AlterConfigsResource]
 *     resource_type       int8
 *     resource_name       string
 *     configs             [AlterableConfig]
 *       name              string
 *       config_operation  int8
 *       value             nullable string
 *   validate_only         bool
 *
 * IncrementalAlterConfigsResponse
 *   throttle_time_ms      int32
 *   responses             [AlterConfigsResourceResponse]
 *     error_code          int16
 *     error_message       nullable string
 *     resource_type       int8
 *     resource_name       string
 * ```
 *
 * @example
 * incrementalAlterConfigs.encodeRequest(1, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const IncrementalAlterConfigsRequest = message({
  valid: '0-1',
  flexible: '1+',
  fields: [
    f.array('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.array('configs', '0+', [
        f.string('name', '0+'),
        f.int8('configOperation', '0+'),
        f.nstring('value', '0+', '0+'),
      ]),
    ]),
    f.bool('validateOnly', '0+'),
  ],
});
export type IncrementalAlterConfigsRequest = MessageOf<typeof IncrementalAlterConfigsRequest>;

export const IncrementalAlterConfigsResponse = message({
  valid: '0-1',
  flexible: '1+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('responses', '0+', [
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '0+', '0+'),
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
    ]),
  ],
});
export type IncrementalAlterConfigsResponse = MessageOf<typeof IncrementalAlterConfigsResponse>;

/** IncrementalAlterConfigs, key 44. */
export const incrementalAlterConfigs = api(
  44,
  'IncrementalAlterConfigs',
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
);
