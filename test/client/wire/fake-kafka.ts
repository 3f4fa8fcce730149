/**
 * A tiny Kafka cluster made of the codecs, for the wire client's unit tests: N brokers on 127.0.0.1
 * port 0 sharing one state (topics, leaders, records per partition, coordinators). Each API has a
 * default handler; a test overrides one with `cluster.on(apiKey, handler)` to script errors (a
 * leader that moved, a coordinator that is not one) and counts what each broker was asked.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { API, apiByKey } from '../../../src/protocol/messages/index.ts';
import type { ApiMessage } from '../../../src/protocol/wire/api.ts';
import { decodeRequestHeader, encodeResponse } from '../../../src/protocol/wire/header.ts';
import { readBatchHeader } from '../../../src/protocol/record-batch.ts';

export interface FakeBroker {
  nodeId: number;
  port: number;
  server: Server;
  sockets: Socket[];
  /** Requests this broker received: `[apiName, version]`. */
  received: [string, number][];
  /** Version ranges it advertises; default our codecs' full ranges. */
  versions: Map<number, { minVersion: number; maxVersion: number }>;
}

export interface FakeTopic {
  /** Leader node id per partition. */
  leaders: number[];
  /** Stored batches per partition (raw bytes), so offsets advance. */
  logs: Buffer[][];
  next: number[];
}

export interface HandlerContext {
  broker: FakeBroker;
  version: number;
  cluster: FakeKafka;
}

// biome-ignore lint/suspicious/noExplicitAny: a handler takes the request body of whichever API it serves
export type Handler = (request: any, ctx: HandlerContext) => unknown | undefined;

export class FakeKafka {
  readonly brokers: FakeBroker[] = [];
  readonly topics = new Map<string, FakeTopic>();
  /** Node id of the group / transaction coordinator. */
  coordinator = 1;
  readonly #handlers = new Map<number, Handler>();
  nextProducerId = 1000;
  /** Errors thrown by handlers (the connection was closed on each). */
  readonly errors: unknown[] = [];

  static async start(nodes = 1): Promise<FakeKafka> {
    const cluster = new FakeKafka();
    for (let i = 1; i <= nodes; i++) await cluster.#listen(i);
    return cluster;
  }

  async #listen(nodeId: number): Promise<void> {
    const versions = new Map<number, { minVersion: number; maxVersion: number }>();
    for (const api of Object.values(API) as ApiMessage[])
      versions.set(api.apiKey, { minVersion: api.minVersion, maxVersion: api.maxVersion });
    const broker: FakeBroker = { nodeId, port: 0, server: createServer(), sockets: [], received: [], versions };
    broker.server.on('connection', (socket) => this.#serve(broker, socket));
    await new Promise<void>((resolve) => broker.server.listen(0, '127.0.0.1', resolve));
    broker.port = (broker.server.address() as { port: number }).port;
    this.brokers.push(broker);
  }

  get bootstrap(): string[] {
    return this.brokers.map((b) => `127.0.0.1:${b.port}`);
  }

  broker(nodeId: number): FakeBroker {
    return this.brokers.find((b) => b.nodeId === nodeId)!;
  }

  createTopic(
    name: string,
    partitions: number,
    leader: (p: number) => number = (p) => this.brokers[p % this.brokers.length]!.nodeId,
  ): void {
    this.topics.set(name, {
      leaders: Array.from({ length: partitions }, (_, p) => leader(p)),
      logs: Array.from({ length: partitions }, () => []),
      next: new Array(partitions).fill(0),
    });
  }

  /** Replaces the handler of an API; return undefined from it to fall back to the default. */
  on(apiKey: number, handler: Handler): void {
    this.#handlers.set(apiKey, handler);
  }

