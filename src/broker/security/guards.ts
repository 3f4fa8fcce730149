/**
 * What every API checks before it acts, as Kafka's `KafkaApis` asks its authorizer, kept beside the
 * handlers instead of inside them: each guard takes the decoded request, answers what the principal
 * may not do with Kafka's denial code, passes the rest to the handler, and merges both answers.
 *
 * | API | checks |
 * |---|---|
 * | Produce | TRANSACTIONAL_ID WRITE (if transactional), TOPIC WRITE per topic |
 * | Fetch, DescribeProducers | TOPIC READ per topic |
 * | ListOffsets | TOPIC DESCRIBE per topic |
 * | Metadata | TOPIC DESCRIBE (others left out of a list-all, TOPIC_AUTHORIZATION_FAILED when named); auto-creation needs CLUSTER or TOPIC CREATE |
 * | OffsetCommit | GROUP READ, TOPIC READ per topic |
 * | OffsetFetch | GROUP DESCRIBE, TOPIC DESCRIBE per topic (left out when fetching all) |
 * | FindCoordinator | GROUP DESCRIBE or TRANSACTIONAL_ID DESCRIBE per key |
 * | JoinGroup, SyncGroup, Heartbeat, LeaveGroup | GROUP READ |
 * | DescribeGroups | GROUP DESCRIBE per group; DeleteGroups GROUP DELETE per group |
 * | ListGroups | CLUSTER DESCRIBE, else only groups the principal may DESCRIBE |
 * | OffsetDelete | GROUP DELETE, TOPIC READ per topic |
 * | CreateTopics | CLUSTER CREATE or TOPIC CREATE per topic |
 * | DeleteTopics, DeleteRecords | TOPIC DELETE; CreatePartitions TOPIC ALTER |
 * | InitProducerId | TRANSACTIONAL_ID WRITE, or (idempotent) CLUSTER IDEMPOTENT_WRITE or WRITE on some topic |
 * | AddPartitionsToTxn | TRANSACTIONAL_ID WRITE, TOPIC WRITE per topic (the rest OPERATION_NOT_ATTEMPTED) |
 * | AddOffsetsToTxn | TRANSACTIONAL_ID WRITE, GROUP READ; TxnOffsetCommit also TOPIC READ; EndTxn TRANSACTIONAL_ID WRITE |
 * | DescribeConfigs / AlterConfigs / IncrementalAlterConfigs | DESCRIBE_CONFIGS / ALTER_CONFIGS on the TOPIC, or on the CLUSTER for a broker |
 * | DescribeCluster, DescribeLogDirs | CLUSTER DESCRIBE |
 * | DescribeTransactions | TRANSACTIONAL_ID DESCRIBE; ListTransactions lists only those |
 * | Create/DeleteAcls, AlterUserScramCredentials | CLUSTER ALTER; DescribeAcls, DescribeUserScramCredentials CLUSTER DESCRIBE (in their handlers) |
 *
 * The hidden security topic is denied to everyone (see `authorize.ts`). Without an authorizer the
 * guards cost a name comparison per topic.
 */
import { type AclOperation, OPERATION_CODES, type ResourceType } from '../../security/acl.ts';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.ts';
import { API, type ApiMessage } from '../../protocol/messages/index.ts';
import type { BrokerContext, RequestInfo } from '../context.ts';
import { CLOSE_CONNECTION, type Handler } from '../handler.ts';
import { topicUuid } from '../topic-ids.ts';
import { describe, topicNameOf } from '../topics.ts';
import { authorize, CLUSTER, DENIED, isHiddenTopic } from './authorize.ts';

interface Gate<Req = unknown, Res = unknown> {
  can(operation: AclOperation, resourceType: ResourceType, name: string): boolean;
  /** Passes the request (or what the guard kept of it) to the handler. */
  next(request: Req): Res | undefined | Promise<Res | undefined>;
  readonly broker: BrokerContext;
  readonly info: RequestInfo;
}

type Guard<Req, Res> = (gate: Gate<Req, Res>, request: Req) => Res | undefined | Promise<Res | undefined>;

/** One per request; a class, so that a request costs one small object and no closures. */
class RequestGate implements Gate {
  readonly broker: BrokerContext;
  readonly info: RequestInfo;
  readonly #handler: Handler;

