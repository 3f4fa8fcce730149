/**
 * A transactional producer's calls to Kafka's transaction coordinator: AddPartitionsToTxn before a
 * transaction's first batch reaches a partition, AddOffsetsToTxn and then TxnOffsetCommit (on the
 * group's coordinator) for `sendOffsets`, EndTxn for commit and abort. The producer id and epoch
 * come from InitProducerId with the transactional id; a newer producer with the same id fences this
 * one, and the broker answers PRODUCER_FENCED (Kafka 47 or 90).
 *
 * Versions are capped below Kafka 4's transaction protocol v2 (KIP-890: AddPartitionsToTxn v4+ is
 * broker-to-broker, EndTxn v5 bumps the epoch after every transaction): brokers keep serving the
 * classic versions, and one epoch per producer session keeps the stamps simple.
 *
 * @example
 * const txns = new WireTransactions(transport, 'my-txn-id', () => identity);
 * await txns.addPartitions([{ topic: 'out', partition: 0 }]);
 * await txns.end(true);
 */
import type { ProducerIdentity } from '../../log/index.ts';
import { API } from '../../protocol/messages/index.ts';
import type { OffsetCommit } from '../../cluster/offset-store.ts';
import { CoordinatorType } from './cluster.ts';
import { kafkaError } from './kafka-errors.ts';
import type { WireTransport } from './transport.ts';

const ADD_PARTITIONS_MAX_VERSION = 3;
const END_TXN_MAX_VERSION = 4;

/**
 * CONCURRENT_TRANSACTIONS: the coordinator is still writing the markers of this producer's last
 * transaction (Kafka answers EndTxn before they are written). Asked again after this long, as Kafka's
 * Java producer retries its AddPartitionsToTxn (20 ms) rather than after the `retry` backoff (300 ms
 * and up): a transactional app that commits every 100 ms would otherwise spend most of its time
 * waiting here.
 */
export const CONCURRENT_TRANSACTIONS_BACKOFF_MS = 20;
/** How long CONCURRENT_TRANSACTIONS is retried at that pace before the `retry` backoff takes over. */
const CONCURRENT_TRANSACTIONS_PATIENCE_MS = 10_000;

export class WireTransactions {
  readonly transactionalId: string;
  readonly #transport: WireTransport;
  readonly #identity: () => ProducerIdentity;
  /** Partitions added to the open transaction (`topic\0partition`). */
  readonly #added = new Set<string>();
  /** AddOffsetsToTxn of the open transaction, by group id (see `addOffsets`). */
  readonly #offsetsAdded = new Map<string, Promise<void>>();

  constructor(transport: WireTransport, transactionalId: string, identity: () => ProducerIdentity) {
    this.#transport = transport;
    this.transactionalId = transactionalId;
    this.#identity = identity;
  }

