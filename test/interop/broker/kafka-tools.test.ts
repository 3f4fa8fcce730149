import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKafkaJars } from '../kafka/jars.ts';
import { run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * Apache Kafka's own command-line tools (Kafka 4.x jars from Maven Central, Java 17) against
 * `trib serve`: the quickstart commands as Kafka ships them.
 */
describe("Kafka's console tools against trib serve", () => {
  let server: TribServe;
  let classpath: string;
  const tool = (main: string, args: string[], input?: string) =>
    run('java', ['-Xmx256m', '-cp', classpath, main, '--bootstrap-server', server.bootstrap, ...args], {
      input,
      timeoutMs: 90_000,
    });

  beforeAll(async () => {
    classpath = ensureKafkaJars().classpath;
    server = await startTribServe();
  }, 900_000);
  afterAll(() => server?.dispose());

  it('should create and describe a topic with kafka-topics', () => {
    expect(
      tool('org.apache.kafka.tools.TopicCommand', ['--create', '--topic', 'quickstart-events', '--partitions', '3']),
    ).toContain('Created topic quickstart-events.');
    const described = tool('org.apache.kafka.tools.TopicCommand', ['--describe', '--topic', 'quickstart-events']);
    expect(described).toMatch(/Topic: quickstart-events\s+TopicId: \S+\s+PartitionCount: 3\s+ReplicationFactor: 1/);
    expect(described.match(/Leader: 1\s+Replicas: 1\s+Isr: 1/g)).toHaveLength(3);
  });

  it('should produce with kafka-console-producer and read back with kafka-console-consumer --from-beginning in a group', () => {
    tool(
      'org.apache.kafka.tools.ConsoleProducer',
      ['--topic', 'console', '--property', 'parse.key=true', '--property', 'key.separator=:'],
      'k1:first\nk2:second\nk3:third\n',
    );
    const consumed = tool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--topic',
      'console',
      '--from-beginning',
      '--max-messages',
      '3',
      '--group',
      'console-group',
    ]);
    expect(consumed.trim().split('\n')).toEqual(['first', 'second', 'third']);
    const groups = tool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [
      '--describe',
      '--group',
      'console-group',
    ]);
    expect(groups).toMatch(/console-group\s+console\s+0\s+3\s+3\s+0/);
  });

  it('should stamp a topic created with message.timestamp.type=LogAppendTime, as kafka-console-consumer shows', () => {
    tool('org.apache.kafka.tools.TopicCommand', [
      '--create',
      '--topic',
      'stamped',
      '--config',
      'message.timestamp.type=LogAppendTime',
    ]);
    const before = Date.now();
    tool('org.apache.kafka.tools.ConsoleProducer', ['--topic', 'stamped'], 'a\nb\n');
    const consumed = tool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--topic',
      'stamped',
      '--from-beginning',
      '--max-messages',
      '2',
      '--property',
      'print.timestamp=true',
    ]);
    const lines = consumed.trim().split('\n');
    expect(lines.map((l) => l.replace(/:\d+/, ''))).toEqual(['LogAppendTime\ta', 'LogAppendTime\tb']);
    for (const line of lines) expect(Number(/:(\d+)/.exec(line)![1])).toBeGreaterThanOrEqual(before);
  });

  it("should report each partition's size with kafka-log-dirs --describe", () => {
    tool('org.apache.kafka.tools.ConsoleProducer', ['--topic', 'sized'], 'one\ntwo\n');
    const out = tool('org.apache.kafka.tools.LogDirsCommand', ['--describe', '--topic-list', 'sized']);
    const report = JSON.parse(out.trim().split('\n').at(-1)!) as {
      brokers: {
        broker: number;
        logDirs: { error: string | null; partitions: { partition: string; size: number }[] }[];
      }[];
    };
    expect(report.brokers.map((b) => b.broker)).toEqual([1]);
    const [logDir] = report.brokers[0]!.logDirs;
    expect(logDir!.error).toBeNull();
    expect(logDir!.partitions.map((p) => p.partition)).toEqual(['sized-0']);
    expect(logDir!.partitions[0]!.size).toBeGreaterThan(0);
  });
});