  constructor(broker: BrokerContext, info: RequestInfo, handler: Handler) {
    this.broker = broker;
    this.info = info;
    this.#handler = handler;
  }

  can(operation: AclOperation, resourceType: ResourceType, name: string): boolean {
    return authorize(this.broker, this.info, operation, resourceType, name);
  }

  next(request: unknown): unknown {
    return this.#handler.handle(this.broker, request, this.info);
  }
}

const OPERATION_NOT_ATTEMPTED = 55;
const CONFIG_TOPIC = 2;
const CONFIG_BROKER = 4;
const CONFIG_BROKER_LOGGER = 8;

const guards = new Map<number, Guard<never, never>>();

function guard<Req, Res>(api: ApiMessage<Req, Res>, fn: Guard<Req, Res>): void {
  guards.set(api.apiKey, fn as unknown as Guard<never, never>);
}

/** Applies `fn` to a result now or once it resolves. */
function then<T, U>(result: T | Promise<T>, fn: (value: T) => U): U | Promise<U> {
  return result instanceof Promise ? result.then(fn) : fn(result);
}

/** Splits items by whether `ok` holds for each; the same array when all pass (the common case). */
function split<T>(items: readonly T[], ok: (item: T) => boolean): [T[], T[]] {
  if (items.every(ok)) return [items as T[], []];
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (ok(item) ? yes : no).push(item);
  return [yes, no];
}

const TOPIC_OPERATIONS: readonly AclOperation[] = [
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
];
const GROUP_OPERATIONS: readonly AclOperation[] = ['READ', 'DESCRIBE', 'DELETE'];
const CLUSTER_OPERATIONS: readonly AclOperation[] = [
  'CREATE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
];

/** Kafka's authorized-operations bit field: bit n set when the operation of code n is allowed. */
function authorizedOperations(g: Gate, type: ResourceType, name: string, operations: readonly AclOperation[]): number {
  let bits = 0;
  for (const op of operations) if (g.can(op, type, name)) bits |= 1 << OPERATION_CODES[op];
  return bits;
}

/** The handler wrapped in its API's guard (the handler itself when the API has none). */
export function guarded(handler: Handler): Handler {
  const fn = guards.get(handler.api.apiKey);
  if (fn === undefined) return handler;
  const guard = fn as unknown as Guard<unknown, unknown>;
  return {
    api: handler.api,
    handle: (broker, request, info) => guard(new RequestGate(broker, info, handler), request),
  };
}

// ---- Produce, Fetch and the topic reads ----

/** Whether the principal may do `operation` on every topic named; the common case, checked without allocating. */
function everyTopic(g: Pick<Gate, 'can'>, operation: AclOperation, topics: readonly { name: string }[]): boolean {
  for (const t of topics) if (!g.can(operation, 'TOPIC', t.name)) return false;
  return true;
}

guard(API.Produce, (g, req) => {
  if (req.transactionalId == null && everyTopic(g, 'WRITE', req.topicData)) return g.next(req);
  // acks=0 has no response: a refusal closes the connection instead, as Kafka does.
  const denyAll = (code: number) =>
    req.acks === 0
      ? (CLOSE_CONNECTION as never)
      : {
          throttleTimeMs: 0,
          responses: req.topicData.map((t) => ({
            name: t.name,
            partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: code, baseOffset: -1 })),
          })),
        };
  if (req.transactionalId != null && !g.can('WRITE', 'TRANSACTIONAL_ID', req.transactionalId)) {
    return denyAll(DENIED.TRANSACTIONAL_ID) as never;
  }
  const [ok, denied] = split(req.topicData, (t) => g.can('WRITE', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  const deniedResponses = denied.map((t) => ({
    name: t.name,
    partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: DENIED.TOPIC, baseOffset: -1 })),
  }));
  if (ok.length === 0)
    return (req.acks === 0 ? CLOSE_CONNECTION : { throttleTimeMs: 0, responses: deniedResponses }) as never;
  return then(g.next({ ...req, topicData: ok }), (res) =>
    res === undefined || (res as unknown) === CLOSE_CONNECTION
      ? (CLOSE_CONNECTION as never)
      : { ...res, responses: [...res.responses, ...(deniedResponses as never[])] },
  );
});

const NO_NAMES: ReadonlyMap<string, string> = new Map();