  get #cluster() {
    return this.#transport.cluster;
  }

  /**
   * Runs a call on the transaction coordinator; a coordinator that moved is found again and retried,
   * and CONCURRENT_TRANSACTIONS is asked again every 20 ms (see CONCURRENT_TRANSACTIONS_BACKOFF_MS).
   */
  #onCoordinator<T extends { errorCode?: number }>(
    fn: (broker: Awaited<ReturnType<WireTransport['cluster']['coordinator']>>) => Promise<T>,
  ): Promise<T> {
    return this.#cluster.withRetry(async () => {
      const started = Date.now();
      for (;;) {
        try {
          const broker = await this.#cluster.coordinator(this.transactionalId, CoordinatorType.TRANSACTION);
          const res = await fn(broker);
          if (res.errorCode !== undefined && res.errorCode !== 0) {
            const err = kafkaError(res.errorCode, { transactionalId: this.transactionalId });
            if (res.errorCode === 15 || res.errorCode === 16)
              this.#cluster.forgetCoordinator(this.transactionalId, CoordinatorType.TRANSACTION);
            throw err;
          }
          return res;
        } catch (err) {
          if (
            (err as { code?: string }).code !== 'CONCURRENT_TRANSACTIONS' ||
            Date.now() - started > CONCURRENT_TRANSACTIONS_PATIENCE_MS
          )
            throw err;
          await new Promise((resolve) => setTimeout(resolve, CONCURRENT_TRANSACTIONS_BACKOFF_MS));
        }
      }
    });
  }

  /** Adds partitions to the open transaction (those not added yet), before its batches go to them. */
  async addPartitions(partitions: { topic: string; partition: number }[]): Promise<void> {
    const fresh = new Map<string, number[]>();
    for (const { topic, partition } of partitions) {
      const k = `${topic}\u0000${partition}`;
      if (this.#added.has(k)) continue;
      let list = fresh.get(topic);
      if (list === undefined) fresh.set(topic, (list = []));
      if (!list.includes(partition)) list.push(partition);
    }
    if (fresh.size === 0) return;
    const { producerId, producerEpoch } = this.#identity();
    await this.#onCoordinator(async (broker) => {
      const res = (await broker.request(
        API.AddPartitionsToTxn,
        {
          transactions: [],
          v3AndBelowTransactionalId: this.transactionalId,
          v3AndBelowProducerId: producerId,
          v3AndBelowProducerEpoch: producerEpoch,
          v3AndBelowTopics: [...fresh].map(([name, ps]) => ({ name, partitions: ps })),
        } as never,
        { maxVersion: ADD_PARTITIONS_MAX_VERSION },
      )) as {
        resultsByTopicV3AndBelow: {
          name: string;
          resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[];
        }[];
      };
      // Errors are per partition; a retriable one (CONCURRENT_TRANSACTIONS while the previous
      // transaction completes) is retried for all, as the Java client does.
      for (const t of res.resultsByTopicV3AndBelow) {
        for (const p of t.resultsByPartition) {
          if (p.partitionErrorCode !== 0 && p.partitionErrorCode !== 55) {
            throw kafkaError(p.partitionErrorCode, {
              transactionalId: this.transactionalId,
              topic: t.name,
              partition: p.partitionIndex,
            });
          }
        }
      }
      return {};
    });
    for (const [topic, ps] of fresh) for (const p of ps) this.#added.add(`${topic}\u0000${p}`);
  }

  /**
   * A group's offsets as part of the open transaction: AddOffsetsToTxn, then TxnOffsetCommit on the
   * group's coordinator. With `member` (KIP-447, as Kafka Streams' exactly-once v2 sends it), the
   * coordinator refuses the offsets of a member no longer in that generation: a zombie is fenced.
   */
  async sendOffsets(
    groupId: string,
    commits: OffsetCommit[],
    member?: { generationId: number; memberId: string },
  ): Promise<void> {
    await this.addOffsets(groupId);
    const { producerId, producerEpoch } = this.#identity();
    const topics = new Map<string, OffsetCommit[]>();
    for (const c of commits) {
      let list = topics.get(c.topic);
      if (list === undefined) topics.set(c.topic, (list = []));
      list.push(c);
    }
    await this.#cluster.withRetry(async () => {
      const broker = await this.#cluster.coordinator(groupId, CoordinatorType.GROUP);
      const res = (await broker.request(API.TxnOffsetCommit, {
        transactionalId: this.transactionalId,
        groupId,
        producerId,
        producerEpoch,
        generationId: member?.generationId ?? -1,
        memberId: member?.memberId ?? '',
        groupInstanceId: null,
        topics: [...topics].map(([name, list]) => ({
          name,
          partitions: list.map((c) => ({
            partitionIndex: c.partition,
            committedOffset: c.offset,
            committedLeaderEpoch: -1,
            committedMetadata: c.metadata ?? null,
          })),
        })),
      } as never)) as { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] };
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === 0) continue;
          if (p.errorCode === 15 || p.errorCode === 16) this.#cluster.forgetCoordinator(groupId, CoordinatorType.GROUP);
          throw kafkaError(p.errorCode, { groupId, topic: t.name, partition: p.partitionIndex });
        }
      }
    });
  }

  /**
   * AddOffsetsToTxn: the group's offsets will be part of the open transaction. `sendOffsets` asks
   * for it; a caller that knows the transaction will carry offsets (Kafka Streams' commit does)
   * asks earlier, as the transaction's first batches go, so that the commit itself has one round
   * trip less. Asked once per transaction and group; a failure is met again by `sendOffsets`.
   */
  addOffsets(groupId: string): Promise<void> {
    let added = this.#offsetsAdded.get(groupId);
    if (added === undefined) {
      const { producerId, producerEpoch } = this.#identity();
      added = this.#onCoordinator(
        (broker) =>
          broker.request(API.AddOffsetsToTxn, {
            transactionalId: this.transactionalId,
            producerId,
            producerEpoch,
            groupId,
          } as never) as Promise<{ errorCode: number }>,
      ).then(() => undefined);
      this.#offsetsAdded.set(groupId, added);
      // Unhandled here: the commit awaits it (or the abort ends the transaction regardless).
      added.catch(() => undefined);
    }
    return added;
  }

  /** Commits or aborts the open transaction (nothing to do when it touched nothing). */
  async end(commit: boolean): Promise<void> {
    // An AddOffsetsToTxn still on its way is answered before EndTxn is asked.
    const offsets = await Promise.allSettled(this.#offsetsAdded.values());
    if (this.#added.size === 0 && !offsets.some((o) => o.status === 'fulfilled')) {
      this.#offsetsAdded.clear();
      return;
    }
    const { producerId, producerEpoch } = this.#identity();
    try {
      await this.#onCoordinator(
        (broker) =>
          broker.request(
            API.EndTxn,
            { transactionalId: this.transactionalId, producerId, producerEpoch, committed: commit } as never,
            {
              maxVersion: END_TXN_MAX_VERSION,
            },
          ) as Promise<{ errorCode: number }>,
      );
    } finally {
      this.#added.clear();
      this.#offsetsAdded.clear();
    }
  }
}
