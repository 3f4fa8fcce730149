/**
 * DescribeConfigs (key 32): the configs of topics and brokers (resource type 2 = topic, 4 = broker).
 * Versions 0-4, flexible from 4.
 *
 * ```
 * DescribeConfigsRequest
 *   resources                   [DescribeConfigsResource]
 *     resource_type             int8
 *     resource_name             string
 *     configuration_keys        [string], nullable (null = all)
 *   include_synonyms            bool                  v1+
 *   include_documentation       bool                  v3+
 *
 * DescribeConfigsResponse
 *   throttle_time_ms            int32
 *   results                     [DescribeConfigsResult]
 *     error_code                int16
 *     error_message             nullable string
 *     resource_type             int8
 *     resource_name             string
 *     configs                   [DescribeConfigsResourceResult]
 *       name                    string
 *       value                   nullable string
 *       read_only               bool
 *       is_default              bool                  v0
 *       config_source           int8 (default -1)     v1+
 *       is_sensitive            bool
 *       synonyms                [DescribeConfigsSynonym]  v1+
 *         name                  string
 *         value                 nullable string
 *         source                int8
 *       config_type             int8                  v3+
 *       documentation           nullable string       v3+
 * ```
 *
 * @example
 * describeConfigs.encodeRequest(1, { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeConfigsRequest = message({
  valid: '0-4',
  flexible: '4+',
  fields: [
    f.array('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.narrayOf('configurationKeys', '0+', '0+', 'string'),
    ]),
    f.bool('includeSynonyms', '1+'),
    f.bool('includeDocumentation', '3+'),
  ],
});
export type DescribeConfigsRequest = MessageOf<typeof DescribeConfigsRequest>;

export const DescribeConfigsResponse = message({
  valid: '0-4',
  flexible: '4+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('results', '0+', [
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '0+', '0+'),
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.array('configs', '0+', [
        f.string('name', '0+'),
        f.nstring('value', '0+', '0+'),
        f.bool('readOnly', '0+'),
        f.bool('isDefault', '0'),
        f.int8('configSource', '1+', { default: -1 }),
        f.bool('isSensitive', '0+'),
        f.array('synonyms', '1+', [f.string('name', '1+'), f.nstring('value', '1+', '0+'), f.int8('source', '1+')]),
        f.int8('configType', '3+'),
        f.nstring('documentation', '3+', '0+'),
      ]),
    ]),
  ],
});
export type DescribeConfigsResponse = MessageOf<typeof DescribeConfigsResponse>;

/** DescribeConfigs, key 32. */
export const describeConfigs = api(32, 'DescribeConfigs', DescribeConfigsRequest, DescribeConfigsResponse);