guard(API.Fetch, (g, req) => {
  let byId = false;
  for (const t of req.topics) if (t.topic === '' || t.topic === undefined) byId = true;
  if (!byId) return checkFetch(g, req, NO_NAMES);
  const names = cachedTopicNames(g.broker, req.topics);
  return names instanceof Map ? checkFetch(g, req, names) : names.then((found) => checkFetch(g, req, found));
});

function checkFetch(
  g: Gate<FetchRequest, FetchResponse>,
  req: FetchRequest,
  names: ReadonlyMap<string, string>,
): FetchResponse | undefined | Promise<FetchResponse | undefined> {
  let allowed = true;
  for (const t of req.topics) {
    const name = t.topic ? t.topic : (names.get(t.topicId) ?? '');
    // An id nobody knows is the handler's to answer (UNKNOWN_TOPIC_ID).
    if (name !== '' && !g.can('READ', 'TOPIC', name)) {
      allowed = false;
      break;
    }
  }
  if (allowed) return g.next(req);
  const nameOf = (t: (typeof req.topics)[number]) => (t.topic ? t.topic : (names.get(t.topicId) ?? ''));
  const [ok, denied] = split(req.topics, (t) => {
    const name = nameOf(t);
    return name === '' || g.can('READ', 'TOPIC', name);
  });
  const deniedResponses = denied.map((t) => ({
    topic: t.topic,
    topicId: t.topicId,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partition,
      errorCode: DENIED.TOPIC,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      abortedTransactions: null,
      records: null,
    })),
  }));
  const merge = (res: { responses: unknown[] } | undefined) =>
    res === undefined ? undefined : { ...res, responses: [...res.responses, ...deniedResponses] };
  if (ok.length === 0) return merge({ throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [] } as never) as never;
  return then(g.next({ ...req, topics: ok }), (res) => merge(res as never) as never);
}

/**
 * Topic names by UUID for Fetch v13+, cached per broker: a topic's id is never reused and its name
 * never changes, so after the first sight of an id the check costs a map lookup, not a scan.
 */
const idNameCaches = new WeakMap<BrokerContext, Map<string, string>>();

function cachedTopicNames(
  broker: BrokerContext,
  topics: readonly { topicId: string }[],
): Map<string, string> | Promise<Map<string, string>> {
  let cache = idNameCaches.get(broker);
  if (cache === undefined) {
    cache = new Map();
    idNameCaches.set(broker, cache);
  }
  const known = cache;
  let missing: string[] | undefined;
  for (const t of topics) if (!known.has(t.topicId)) (missing ??= []).push(t.topicId);
  if (missing === undefined) return known;
  return topicIdNames(broker, missing).then((found) => {
    for (const [id, name] of found) known.set(id, name);
    return known;
  });
}

/** Topic names by UUID, for requests that name topics by id (Fetch v13+). */
async function topicIdNames(broker: BrokerContext, ids: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    const name = await topicNameOf(broker, id);
    if (name !== undefined) names.set(id, name);
  }
  return names;
}

guard(API.ListOffsets, (g, req) => {
  const [ok, denied] = split(req.topics, (t) => g.can('DESCRIBE', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  const deniedTopics = denied.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: DENIED.TOPIC,
      timestamp: -1,
      offset: -1,
    })),
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, topics: deniedTopics } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(deniedTopics as never[])] },
  );
});

guard(API.DescribeProducers, (g, req) => {
  const [ok, denied] = split(req.topics, (t) => g.can('READ', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  const deniedTopics = denied.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      errorCode: DENIED.TOPIC,
      errorMessage: null,
      activeProducers: [],
    })),
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, topics: deniedTopics } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(deniedTopics as never[])] },
  );
});

