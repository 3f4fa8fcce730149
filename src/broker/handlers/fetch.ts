/**
 * Fetch (key 1): stored batches as they are, whole (the first may start before the fetch offset;
 * clients skip those records), concatenated without re-encoding. The response stops taking
 * partitions once `maxBytes` is reached, but always carries the first batch found, however large
 * (KIP-74). With less than `minBytes`, the request waits up to `maxWaitMs` for more, woken by the
 * appends themselves (the log's waitForData), never by polling. read_committed (isolation 1) stops
 * at the last stable offset and lists the aborted transactions in the range. Fetch sessions
 * (KIP-227) are not kept: the answer's session id 0 tells clients to send full requests. v0-3 (magic
 * 0/1 message sets) are refused with UNSUPPORTED_VERSION, as Kafka 4 does. From v13 topics are named
 * by UUID.
 */
import type { TimerHandle } from '../../clock.ts';
import type { IsolationLevel, LogBackend, RawBatch } from '../../log/index.ts';
import { WaitInterrupt } from '../../log/index.ts';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.ts';
import { API } from '../../protocol/messages/index.ts';
import { RecordSegments } from '../../protocol/wire/schema.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';
import { logTopicId } from '../topic-ids.ts';
import { topicIdOf, topicLookups, topicNameOf } from '../topics.ts';

type PartitionData = FetchResponse['responses'][number]['partitions'][number];

type ReadAheadKey = {
  topicId: number;
  topic: string;
  partition: number;
  offset: number;
  isolation: IsolationLevel;
  maxBytes: number;
};

interface Wanted {
  /** The log's name, or undefined for a topic that does not exist. */
  name: string | undefined;
  /** The log's topic id, when the topic exists. */
  id: number;
  topic: string;
  topicId: string;
  partitions: { partition: number; fetchOffset: number; maxBytes: number }[];
}

interface Aborts {
  abortedTransactions(
    topic: string,
    partition: number,
    from: number,
    to: number,
  ): { producerId: number; firstOffset: number }[];
}

const EMPTY = Buffer.alloc(0);
const NONE: RawBatch[] = [];
/** Fields a one-node broker answers the same way for every partition, shared by every answer. */
const NO_DIVERGING_EPOCH = Object.freeze({ epoch: -1, endOffset: -1 });
const NO_LEADER = Object.freeze({ leaderId: -1, leaderEpoch: -1 });
const NO_SNAPSHOT = Object.freeze({ endOffset: -1, epoch: -1 });

export const fetchHandler = handler(API.Fetch, (broker, req, info) => {
  const version = info.apiVersion;
  if (req.sessionId !== 0) {
    return {
      throttleTimeMs: 0,
      errorCode: KafkaCode.FETCH_SESSION_ID_NOT_FOUND,
      sessionId: 0,
      responses: [],
      nodeEndpoints: [],
    };
  }
  const wanted = resolve(broker, req, version >= 13);
  return wanted instanceof Promise
    ? wanted.then((w) => serveFetch(broker, req, version, w))
    : serveFetch(broker, req, version, wanted);
});

async function serveFetch(
  broker: BrokerContext,
  req: FetchRequest,
  version: number,
  wanted: Wanted[],
): Promise<FetchResponse> {
  const isolation: IsolationLevel = req.isolationLevel === 1 ? 'read_committed' : 'read_uncommitted';
  // The wait's timer and the broker's close reach it through one interrupt, set up only when the
  // fetch first waits: a fetch answered from what is there (a consumer behind) starts neither.
  let interrupt: WaitInterrupt | undefined;
  let timer: TimerHandle | undefined;
  let timedOut = req.maxWaitMs <= 0;
  try {
    // A consumer at the tail asks for what is not there yet: it waits before anything is read.
    let next = req.minBytes > 0 && !timedOut ? waitingAtTail(broker.log, wanted, version, isolation) : undefined;
    for (;;) {
      if (next === undefined) {
        const read = await readAll(broker, wanted, version, isolation, req.maxBytes);
        const { responses, bytes, failed, more } = read;
        next = read.next;
        if (bytes >= req.minBytes || failed || timedOut || broker.closing.aborted || next.length === 0) {
          // The consumer asks for what follows next: read it while this answer is on its way.
          for (const m of more) broker.readAhead?.start(broker.log, m, m.maxBytes);
          return { throttleTimeMs: 0, errorCode: KafkaCode.NONE, sessionId: 0, responses, nodeEndpoints: [] };
        }
      }
      if (interrupt === undefined) {
        const waiting = new WaitInterrupt();
        interrupt = waiting;
        timer = broker.clock.setTimeout(() => {
          timedOut = true;
          waiting.interrupt();
        }, req.maxWaitMs);
        closeInterrupts(broker.closing).add(waiting);
      }
      // Woken by the first partition that gets data past what was read; the rest stop waiting.
      if (next.length === 1) {
        const [topic, partition, offset] = next[0]!;
        await broker.log.waitForData(topic, partition, offset, interrupt, isolation);
      } else {
        await Promise.race(
          next.map(([topic, partition, offset]) =>
            broker.log.waitForData(topic, partition, offset, interrupt, isolation),
          ),
        );
      }
      interrupt.interrupt();
      next = undefined;
    }
  } finally {
    if (interrupt !== undefined) {
      broker.clock.clearTimeout(timer!);
      closeInterrupts(broker.closing).delete(interrupt);
    }
  }
}