  #serve(broker: FakeBroker, socket: Socket): void {
    broker.sockets.push(socket);
    let buffered = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const size = buffered.readInt32BE(0);
        const frame = buffered.subarray(4, 4 + size);
        buffered = buffered.subarray(4 + size);
        const header = decodeRequestHeader(frame);
        const api = apiByKey(header.apiKey)!;
        broker.received.push([api.name, header.apiVersion]);
        const range = broker.versions.get(api.apiKey);
        if (api.apiKey === API.ApiVersions.apiKey && (range === undefined || header.apiVersion > range.maxVersion)) {
          // KIP-511: an ApiVersions version the broker does not know gets a v0 body with error 35.
          socket.write(
            encodeResponse(api, 0, header.correlationId, {
              errorCode: 35,
              apiKeys: [{ apiKey: 18, ...range! }],
            } as never),
          );
          continue;
        }
        try {
          const body = api.decodeRequest(header.apiVersion, frame.subarray(header.bodyOffset));
          const ctx: HandlerContext = { broker, version: header.apiVersion, cluster: this };
          const response = this.#handlers.get(api.apiKey)?.(body, ctx) ?? this.#default(api.apiKey, body, ctx);
          if (response === null) continue; // acks 0, or a test that never answers
          socket.write(encodeResponse(api, header.apiVersion, header.correlationId, response as never));
        } catch (err) {
          // A bug in a handler must fail the test at once, not leave the client waiting.
          this.errors.push(err);
          socket.destroy();
          return;
        }
      }
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: the body of whichever API the key names
  #default(apiKey: number, req: any, { broker }: HandlerContext): unknown {
    switch (apiKey) {
      case API.ApiVersions.apiKey:
        return {
          errorCode: 0,
          apiKeys: [...broker.versions].map(([k, r]) => ({ apiKey: k, ...r })),
          throttleTimeMs: 0,
        };
      case API.Metadata.apiKey: {
        const names: string[] =
          req.topics === null ? [...this.topics.keys()] : req.topics.map((t: { name: string }) => t.name);
        return {
          throttleTimeMs: 0,
          brokers: this.brokers.map((b) => ({ nodeId: b.nodeId, host: '127.0.0.1', port: b.port, rack: null })),
          clusterId: 'fake',
          controllerId: this.brokers[0]!.nodeId,
          topics: names.map((name) => {
            const t = this.topics.get(name);
            if (t === undefined)
              return { errorCode: 3, name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions: [] };
            return {
              errorCode: 0,
              name,
              topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
              isInternal: false,
              partitions: t.leaders.map((leaderId, partitionIndex) => ({
                errorCode: 0,
                partitionIndex,
                leaderId,
                leaderEpoch: 0,
                replicaNodes: [leaderId],
                isrNodes: [leaderId],
                offlineReplicas: [],
              })),
            };
          }),
        };
      }
      case API.Produce.apiKey: {
        const responses = req.topicData.map(
          (t: { name: string; partitionData: { index: number; records: Buffer }[] }) => ({
            name: t.name,
            partitionResponses: t.partitionData.map((p) => {
              const topic = this.topics.get(t.name);
              const base = {
                index: p.index,
                baseOffset: -1,
                logAppendTimeMs: -1,
                logStartOffset: 0,
                recordErrors: [],
                errorMessage: null,
              };
              if (topic === undefined || p.index >= topic.leaders.length) return { ...base, errorCode: 3 };
              if (topic.leaders[p.index] !== broker.nodeId) return { ...base, errorCode: 6 };
              const header = readBatchHeader(p.records);
              const baseOffset = topic.next[p.index]!;
              topic.next[p.index] = baseOffset + header.recordCount;
              topic.logs[p.index]!.push(Buffer.from(p.records));
              return { ...base, errorCode: 0, baseOffset };
            }),
          }),
        );
        return req.acks === 0 ? null : { responses, throttleTimeMs: 0 };
      }
      case API.CreateTopics.apiKey:
        return {
          throttleTimeMs: 0,
          topics: req.topics.map((t: { name: string; numPartitions: number }) => {
            const exists = this.topics.has(t.name);
            if (!exists) this.createTopic(t.name, t.numPartitions < 0 ? 1 : t.numPartitions);
            return {
              name: t.name,
              topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
              errorCode: exists ? 36 : 0,
              errorMessage: null,
              numPartitions: -1,
              replicationFactor: -1,
              configs: null,
            };
          }),
        };
      case API.FindCoordinator.apiKey: {
        const c = this.broker(this.coordinator);
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          errorMessage: null,
          nodeId: c.nodeId,
          host: '127.0.0.1',
          port: c.port,
          coordinators: [
            {
              key: req.key || req.coordinatorKeys[0],
              nodeId: c.nodeId,
              host: '127.0.0.1',
              port: c.port,
              errorCode: 0,
              errorMessage: null,
            },
          ],
        };
      }
      case API.InitProducerId.apiKey:
        return { throttleTimeMs: 0, errorCode: 0, producerId: this.nextProducerId++, producerEpoch: 0 };
      case API.ListOffsets.apiKey:
        return {
          throttleTimeMs: 0,
          topics: req.topics.map(
            (t: { name: string; partitions: { partitionIndex: number; timestamp: number }[] }) => ({
              name: t.name,
              partitions: t.partitions.map((p) => {
                const topic = this.topics.get(t.name)!;
                const offset = p.timestamp === -2 ? 0 : topic.next[p.partitionIndex]!;
                return {
                  partitionIndex: p.partitionIndex,
                  errorCode: 0,
                  oldStyleOffsets: [offset],
                  timestamp: -1,
                  offset,
                  leaderEpoch: 0,
                };
              }),
            }),
          ),
        };
      default:
        throw new Error(`fake Kafka has no handler for API ${apiKey}`);
    }
  }

  async stop(): Promise<void> {
    for (const b of this.brokers) {
      for (const s of b.sockets) s.destroy();
      await new Promise((resolve) => b.server.close(resolve));
    }
  }
}