guard(API.Metadata, (g, req) => {
  const canCreate = (name: string) => g.can('CREATE', 'CLUSTER', CLUSTER) || g.can('CREATE', 'TOPIC', name);
  const withTopicOps = req.includeTopicAuthorizedOperations;
  const withClusterOps = req.includeClusterAuthorizedOperations;
  const filterAll = (res: Awaited<ReturnType<typeof g.next>>) =>
    res === undefined
      ? undefined
      : {
          ...res,
          topics: res.topics
            .filter((t) => t.name === null || g.can('DESCRIBE', 'TOPIC', t.name))
            .map((t) =>
              withTopicOps && t.name !== null && t.errorCode === 0
                ? { ...t, topicAuthorizedOperations: authorizedOperations(g, 'TOPIC', t.name, TOPIC_OPERATIONS) }
                : t,
            ),
          ...(withClusterOps
            ? { clusterAuthorizedOperations: authorizedOperations(g, 'CLUSTER', CLUSTER, CLUSTER_OPERATIONS) }
            : {}),
        };
  if (req.topics === null || (g.info.apiVersion === 0 && req.topics.length === 0)) return then(g.next(req), filterAll);
  const asked = req.topics;
  const autoCreate = g.broker.autoCreateTopics && (g.info.apiVersion < 4 || req.allowAutoTopicCreation);
  const byName = asked.filter((t) => t.name !== null && t.name !== '');
  if (byName.every((t) => g.can('DESCRIBE', 'TOPIC', t.name!) && (!autoCreate || canCreate(t.name!)))) {
    // Topics asked by id alone are filtered on the way out.
    return then(g.next(req), filterAll);
  }
  return (async () => {
    const denied: string[] = [];
    const ok: typeof asked = [];
    for (const t of asked) {
      const name = t.name;
      if (name === null || name === '') ok.push(t);
      else if (!g.can('DESCRIBE', 'TOPIC', name)) denied.push(name);
      else if (autoCreate && !canCreate(name) && (await describe(g.broker, name)) === undefined) denied.push(name);
      else ok.push(t);
    }
    const res = filterAll(await g.next({ ...req, topics: ok }));
    if (res === undefined) return undefined;
    const deniedTopics = denied.map((name) => ({
      errorCode: DENIED.TOPIC,
      name,
      topicId: topicUuid(0),
      isInternal: false,
      partitions: [],
      topicAuthorizedOperations: -2147483648,
    }));
    return { ...res, topics: [...res.topics, ...deniedTopics] };
  })();
});

// ---- Groups ----

const groupRead = <Req extends { groupId: string }, Res>(api: ApiMessage<Req, Res>) =>
  guard(api, (g, req) =>
    g.can('READ', 'GROUP', req.groupId)
      ? g.next(req)
      : ({
          throttleTimeMs: 0,
          errorCode: DENIED.GROUP,
          generationId: -1,
          protocolType: null,
          protocolName: '',
          memberId: '',
          leader: '',
          members: [],
          assignment: Buffer.alloc(0),
        } as never),
  );
groupRead(API.JoinGroup);
groupRead(API.SyncGroup);
groupRead(API.Heartbeat);
guard(API.LeaveGroup, (g, req) =>
  g.can('READ', 'GROUP', req.groupId)
    ? g.next(req)
    : ({ throttleTimeMs: 0, errorCode: DENIED.GROUP, members: [] } as never),
);

guard(API.OffsetCommit, (g, req) => {
  const all = (code: number, topics: typeof req.topics) =>
    topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
    }));
  if (!g.can('READ', 'GROUP', req.groupId))
    return { throttleTimeMs: 0, topics: all(DENIED.GROUP, req.topics) } as never;
  const [ok, denied] = split(req.topics, (t) => g.can('READ', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  if (ok.length === 0) return { throttleTimeMs: 0, topics: all(DENIED.TOPIC, denied) } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(all(DENIED.TOPIC, denied) as never[])] },
  );
});

