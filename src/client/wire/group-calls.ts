/**
 * The classic group protocol's calls that every wire group member makes the same way, whether it
 * is a consumer (`group.ts`) or a Kafka Streams instance (`streams/runtime/wire-task-coordinator.ts`):
 * a call on the group's coordinator, found again when it moved, JoinGroup with its
 * MEMBER_ID_REQUIRED round (v4+), and the wait for offsets a transaction has not yet committed.
 *
 * @example
 * const res = await joinGroupCall(cluster, request);
 * await withGroupCoordinator(cluster, 'orders-app', (broker) => broker.request(API.Heartbeat, body));
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import type { JoinRequest } from '../../cluster/group-coordinator.ts';
import type { Broker } from './broker.ts';
import { CoordinatorType, type WireCluster } from './cluster.ts';
import { encodeSubscription } from './consumer-protocol.ts';
import { kafkaError } from './kafka-errors.ts';

const MEMBER_ID_REQUIRED = 79;
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: retried on the (new) coordinator. */
const COORDINATOR_ERRORS = new Set([14, 15, 16]);

const UNSTABLE_OFFSET_COMMIT = 88;

/** What an OffsetFetch (v7 and below, one group) answers. */
export interface OffsetFetchResponse {
  errorCode: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; committedOffset: number; metadata: string | null; errorCode: number }[];
  }[];
}

/**
 * Runs an OffsetFetch that asks for stable offsets (`requireStable`) until no partition answers
 * UNSTABLE_OFFSET_COMMIT (a transaction holding offsets is still open; it ends by commit, abort or
 * its timeout), backing off from 50 ms to 1 s, for at most `timeoutMs` (Kafka's
 * `default.api.timeout.ms`, 60 s). Other errors are thrown at once.
 */
export async function untilOffsetsStable<T>(fetch: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await fetch();
    } catch (err) {
      const unstable = err instanceof TributaryError && err.context.kafkaCode === UNSTABLE_OFFSET_COMMIT;
      if (!unstable || Date.now() + wait > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** What a JoinGroup answers. */
export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

/** Runs a call on the group's coordinator, finding the coordinator again when it moved. */
export function withGroupCoordinator<T>(
  cluster: WireCluster,
  groupId: string,
  fn: (broker: Broker) => Promise<T>,
): Promise<T> {
  return cluster.withRetry(async () => {
    const broker = await cluster.coordinator(groupId, CoordinatorType.GROUP);
    try {
      const res = await fn(broker);
      // A coordinator that is loading, moving or not there yet answers with a top-level error
      // code: retry those here; the caller handles the rest.
      const code = (res as { errorCode?: number }).errorCode;
      if (code !== undefined && COORDINATOR_ERRORS.has(code)) throw kafkaError(code, { groupId });
      return res;
    } catch (err) {
      if (
        err instanceof TributaryError &&
        (err.code === 'NOT_COORDINATOR' || err.code === 'COORDINATOR_NOT_AVAILABLE' || err.code === 'CONNECTION_ERROR')
      ) {
        cluster.forgetCoordinator(groupId, CoordinatorType.GROUP);
      }
      throw err;
    }
  });
}

/**
 * JoinGroup until the coordinator answers with a generation: a MEMBER_ID_REQUIRED answer gives the
 * member id to join again with. `req.onMemberId` hears every member id the coordinator hands out.
 * Any other error is thrown, after `failed(memberId)` with the member id the request carried.
 */
export async function joinGroupCall(
  cluster: WireCluster,
  req: JoinRequest,
  failed: (memberId: string) => void = () => undefined,
): Promise<JoinGroupResponse> {
  const metadata = encodeSubscription({ topics: req.topics, ownedPartitions: req.ownedPartitions });
  let memberId = req.memberId;
  for (;;) {
    const res = (await withGroupCoordinator(cluster, req.groupId, (broker) =>
      broker.request(
        API.JoinGroup,
        {
          groupId: req.groupId,
          sessionTimeoutMs: req.sessionTimeout,
          rebalanceTimeoutMs: req.rebalanceTimeout,
          memberId,
          groupInstanceId: null,
          protocolType: 'consumer',
          protocols: req.protocols.map((name) => ({ name, metadata })),
          reason: null,
        } as never,
        // The coordinator holds a JoinGroup until every member rejoined, up to the rebalance timeout.
        { timeout: req.rebalanceTimeout + 5000 },
      ),
    )) as JoinGroupResponse;
    if (res.errorCode === MEMBER_ID_REQUIRED) {
      memberId = res.memberId;
      req.onMemberId?.(memberId);
      continue;
    }
    if (res.errorCode !== 0) {
      failed(memberId);
      throw kafkaError(res.errorCode, { groupId: req.groupId });
    }
    if (memberId !== res.memberId) req.onMemberId?.(res.memberId);
    return res;
  }
}
