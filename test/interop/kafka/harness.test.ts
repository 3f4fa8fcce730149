import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaCluster, startKafka } from './cluster.ts';
import { probeBrokers } from './probe.ts';

describe('the Kafka harness', () => {
  let kafka: KafkaCluster;
  beforeAll(async () => {
    kafka = await startKafka({ nodes: 1 });
    console.log(
      `Kafka ${kafka.version}, 1 node: download ${kafka.timings.downloadMs} ms, format ${kafka.timings.formatMs} ms, ready ${kafka.timings.readyMs} ms`,
    );
  });
  afterAll(() => kafka?.stop());

  it('shouldStartASingleKRaftBrokerThatAnswersMetadata', async () => {
    const brokers = await probeBrokers('127.0.0.1', kafka.nodes[0]!.port);
    expect(brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: kafka.nodes[0]!.port }]);
    expect(kafka.bootstrap).toEqual([`127.0.0.1:${kafka.nodes[0]!.port}`]);
  });
});

describe('the three-node Kafka harness', () => {
  let kafka: KafkaCluster;
  beforeAll(async () => {
    kafka = await startKafka({ nodes: 3 });
    console.log(
      `Kafka ${kafka.version}, 3 nodes: format ${kafka.timings.formatMs} ms, ready ${kafka.timings.readyMs} ms`,
    );
  });
  afterAll(() => kafka?.stop());

  it('shouldStartThreeKRaftBrokersThatSeeEachOther', async () => {
    for (const node of kafka.nodes) {
      const brokers = await probeBrokers('127.0.0.1', node.port);
      expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    }
  });

  it('shouldBringAKilledNodeBack', async () => {
    await kafka.kill(2);
    expect(kafka.nodes[1]!.process).toBeUndefined();
    await kafka.restart(2);
    const brokers = await probeBrokers('127.0.0.1', kafka.nodes[1]!.port);
    expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
  });
});