guard(API.OffsetFetch, (g, req) => {
  type Topics = { name: string; partitionIndexes: number[] }[] | null;
  const deniedTopic = (t: { name: string; partitionIndexes: number[] }) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      committedOffset: -1,
      committedLeaderEpoch: -1,
      metadata: null,
      errorCode: DENIED.TOPIC,
    })),
  });
  const visible = <T extends { name: string }>(topics: T[]) => topics.filter((t) => g.can('DESCRIBE', 'TOPIC', t.name));
  if (g.info.apiVersion < 8) {
    if (!g.can('DESCRIBE', 'GROUP', req.groupId))
      return { throttleTimeMs: 0, errorCode: DENIED.GROUP, topics: [] } as never;
    const asked = req.topics as Topics;
    if (asked === null)
      return then(g.next(req), (res) => (res === undefined ? undefined : { ...res, topics: visible(res.topics) }));
    const [ok, denied] = split(asked, (t) => g.can('DESCRIBE', 'TOPIC', t.name));
    if (denied.length === 0) return g.next(req);
    return then(g.next({ ...req, topics: ok }), (res) =>
      res === undefined ? undefined : { ...res, topics: [...res.topics, ...(denied.map(deniedTopic) as never[])] },
    );
  }
  const refusedGroups = req.groups.filter((gr) => !g.can('DESCRIBE', 'GROUP', gr.groupId));
  const allowed = req.groups.filter((gr) => g.can('DESCRIBE', 'GROUP', gr.groupId));
  const deniedByGroup = new Map<string, { name: string; partitionIndexes: number[] }[]>();
  const groups = allowed.map((gr) => {
    if (gr.topics === null) return gr;
    const [ok, denied] = split(gr.topics, (t) => g.can('DESCRIBE', 'TOPIC', t.name));
    if (denied.length > 0) deniedByGroup.set(gr.groupId, denied);
    return { ...gr, topics: ok };
  });
  if (
    refusedGroups.length === 0 &&
    deniedByGroup.size === 0 &&
    groups.every((gr) => gr.topics !== null) &&
    groups === allowed
  )
    return g.next(req);
  const refused = refusedGroups.map((gr) => ({ groupId: gr.groupId, topics: [], errorCode: DENIED.GROUP }));
  const finish = (res: { groups: { groupId: string; topics: { name: string }[] }[] } | undefined) =>
    res === undefined
      ? undefined
      : {
          ...res,
          groups: [
            ...res.groups.map((gr) => ({
              ...gr,
              topics: [...visible(gr.topics), ...(deniedByGroup.get(gr.groupId) ?? []).map(deniedTopic)],
            })),
            ...refused,
          ],
        };
  if (groups.length === 0) return finish({ throttleTimeMs: 0, groups: [] } as never) as never;
  return then(g.next({ ...req, groups }), (res) => finish(res as never) as never);
});

guard(API.FindCoordinator, (g, req) => {
  const type: ResourceType = req.keyType === 1 ? 'TRANSACTIONAL_ID' : 'GROUP';
  const code = type === 'GROUP' ? DENIED.GROUP : DENIED.TRANSACTIONAL_ID;
  if (g.info.apiVersion < 4) {
    return g.can('DESCRIBE', type, req.key)
      ? g.next(req)
      : ({ throttleTimeMs: 0, errorCode: code, errorMessage: null, nodeId: -1, host: '', port: -1 } as never);
  }
  const [ok, denied] = split(req.coordinatorKeys, (k) => g.can('DESCRIBE', type, k));
  if (denied.length === 0) return g.next(req);
  const deniedKeys = denied.map((key) => ({
    key,
    nodeId: -1,
    host: '',
    port: -1,
    errorCode: code,
    errorMessage: null,
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, coordinators: deniedKeys } as never;
  return then(g.next({ ...req, coordinatorKeys: ok }), (res) =>
    res === undefined ? undefined : { ...res, coordinators: [...res.coordinators, ...(deniedKeys as never[])] },
  );
});

guard(API.DescribeGroups, (g, req) => {
  const [ok, denied] = split(req.groups, (id) => g.can('DESCRIBE', 'GROUP', id));
  const withOps = (res: Awaited<ReturnType<typeof g.next>>) =>
    res === undefined || !req.includeAuthorizedOperations
      ? res
      : {
          ...res,
          groups: res.groups.map((gr) =>
            gr.errorCode === 0
              ? { ...gr, authorizedOperations: authorizedOperations(g, 'GROUP', gr.groupId, GROUP_OPERATIONS) }
              : gr,
          ),
        };
  if (denied.length === 0) return then(g.next(req), withOps);
  const deniedGroups = denied.map((groupId) => ({
    errorCode: DENIED.GROUP,
    errorMessage: null,
    groupId,
    groupState: '',
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: -2147483648,
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, groups: deniedGroups } as never;
  return then(g.next({ ...req, groups: ok }), (res) => {
    const withAll = withOps(res);
    return withAll === undefined
      ? undefined
      : { ...withAll, groups: [...withAll.groups, ...(deniedGroups as never[])] };
  });
});

guard(API.DeleteGroups, (g, req) => {
  const [ok, denied] = split(req.groupsNames, (id) => g.can('DELETE', 'GROUP', id));
  if (denied.length === 0) return g.next(req);
  const deniedResults = denied.map((groupId) => ({ groupId, errorCode: DENIED.GROUP }));
  if (ok.length === 0) return { throttleTimeMs: 0, results: deniedResults } as never;
  return then(g.next({ ...req, groupsNames: ok }), (res) =>
    res === undefined ? undefined : { ...res, results: [...res.results, ...(deniedResults as never[])] },
  );
});

guard(API.ListGroups, (g, req) => {
  if (g.can('DESCRIBE', 'CLUSTER', CLUSTER)) return g.next(req);
  return then(g.next(req), (res) =>
    res === undefined
      ? undefined
      : { ...res, groups: res.groups.filter((gr) => g.can('DESCRIBE', 'GROUP', gr.groupId)) },
  );
});

guard(API.OffsetDelete, (g, req) => {
  if (!g.can('DELETE', 'GROUP', req.groupId))
    return { errorCode: DENIED.GROUP, throttleTimeMs: 0, topics: [] } as never;
  const [ok, denied] = split(req.topics, (t) => g.can('READ', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  const deniedTopics = denied.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: DENIED.TOPIC })),
  }));
  if (ok.length === 0) return { errorCode: 0, throttleTimeMs: 0, topics: deniedTopics } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(deniedTopics as never[])] },
  );
});

