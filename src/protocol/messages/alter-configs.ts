/**
 * AlterConfigs (key 33): replace the configs of resources as a whole. Versions 0-2, flexible from 2.
 *
 * ```
 * AlterConfigsRequest
 *   resources           [AlterConfigsResource]
 *     resource_type     int8
 *     resource_name     string
 *     configs           [AlterableConfig]
 *       name            string
 *       value           nullable string
 *   validate_only       bool
 *
 * AlterConfigsResponse
 *   throttle_time_ms    int32
 *   responses           [AlterConfigsResourceResponse]
 *     error_code        int16
 *     error_message     nullable string
 *     resource_type     int8
 *     resource_name     string
 * ```
 *
 * @example
 * alterConfigs.encodeRequest(1, { resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const AlterConfigsRequest = message({
  valid: '0-2',
  flexible: '2+',
  fields: [
    f.array('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.array('configs', '0+', [f.string('name', '0+'), f.nstring('value', '0+', '0+')]),
    ]),
    f.bool('validateOnly', '0+'),
  ],
});
export type AlterConfigsRequest = MessageOf<typeof AlterConfigsRequest>;

export const AlterConfigsResponse = message({
  valid: '0-2',
  flexible: '2+',
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
export type AlterConfigsResponse = MessageOf<typeof AlterConfigsResponse>;

/** AlterConfigs, key 33. */
export const alterConfigs = api(33, 'AlterConfigs', AlterConfigsRequest, AlterConfigsResponse);
