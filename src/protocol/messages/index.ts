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
import { addOffsetsToTxn } from './add-offsets-to-txn.ts';
import { addPartitionsToTxn } from './add-partitions-to-txn.ts';
import { alterConfigs } from './alter-configs.ts';
import { alterUserScramCredentials } from './alter-user-scram-credentials.ts';
import { apiVersions } from './api-versions.ts';
import { createAcls } from './create-acls.ts';
import { createPartitions } from './create-partitions.ts';
import { createTopics } from './create-topics.ts';
import { deleteAcls } from './delete-acls.ts';
import { deleteGroups } from './delete-groups.ts';
import { deleteRecords } from './delete-records.ts';
import { deleteTopics } from './delete-topics.ts';
import { describeAcls } from './describe-acls.ts';
import { describeCluster } from './describe-cluster.ts';
import { describeConfigs } from './describe-configs.ts';
import { describeGroups } from './describe-groups.ts';
import { describeLogDirs } from './describe-log-dirs.ts';
import { describeProducers } from './describe-producers.ts';
import { describeTransactions } from './describe-transactions.ts';
import { describeUserScramCredentials } from './describe-user-scram-credentials.ts';
import { endTxn } from './end-txn.ts';
import { fetch } from './fetch.ts';
import { findCoordinator } from './find-coordinator.ts';
import { heartbeat } from './heartbeat.ts';
import { incrementalAlterConfigs } from './incremental-alter-configs.ts';
import { initProducerId } from './init-producer-id.ts';
import { joinGroup } from './join-group.ts';
import { leaveGroup } from './leave-group.ts';
import { listGroups } from './list-groups.ts';
import { listOffsets } from './list-offsets.ts';
import { listTransactions } from './list-transactions.ts';
import { metadata } from './metadata.ts';
import { offsetCommit } from './offset-commit.ts';
import { offsetDelete } from './offset-delete.ts';
import { offsetFetch } from './offset-fetch.ts';
import { produce } from './produce.ts';
import { saslAuthenticate } from './sasl-authenticate.ts';
import { saslHandshake } from './sasl-handshake.ts';
import { syncGroup } from './sync-group.ts';
import { txnOffsetCommit } from './txn-offset-commit.ts';

export type { ApiMessage, RequestOf, ResponseOf } from '../wire/api.ts';
export type { Input } from '../wire/schema.ts';

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
  DescribeGroups: describeGroups,
  ListGroups: listGroups,
  SaslHandshake: saslHandshake,
  DeleteRecords: deleteRecords,
  AddPartitionsToTxn: addPartitionsToTxn,
  AddOffsetsToTxn: addOffsetsToTxn,
  EndTxn: endTxn,
  TxnOffsetCommit: txnOffsetCommit,
  DescribeAcls: describeAcls,
  CreateAcls: createAcls,
  DeleteAcls: deleteAcls,
  DescribeConfigs: describeConfigs,
  AlterConfigs: alterConfigs,
  DescribeLogDirs: describeLogDirs,
  SaslAuthenticate: saslAuthenticate,
  CreatePartitions: createPartitions,
  DeleteGroups: deleteGroups,
  IncrementalAlterConfigs: incrementalAlterConfigs,
  OffsetDelete: offsetDelete,
  DescribeUserScramCredentials: describeUserScramCredentials,
  AlterUserScramCredentials: alterUserScramCredentials,
  DescribeCluster: describeCluster,
  DescribeProducers: describeProducers,
  DescribeTransactions: describeTransactions,
  ListTransactions: listTransactions,
} as const;

const byKey: (ApiMessage | undefined)[] = [];
for (const a of Object.values(API) as ApiMessage[]) byKey[a.apiKey] = a;

/** The codec of an API key, or undefined for a key without one. */
export function apiByKey(key: number): ApiMessage | undefined {
  return Number.isInteger(key) && key >= 0 ? byKey[key] : undefined;
}

/** Every codec, in API key order. */
export const ALL_APIS: readonly ApiMessage[] = byKey.filter((a): a is ApiMessage => a !== undefined);