// ---- Topic administration ----

guard(API.CreateTopics, (g, req) => {
  const clusterCreate = g.can('CREATE', 'CLUSTER', CLUSTER);
  const [ok, denied] = split(
    req.topics,
    (t) => (clusterCreate && !isHiddenTopic(t.name)) || g.can('CREATE', 'TOPIC', t.name),
  );
  if (denied.length === 0) return g.next(req);
  const deniedTopics = denied.map((t) => ({
    name: t.name,
    topicId: topicUuid(0),
    errorCode: DENIED.TOPIC,
    errorMessage: 'Authorization failed.',
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, topics: deniedTopics } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(deniedTopics as never[])] },
  );
});

guard(API.DeleteTopics, (g, req) => {
  if (g.info.apiVersion < 6) {
    const [ok, denied] = split(req.topicNames, (n) => g.can('DELETE', 'TOPIC', n));
    if (denied.length === 0) return g.next(req);
    const deniedResponses = denied.map((name) => ({ name, errorCode: DENIED.TOPIC, errorMessage: null }));
    if (ok.length === 0) return { throttleTimeMs: 0, responses: deniedResponses } as never;
    return then(g.next({ ...req, topicNames: ok }), (res) =>
      res === undefined ? undefined : { ...res, responses: [...res.responses, ...(deniedResponses as never[])] },
    );
  }
  return (async () => {
    const names = await topicIdNames(
      g.broker,
      req.topics.filter((t) => t.name === null || t.name === '').map((t) => t.topicId),
    );
    const nameOf = (t: (typeof req.topics)[number]) => (t.name ? t.name : names.get(t.topicId));
    const [ok, denied] = split(req.topics, (t) => {
      const name = nameOf(t);
      return name === undefined || g.can('DELETE', 'TOPIC', name);
    });
    if (denied.length === 0) return g.next(req);
    const deniedResponses = denied.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      errorCode: DENIED.TOPIC,
      errorMessage: null,
    }));
    const res =
      ok.length === 0 ? ({ throttleTimeMs: 0, responses: [] } as never) : await g.next({ ...req, topics: ok });
    return res === undefined ? undefined : { ...res, responses: [...res.responses, ...(deniedResponses as never[])] };
  })();
});

guard(API.CreatePartitions, (g, req) => {
  const [ok, denied] = split(req.topics, (t) => g.can('ALTER', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  const deniedResults = denied.map((t) => ({ name: t.name, errorCode: DENIED.TOPIC, errorMessage: null }));
  if (ok.length === 0) return { throttleTimeMs: 0, results: deniedResults } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, results: [...res.results, ...(deniedResults as never[])] },
  );
});

guard(API.DeleteRecords, (g, req) => {
  const [ok, denied] = split(req.topics, (t) => g.can('DELETE', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  const deniedTopics = denied.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      lowWatermark: -1,
      errorCode: DENIED.TOPIC,
    })),
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, topics: deniedTopics } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(deniedTopics as never[])] },
  );
});

const configResource = (resourceType: number, name: string): [ResourceType, string] | undefined =>
  resourceType === CONFIG_TOPIC
    ? ['TOPIC', name]
    : resourceType === CONFIG_BROKER || resourceType === CONFIG_BROKER_LOGGER
      ? ['CLUSTER', CLUSTER]
      : undefined;

