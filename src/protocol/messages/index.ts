/**
 * Every Kafka API this codebase has a codec for, by Kafka's name and by key.
 *
 * @example
 * import { API, apiByKey } from './messages/index.ts';
 * const body = API.Metadata.encodeRequest(1, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
 * apiByKey(3) === API.Metadata; // true
 * apiByKey(999); // undefined
 */

import type { ApiMessage } from '../wire/api.ts';
import { apiVersions } from './api-versions.ts';
import { createTopics } from './create-topics.ts';
import { deleteTopics } from './delete-topics.ts';
import { fetch } from './fetch.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat } from './heartbeat.ts';
import { initProducerId } from './init-producer-id.ts';
import { joinGroup } from './join-group.ts';
import { leaveGroup } from './leave-group.ts';
import { listOffsets } from './list-offsets.ts';
import { metadata } from './metadata.ts';
import { offsetCommit } from './offset-commit.ts';
import { offsetFetch } from './offset-fetch.ts';
import { produce } from './produce.ts';
import { syncGroup } from './sync-group.ts';

export type { ApiMessage, RequestOf, ResponseOf } from '../wire/api.ts';

/** The codecs by Kafka's API name. */
export const API = {
  Produce: produce,
  Fetch: fetch,
  ListOffsets: listOffsets,
  Metadata: metadata,
  OffsetCommit: offsetCommit,
  OffsetFetch: offsetFetch,
  FindCoordinator: findCoordinator,
  JoinGroup: joinGroup,
  Heartbeat: heartbeat,
  LeaveGroup: leaveGroup,
  SyncGroup: syncGroup,
  ApiVersions: apiVersions,
  CreateTopics: createTopics,
  DeleteTopics: deleteTopics,
  InitProducerId: initProducerId,
} as const;

const byKey: (ApiMessage | undefined)[] = [];
for (const a of Object.values(API) as ApiMessage[]) byKey[a.apiKey] = a;

/** The codec of an API key, or undefined for a key without one. */
export function apiByKey(key: number): ApiMessage | undefined {
  return Number.isInteger(key) && key >= 0 ? byKey[key] : undefined;
}

/** Every codec, in API key order. */
export const ALL_APIS: readonly ApiMessage[] = byKey.filter((a): a is ApiMessage => a !== undefined);
