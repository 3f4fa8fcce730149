/**
 * Every API this broker serves, by key. ApiVersions advertises exactly these, each from version 0 to
 * its codec's highest.
 */
import type { Handler } from '../handler.ts';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from './alter-configs.ts';
import { apiVersionsHandler } from './api-versions.ts';
import { describeConfigsHandler } from './describe-configs.ts';
import { describeLogDirsHandler } from './describe-log-dirs.ts';
import { addPartitionsToTxnHandler } from './add-partitions-to-txn.ts';
import { addOffsetsToTxnHandler } from './add-offsets-to-txn.ts';
import { txnOffsetCommitHandler } from './txn-offset-commit.ts';
import { endTxnHandler } from './end-txn.ts';
import { describeGroupsHandler } from './describe-groups.ts';
import { listGroupsHandler } from './list-groups.ts';
import { deleteGroupsHandler } from './delete-groups.ts';
import { offsetDeleteHandler } from './offset-delete.ts';
import { createPartitionsHandler } from './create-partitions.ts';
import { deleteRecordsHandler } from './delete-records.ts';
import { describeClusterHandler } from './describe-cluster.ts';
import { createTopicsHandler } from './create-topics.ts';
import { deleteTopicsHandler } from './delete-topics.ts';
import { fetchHandler } from './fetch.ts';
import { findCoordinatorHandler } from './find-coordinator.ts';
import { heartbeatHandler } from './heartbeat.ts';
import { initProducerIdHandler } from './init-producer-id.ts';
import { joinGroupHandler } from './join-group.ts';
import { leaveGroupHandler } from './leave-group.ts';
import { listOffsetsHandler } from './list-offsets.ts';
import { metadataHandler } from './metadata.ts';
import { offsetCommitHandler } from './offset-commit.ts';
import { offsetFetchHandler } from './offset-fetch.ts';
import { produceHandler } from './produce.ts';
import { saslAuthenticateHandler, saslHandshakeHandler } from './sasl.ts';
import { syncGroupHandler } from './sync-group.ts';
import {
  alterUserScramCredentialsHandler,
  createAclsHandler,
  deleteAclsHandler,
  describeAclsHandler,
  describeUserScramCredentialsHandler,
} from '../security/handlers.ts';
import {
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
} from './transactions-admin.ts';

const ALL: Handler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  initProducerIdHandler,
  describeGroupsHandler,
  listGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
  createPartitionsHandler,
  deleteRecordsHandler,
  describeClusterHandler,
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  txnOffsetCommitHandler,
  endTxnHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  describeLogDirsHandler,
  incrementalAlterConfigsHandler,
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
  saslHandshakeHandler,
  saslAuthenticateHandler,
  createAclsHandler,
  describeAclsHandler,
  deleteAclsHandler,
  describeUserScramCredentialsHandler,
  alterUserScramCredentialsHandler,
] as Handler[];

const byKey = new Map<number, Handler>(ALL.map((h) => [h.api.apiKey, h]));

/** The handler of an API key, or undefined for a key this broker does not serve. */
export function handlerFor(apiKey: number): Handler | undefined {
  return byKey.get(apiKey);
}

/** What ApiVersions advertises. */
export function advertisedApis(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...byKey.values()]
    .sort((a, b) => a.api.apiKey - b.api.apiKey)
    .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.api.minVersion, maxVersion: h.api.maxVersion }));
}