const configsGuard = <Req extends { resources: { resourceType: number; resourceName: string }[] }, Res extends object>(
  api: ApiMessage<Req, Res>,
  operation: AclOperation,
  listField: 'results' | 'responses',
) =>
  guard(api, (g, req) => {
    const permitted = (r: { resourceType: number; resourceName: string }) => {
      const resource = configResource(r.resourceType, r.resourceName);
      return resource === undefined || g.can(operation, resource[0], resource[1]);
    };
    const [ok, denied] = split(req.resources, permitted);
    if (denied.length === 0) return g.next(req);
    const deniedResults = denied.map((r) => ({
      errorCode: r.resourceType === CONFIG_TOPIC ? DENIED.TOPIC : DENIED.CLUSTER,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    }));
    if (ok.length === 0) return { throttleTimeMs: 0, [listField]: deniedResults } as never;
    return then(g.next({ ...req, resources: ok }), (res) => {
      if (res === undefined) return undefined;
      const list = (res as Record<string, unknown[]>)[listField] ?? [];
      return { ...res, [listField]: [...list, ...deniedResults] } as Res;
    });
  });
configsGuard(API.DescribeConfigs, 'DESCRIBE_CONFIGS', 'results');
configsGuard(API.AlterConfigs, 'ALTER_CONFIGS', 'responses');
configsGuard(API.IncrementalAlterConfigs, 'ALTER_CONFIGS', 'responses');

// Kafka answers no directories to a principal without CLUSTER DESCRIBE, and (v3+) says why.
guard(API.DescribeLogDirs, (g, req) =>
  g.can('DESCRIBE', 'CLUSTER', CLUSTER)
    ? g.next(req)
    : ({ throttleTimeMs: 0, errorCode: DENIED.CLUSTER, results: [] } as never),
);

guard(API.DescribeCluster, (g, req) =>
  g.can('DESCRIBE', 'CLUSTER', CLUSTER)
    ? then(g.next(req), (res) =>
        res === undefined || !req.includeClusterAuthorizedOperations
          ? res
          : { ...res, clusterAuthorizedOperations: authorizedOperations(g, 'CLUSTER', CLUSTER, CLUSTER_OPERATIONS) },
      )
    : ({
        throttleTimeMs: 0,
        errorCode: DENIED.CLUSTER,
        errorMessage: null,
        clusterId: '',
        controllerId: -1,
        brokers: [],
      } as never),
);

// ---- Producers and transactions ----

guard(API.InitProducerId, (g, req) => {
  const denied = (code: number) => ({ throttleTimeMs: 0, errorCode: code, producerId: -1, producerEpoch: -1 }) as never;
  if (req.transactionalId != null) {
    return g.can('WRITE', 'TRANSACTIONAL_ID', req.transactionalId) ? g.next(req) : denied(DENIED.TRANSACTIONAL_ID);
  }
  return g.can('IDEMPOTENT_WRITE', 'CLUSTER', CLUSTER) || canWriteSomeTopic(g) ? g.next(req) : denied(DENIED.CLUSTER);
});

/** Kafka 3's rule for idempotent producers: IDEMPOTENT_WRITE on the cluster, or WRITE on any topic. */
function canWriteSomeTopic(g: Gate): boolean {
  const authorizer = g.broker.security?.authorizer;
  if (authorizer === undefined) return true;
  const principal = g.info.principal ?? 'User:ANONYMOUS';
  if (authorizer.superUsers.has(principal)) return true;
  return authorizer
    .describeAcls({
      resourceType: 'TOPIC',
      resourceName: null,
      patternType: 'ANY',
      principal: null,
      host: null,
      operation: 'ANY',
      permission: 'ALLOW',
    })
    .some(
      (acl) =>
        (acl.operation === 'WRITE' || acl.operation === 'ALL') &&
        (acl.principal === principal || acl.principal === 'User:*') &&
        // A name the ACL covers (the prefix itself for PREFIXED), so that a DENY still wins.
        g.can('WRITE', 'TOPIC', acl.resourceName),
    );
}

