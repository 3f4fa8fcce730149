import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { KafkaCode } from '../../src/broker/errors.ts';
import { ManualClock } from '../../src/clock.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let clock: ManualClock;
let log: EmbeddedLogBackend;
let broker: Broker;
const clients: RawClient[] = [];

async function start(groupInitialRebalanceDelayMs: number): Promise<void> {
  clock = new ManualClock(1_700_000_000_000);
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs });
}

async function connect(): Promise<RawClient> {
  const client = await RawClient.connect(broker.address().port);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await broker.close();
  await log.close();
});

/** A subscription to topic `t` (ConsumerProtocol v0). */
const SUBSCRIPTION = Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0]);

function join(
  client: RawClient,
  groupId: string,
  options: { sessionTimeoutMs?: number; rebalanceTimeoutMs?: number } = {},
) {
  return client.request(API.JoinGroup, 1, {
    groupId,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 20_000,
    memberId: '',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: SUBSCRIPTION }],
  });
}

/** Lets the sockets and the broker run without moving the clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('group.initial.rebalance.delay.ms', () => {
  it('should hold the first generation of an empty group for the delay', async () => {
    await start(3000);
    let done = false;
    const joined = join(await connect(), 'g').then((r) => {
      done = true;
      return r;
    });
    await settle();
    clock.advance(2999);
    await settle();
    expect(done).toBe(false);
    clock.advance(1);
    expect(await joined).toMatchObject({ errorCode: 0, generationId: 1 });
  });

  it('should wait again for each member that arrives during the delay, so both join one generation', async () => {
    await start(3000);
    const first = join(await connect(), 'g');
    await settle();
    clock.advance(2000);
    const second = join(await connect(), 'g');
    await settle();
    clock.advance(1000); // the first delay is over, but a member came: another 3000
    await settle();
    clock.advance(2999);
    await settle();
    let done = false;
    void first.then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    clock.advance(1);
    const [a, b] = await Promise.all([first, second]);
    expect(a.generationId).toBe(1);
    expect(b.generationId).toBe(1);
    expect([a, b].find((r) => r.members.length > 0)!.members).toHaveLength(2);
  });

  it('should complete at once with the delay set to 0', async () => {
    await start(0);
    expect(await join(await connect(), 'g')).toMatchObject({ errorCode: 0, generationId: 1 });
  });

  it('should not delay a rejoin of a group that has a generation', async () => {
    await start(3000);
    const client = await connect();
    const first = join(client, 'g');
    await settle();
    clock.advance(3000);
    const { memberId } = await first;
    const rejoined = await client.request(API.JoinGroup, 1, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 20_000,
      memberId,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: SUBSCRIPTION }],
    });
    expect(rejoined).toMatchObject({ errorCode: 0, generationId: 2, memberId });
  });
});

describe('session timeouts', () => {
  it("should refuse one outside Kafka's [6000, 1800000] with INVALID_SESSION_TIMEOUT", async () => {
    await start(0);
    const client = await connect();
    expect((await join(client, 'g', { sessionTimeoutMs: 5999 })).errorCode).toBe(KafkaCode.INVALID_SESSION_TIMEOUT);
    expect((await join(client, 'g', { sessionTimeoutMs: 1_800_001 })).errorCode).toBe(
      KafkaCode.INVALID_SESSION_TIMEOUT,
    );
    expect((await join(client, 'g', { sessionTimeoutMs: 6000 })).errorCode).toBe(0);
  });
});
