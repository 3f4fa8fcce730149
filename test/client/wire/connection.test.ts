import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import {
  Connection,
  type RequestEventPayload,
  type RequestQueueSizeEventPayload,
  type RequestTimeoutEventPayload,
  type WireRequest,
} from '../../../src/client/wire/connection.ts';

/**
 * A hand-framed "Echo" API: the request frame is size, correlation id, payload; the server answers
 * size, correlation id, payload. Enough to test framing, correlation and pipelining without codecs.
 */
function echo(payload: string, expectResponse = true): WireRequest<string> {
  return {
    apiKey: 999,
    apiName: 'Echo',
    apiVersion: 0,
    expectResponse,
    encode(correlationId) {
      const body = Buffer.from(payload);
      const frame = Buffer.alloc(8 + body.length);
      frame.writeInt32BE(4 + body.length, 0);
      frame.writeInt32BE(correlationId, 4);
      body.copy(frame, 8);
      return frame;
    },
    decode(frame) {
      return frame.subarray(4).toString();
    },
  };
}

interface FakeServer {
  server: Server;
  port: number;
  sockets: Socket[];
  /** Requests seen, in order: [correlationId, payload]. */
  seen: [number, string][];
}

/** A server that answers each Echo request through `respond` (which may hold it back). */
async function fakeServer(
  respond: (socket: Socket, correlationId: number, payload: string, frame: Buffer) => void,
): Promise<FakeServer> {
  const sockets: Socket[] = [];
  const seen: [number, string][] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const size = buffered.readInt32BE(0);
        const frame = buffered.subarray(0, 4 + size);
        buffered = buffered.subarray(4 + size);
        const correlationId = frame.readInt32BE(4);
        const payload = frame.subarray(8).toString();
        seen.push([correlationId, payload]);
        respond(socket, correlationId, payload, Buffer.from(frame));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets, seen };
}

const servers: FakeServer[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close();
  for (const s of servers.splice(0)) {
    for (const socket of s.sockets) socket.destroy();
    await new Promise((resolve) => s.server.close(resolve));
  }
});

async function setup(
  respond: Parameters<typeof fakeServer>[0],
  options: Partial<ConstructorParameters<typeof Connection>[0]> = {},
) {
  const fake = await fakeServer(respond);
  servers.push(fake);
  const connection = new Connection({ host: '127.0.0.1', port: fake.port, clientId: 'test', ...options });
  connections.push(connection);
  return { fake, connection };
}

const answerNow = (socket: Socket, _id: number, _payload: string, frame: Buffer) => socket.write(frame);