/**
 * The waits in progress under each broker's closing signal: one listener per broker interrupts
 * them all when it closes, instead of one listener added and removed per fetch.
 */
const waitsByClosing = new WeakMap<AbortSignal, Set<WaitInterrupt>>();

function closeInterrupts(closing: AbortSignal): Set<WaitInterrupt> {
  let waits = waitsByClosing.get(closing);
  if (waits === undefined) {
    const created = new Set<WaitInterrupt>();
    waits = created;
    waitsByClosing.set(closing, created);
    closing.addEventListener(
      'abort',
      () => {
        for (const w of created) w.interrupt();
      },
      { once: true },
    );
  }
  return waits;
}

/**
 * Where to wait when every partition asked for exists and has nothing at or past its fetch offset
 * yet (the offset is the end of what the reader may see); undefined when a read must come first:
 * it would find records or an error.
 */
function waitingAtTail(
  log: LogBackend,
  wanted: Wanted[],
  version: number,
  isolation: IsolationLevel,
): [string, number, number][] | undefined {
  if (version < 4) return undefined;
  const at: [string, number, number][] = [];
  for (const t of wanted) {
    if (t.name === undefined) return undefined;
    for (const p of t.partitions) {
      let offsets: ReturnType<LogBackend['offsets']>;
      try {
        offsets = log.offsets(t.name, p.partition);
      } catch {
        return undefined;
      }
      const bound = isolation === 'read_committed' ? offsets.lastStableOffset : offsets.highWatermark;
      const offset = p.fetchOffset;
      if (offset < bound || offset > offsets.highWatermark || offset < offsets.logStartOffset) return undefined;
      at.push([t.name, p.partition, offset]);
    }
  }
  return at.length === 0 ? undefined : at;
}

/** The topics asked for, as the log names them; without awaiting when the log looks them up in memory. */
function resolve(broker: BrokerContext, req: FetchRequest, byId: boolean): Wanted[] | Promise<Wanted[]> {
  const fast = topicLookups(broker);
  if (fast === undefined) return resolveSlowly(broker, req, byId);
  const out: Wanted[] = [];
  for (const t of req.topics) {
    let name: string | undefined = t.topic;
    if (byId) {
      const id = logTopicIdCached(t.topicId);
      name = id === undefined ? undefined : fast.topicNameOfId(id);
    }
    const id = name === undefined ? undefined : fast.topicIdOf(name);
    out.push(wantedOf(t, id === undefined ? undefined : name, id));
  }
  return out;
}

async function resolveSlowly(broker: BrokerContext, req: FetchRequest, byId: boolean): Promise<Wanted[]> {
  const out: Wanted[] = [];
  for (const t of req.topics) {
    const name = byId ? await topicNameOf(broker, t.topicId) : t.topic;
    const id = name === undefined ? undefined : await topicIdOf(broker, name);
    out.push(wantedOf(t, id === undefined ? undefined : name, id));
  }
  return out;
}

function wantedOf(t: FetchRequest['topics'][number], name: string | undefined, id: number | undefined): Wanted {
  return {
    name,
    id: id ?? -1,
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({
      partition: p.partition,
      fetchOffset: p.fetchOffset,
      maxBytes: p.partitionMaxBytes,
    })),
  };
}

