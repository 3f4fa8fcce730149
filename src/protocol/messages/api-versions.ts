/**
 * ApiVersions (key 18): which versions of which APIs the broker speaks. Versions 0-4, flexible from 3.
 * Its response always travels under response header v0 (see `wire/header.ts`).
 *
 * ```
 * ApiVersionsRequest
 *   client_software_name      compact string                v3+
 *   client_software_version   compact string                v3+
 *
 * ApiVersionsResponse
 *   error_code                int16
 *   api_keys                  [ApiVersion]
 *     api_key                 int16
 *     min_version             int16
 *     max_version             int16
 *   throttle_time_ms          int32                         v1+
 *   supported_features        [SupportedFeatureKey]         v3+ tag 0
 *     name                    compact string
 *     min_version             int16
 *     max_version             int16
 *   finalized_features_epoch  int64 (default -1)            v3+ tag 1
 *   finalized_features        [FinalizedFeatureKey]         v3+ tag 2
 *     name                    compact string
 *     max_version_level       int16
 *     min_version_level       int16
 *   zk_migration_ready        bool (default false)          v3+ tag 3
 * ```
 *
 * @example
 * const res = apiVersions.decodeResponse(3, body);
 * res.apiKeys.find((k) => k.apiKey === 0)?.maxVersion;
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const ApiVersionsRequest = message({
  valid: '0-4',
  flexible: '3+',
  fields: [f.string('clientSoftwareName', '3+'), f.string('clientSoftwareVersion', '3+')],
});
export type ApiVersionsRequest = MessageOf<typeof ApiVersionsRequest>;

export const ApiVersionsResponse = message({
  valid: '0-4',
  flexible: '3+',
  fields: [
    f.int16('errorCode', '0+'),
    f.array('apiKeys', '0+', [f.int16('apiKey', '0+'), f.int16('minVersion', '0+'), f.int16('maxVersion', '0+')]),
    f.int32('throttleTimeMs', '1+'),
    f.array(
      'supportedFeatures',
      '3+',
      [f.string('name', '3+'), f.int16('minVersion', '3+'), f.int16('maxVersion', '3+')],
      { tag: 0 },
    ),
    f.int64('finalizedFeaturesEpoch', '3+', { tag: 1, default: -1 }),
    f.array(
      'finalizedFeatures',
      '3+',
      [f.string('name', '3+'), f.int16('maxVersionLevel', '3+'), f.int16('minVersionLevel', '3+')],
      { tag: 2 },
    ),
    f.bool('zkMigrationReady', '3+', { tag: 3, default: false }),
  ],
});
export type ApiVersionsResponse = MessageOf<typeof ApiVersionsResponse>;

/** ApiVersions, key 18. */
export const apiVersions = api(18, 'ApiVersions', ApiVersionsRequest, ApiVersionsResponse);