describe('Connection', () => {
  it('shouldMatchEachResponseToItsRequestByCorrelationId', async () => {
    const { connection, fake } = await setup(answerNow);
    const answers = await Promise.all(['a', 'bb', 'ccc'].map((p) => connection.send(echo(p))));
    expect(answers).toEqual(['a', 'bb', 'ccc']);
    expect(fake.seen.map(([id]) => id)).toEqual([1, 2, 3]);
  });

  it('shouldReassembleFramesSplitAcrossChunksAndSeveralFramesInOneChunk', async () => {
    const held: Buffer[] = [];
    const { connection } = await setup((socket, _id, payload, frame) => {
      held.push(frame);
      if (payload !== 'last') return;
      // All answers in one buffer, written one byte at a time for the first and in one go for the rest.
      const all = Buffer.concat(held);
      for (let i = 0; i < 10; i++) socket.write(all.subarray(i, i + 1));
      socket.write(all.subarray(10));
    });
    const big = 'x'.repeat(100_000);
    const answers = await Promise.all([
      connection.send(echo('first')),
      connection.send(echo(big)),
      connection.send(echo('last')),
    ]);
    expect(answers).toEqual(['first', big, 'last']);
  });

  it('shouldKeepAtMostMaxInFlightRequestsOnTheWireAndQueueTheRest', async () => {
    const pending: (() => void)[] = [];
    const queueSizes: number[] = [];
    const { connection, fake } = await setup((socket, _id, _p, frame) => pending.push(() => socket.write(frame)), {
      maxInFlightRequests: 2,
      instrumentation: { requestQueueSize: (p: RequestQueueSizeEventPayload) => queueSizes.push(p.queueSize) },
    });
    const sends = ['1', '2', '3', '4', '5'].map((p) => connection.send(echo(p)));
    await waitFor(() => fake.seen.length === 2);
    expect(fake.seen.map(([, p]) => p)).toEqual(['1', '2']);
    pending.shift()!();
    await waitFor(() => fake.seen.length === 3);
    pending.shift()!();
    pending.shift()!();
    await waitFor(() => fake.seen.length === 5);
    for (const answer of pending.splice(0)) answer();
    expect(await Promise.all(sends)).toEqual(['1', '2', '3', '4', '5']);
    expect(queueSizes[0]).toBe(1);
    expect(Math.max(...queueSizes)).toBe(3);
    expect(queueSizes.at(-1)).toBe(0);
  });

  it('shouldTimeARequestOutAfterRequestTimeoutAndDropItsLateAnswer', async () => {
    let late: (() => void) | undefined;
    const timeouts: RequestTimeoutEventPayload[] = [];
    const { connection } = await setup(
      (socket, _id, payload, frame) => {
        if (payload === 'slow') late = () => socket.write(frame);
        else socket.write(frame);
      },
      { requestTimeout: 50, instrumentation: { requestTimeout: (p) => timeouts.push(p) } },
    );
    const err = await connection.send(echo('slow')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    expect((err as TributaryError).code).toBe('REQUEST_TIMED_OUT');
    expect((err as TributaryError).retriable).toBe(true);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toMatchObject({
      broker: `127.0.0.1:${connection.port}`,
      clientId: 'test',
      correlationId: 1,
      apiName: 'Echo',
      apiKey: 999,
      apiVersion: 0,
    });
    late!();
    // The connection goes on: the late answer is dropped and the next request gets its own.
    expect(await connection.send(echo('next'))).toBe('next');
  });

  it('shouldEmitARequestEventWithKafkajsPayloadPerAnswer', async () => {
    const events: RequestEventPayload[] = [];
    const { connection } = await setup(answerNow, { instrumentation: { request: (p) => events.push(p) } });
    await connection.send(echo('hello'));
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(Object.keys(e!).sort()).toEqual(
      [
        'apiKey',
        'apiName',
        'apiVersion',
        'broker',
        'clientId',
        'correlationId',
        'createdAt',
        'duration',
        'pendingDuration',
        'sentAt',
        'size',
      ].sort(),
    );
    expect(e).toMatchObject({ apiName: 'Echo', correlationId: 1, size: 4 + 4 + 5, clientId: 'test' });
  });

  it('shouldFailEverythingInFlightWithARetriableConnectionErrorWhenTheBrokerGoesAway', async () => {
    const { connection, fake } = await setup(() => undefined);
    const sends = [connection.send(echo('a')), connection.send(echo('b'))];
    await waitFor(() => fake.seen.length === 2);
    fake.sockets[0]!.destroy();
    for (const s of sends) {
      const err = await s.catch((e: unknown) => e);
      expect((err as TributaryError).code).toBe('CONNECTION_ERROR');
      expect((err as TributaryError).retriable).toBe(true);
    }
    expect(connection.connected).toBe(false);
  });

  it('shouldReconnectOnTheNextSendAfterALostConnection', async () => {
    const { connection, fake } = await setup(answerNow);
    expect(await connection.send(echo('one'))).toBe('one');
    fake.sockets[0]!.destroy();
    await waitFor(() => !connection.connected);
    expect(await connection.send(echo('two'))).toBe('two');
    expect(fake.sockets).toHaveLength(2);
  });

  it('shouldRejectWithConnectionErrorWhenNothingListens', async () => {
    const { fake } = await setup(answerNow);
    const port = fake.port;
    await new Promise((resolve) => fake.server.close(resolve));
    servers.length = 0;
    const connection = new Connection({ host: '127.0.0.1', port, clientId: 'test', connectionTimeout: 500 });
    const err = await connection.connect().catch((e: unknown) => e);
    expect((err as TributaryError).code).toBe('CONNECTION_ERROR');
    expect((err as TributaryError).retriable).toBe(true);
  });

  it('shouldLeaveNoSocketOpenWhenClosedWhileStillConnecting', async () => {
    const { connection, fake } = await setup(answerNow);
    const sent = connection.send(echo('never'));
    await connection.close();
    await expect(sent).rejects.toMatchObject({ code: 'CONNECTION_ERROR', retriable: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.connected).toBe(false);
    // An open socket would keep a short-lived program (a trib command) from exiting.
    const open = await new Promise<number>((resolve) => fake.server.getConnections((_err, count) => resolve(count)));
    expect(open).toBe(0);
    expect(fake.seen).toEqual([]);
  });

  it('shouldResolveARequestThatExpectsNoResponseOnceWritten', async () => {
    const { connection, fake } = await setup(() => undefined);
    await expect(connection.send(echo('fire-and-forget', false))).resolves.toBeUndefined();
    await waitFor(() => fake.seen.length === 1);
    expect(fake.seen[0]![1]).toBe('fire-and-forget');
  });

  it('shouldHandTheDecodersErrorToItsRequestOnly', async () => {
    const { connection } = await setup(answerNow);
    const broken: WireRequest<string> = {
      ...echo('x'),
      decode() {
        throw new TributaryError('CORRUPT_MESSAGE', 'bad bytes');
      },
    };
    await expect(connection.send(broken)).rejects.toMatchObject({ code: 'CORRUPT_MESSAGE' });
    expect(await connection.send(echo('fine'))).toBe('fine');
  });
});

/** Polls a condition on the event loop (for what a socket's far end observes), never a fixed sleep. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not met');
}