/** UUIDs seen in fetches and the log topic ids they name: a consumer sends the same ones each time. */
const uuidIds = new Map<string, number | undefined>();

function logTopicIdCached(uuid: string): number | undefined {
  if (uuidIds.has(uuid)) return uuidIds.get(uuid);
  const id = logTopicId(uuid);
  if (uuidIds.size >= 4096) uuidIds.clear();
  uuidIds.set(uuid, id);
  return id;
}

async function readAll(
  broker: BrokerContext,
  wanted: Wanted[],
  version: number,
  isolation: IsolationLevel,
  maxBytes: number,
) {
  const { log } = broker;
  let bytes = 0;
  let failed = false;
  const next: [string, number, number][] = [];
  const more: ReadAheadKey[] = [];
  const responses: FetchResponse['responses'] = [];
  for (const t of wanted) {
    const partitions: PartitionData[] = [];
    for (const p of t.partitions) {
      if (version < 4) {
        partitions.push(errorData(p.partition, KafkaCode.UNSUPPORTED_VERSION));
        failed = true;
        continue;
      }
      if (t.name === undefined) {
        partitions.push(
          errorData(p.partition, version >= 13 ? KafkaCode.UNKNOWN_TOPIC_ID : KafkaCode.UNKNOWN_TOPIC_OR_PARTITION),
        );
        failed = true;
        continue;
      }
      try {
        const room = Math.min(p.maxBytes, maxBytes - bytes);
        // Past the response's budget, partitions answer with their offsets and no records.
        const key = { topicId: t.id, topic: t.name, partition: p.partition, offset: p.fetchOffset, isolation };
        const budget = Math.max(0, room);
        let batches: RawBatch[] = NONE;
        if (room > 0 || bytes === 0) {
          const ahead = broker.readAhead?.take(log, key, budget);
          batches =
            (ahead === undefined ? undefined : await ahead) ??
            (await log.readBatches(t.name, p.partition, p.fetchOffset, { isolation, maxBytes: budget }));
        }
        const offsets = log.offsets(t.name, p.partition);
        let size = 0;
        for (const b of batches) size += b.bytes.length;
        bytes += size;
        const last = batches.length > 0 ? batches[batches.length - 1]!.lastOffset : -1;
        next.push([t.name, p.partition, Math.max(p.fetchOffset, last + 1)]);
        const bound = isolation === 'read_committed' ? offsets.lastStableOffset : offsets.highWatermark;
        if (last >= 0 && last + 1 < bound) more.push({ ...key, offset: last + 1, maxBytes: p.maxBytes });
        partitions.push({
          partitionIndex: p.partition,
          errorCode: KafkaCode.NONE,
          highWatermark: offsets.highWatermark,
          lastStableOffset: offsets.lastStableOffset,
          logStartOffset: offsets.logStartOffset,
          divergingEpoch: NO_DIVERGING_EPOCH,
          currentLeader: NO_LEADER,
          snapshotId: NO_SNAPSHOT,
          abortedTransactions:
            isolation === 'read_committed' ? aborted(log, t.name, p.partition, p.fetchOffset, last) : null,
          preferredReadReplica: -1,
          // Several batches go out as segments, not concatenated: the encoder references them.
          records:
            batches.length === 0
              ? EMPTY
              : batches.length === 1
                ? Buffer.from(batches[0]!.bytes.buffer, batches[0]!.bytes.byteOffset, batches[0]!.bytes.byteLength)
                : RecordSegments.of(batches.map((b) => b.bytes)),
        });
      } catch (err) {
        partitions.push(errorData(p.partition, kafkaCodeOf(err)));
        failed = true;
      }
    }
    responses.push({ topic: t.topic, topicId: t.topicId, partitions });
  }
  return { responses, bytes, failed, next, more };
}

function aborted(log: LogBackend, topic: string, partition: number, from: number, to: number) {
  if (to < from) return [];
  const source = log as Partial<Aborts>;
  return typeof source.abortedTransactions === 'function' ? source.abortedTransactions(topic, partition, from, to) : [];
}

function errorData(partitionIndex: number, errorCode: number): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    divergingEpoch: NO_DIVERGING_EPOCH,
    currentLeader: NO_LEADER,
    snapshotId: NO_SNAPSHOT,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
  };
}