guard(API.AddPartitionsToTxn, (g, req) => {
  type Topic = { name: string; partitions: number[] };
  const results = (topics: Topic[], code: (t: Topic) => number) =>
    topics.map((t) => ({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code(t) })),
    }));
  const check = (transactionalId: string, topics: Topic[]) => {
    if (!g.can('WRITE', 'TRANSACTIONAL_ID', transactionalId)) return results(topics, () => DENIED.TRANSACTIONAL_ID);
    if (topics.every((t) => g.can('WRITE', 'TOPIC', t.name))) return undefined;
    // Kafka adds none of them when one is refused.
    return results(topics, (t) => (g.can('WRITE', 'TOPIC', t.name) ? OPERATION_NOT_ATTEMPTED : DENIED.TOPIC));
  };
  if (g.info.apiVersion < 4) {
    const refused = check(req.v3AndBelowTransactionalId, req.v3AndBelowTopics);
    return refused === undefined ? g.next(req) : ({ throttleTimeMs: 0, resultsByTopicV3AndBelow: refused } as never);
  }
  const refusedResults: { transactionalId: string; topicResults: unknown[] }[] = [];
  const ok = req.transactions.filter((t) => {
    const refused = check(t.transactionalId, t.topics);
    if (refused !== undefined) refusedResults.push({ transactionalId: t.transactionalId, topicResults: refused });
    return refused === undefined;
  });
  if (refusedResults.length === 0) return g.next(req);
  if (ok.length === 0) return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: refusedResults } as never;
  return then(g.next({ ...req, transactions: ok }), (res) =>
    res === undefined
      ? undefined
      : { ...res, resultsByTransaction: [...res.resultsByTransaction, ...(refusedResults as never[])] },
  );
});

guard(API.AddOffsetsToTxn, (g, req) => {
  if (!g.can('WRITE', 'TRANSACTIONAL_ID', req.transactionalId))
    return { throttleTimeMs: 0, errorCode: DENIED.TRANSACTIONAL_ID } as never;
  if (!g.can('READ', 'GROUP', req.groupId)) return { throttleTimeMs: 0, errorCode: DENIED.GROUP } as never;
  return g.next(req);
});

guard(API.TxnOffsetCommit, (g, req) => {
  const all = (code: number, topics: typeof req.topics) =>
    topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
    }));
  if (!g.can('WRITE', 'TRANSACTIONAL_ID', req.transactionalId))
    return { throttleTimeMs: 0, topics: all(DENIED.TRANSACTIONAL_ID, req.topics) } as never;
  if (!g.can('READ', 'GROUP', req.groupId))
    return { throttleTimeMs: 0, topics: all(DENIED.GROUP, req.topics) } as never;
  const [ok, denied] = split(req.topics, (t) => g.can('READ', 'TOPIC', t.name));
  if (denied.length === 0) return g.next(req);
  if (ok.length === 0) return { throttleTimeMs: 0, topics: all(DENIED.TOPIC, denied) } as never;
  return then(g.next({ ...req, topics: ok }), (res) =>
    res === undefined ? undefined : { ...res, topics: [...res.topics, ...(all(DENIED.TOPIC, denied) as never[])] },
  );
});

guard(API.EndTxn, (g, req) =>
  g.can('WRITE', 'TRANSACTIONAL_ID', req.transactionalId)
    ? g.next(req)
    : ({ throttleTimeMs: 0, errorCode: DENIED.TRANSACTIONAL_ID, producerId: -1, producerEpoch: -1 } as never),
);

guard(API.DescribeTransactions, (g, req) => {
  const [ok, denied] = split(req.transactionalIds, (id) => g.can('DESCRIBE', 'TRANSACTIONAL_ID', id));
  if (denied.length === 0) return g.next(req);
  const deniedStates = denied.map((transactionalId) => ({
    errorCode: DENIED.TRANSACTIONAL_ID,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1,
    producerId: -1,
    producerEpoch: -1,
    topics: [],
  }));
  if (ok.length === 0) return { throttleTimeMs: 0, transactionStates: deniedStates } as never;
  return then(g.next({ ...req, transactionalIds: ok }), (res) =>
    res === undefined
      ? undefined
      : { ...res, transactionStates: [...res.transactionStates, ...(deniedStates as never[])] },
  );
});

guard(API.ListTransactions, (g, req) =>
  then(g.next(req), (res) =>
    res === undefined
      ? undefined
      : {
          ...res,
          transactionStates: res.transactionStates.filter((t) =>
            g.can('DESCRIBE', 'TRANSACTIONAL_ID', t.transactionalId),
          ),
        },
  ),
);
