import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { python, run, startTribServe, type TribServe } from './trib-serve.ts';

/**
 * kafka-python 2.0.2 (Debian's python3-kafka): admin, an acks=all producer, two consumers of one
 * group that share its partitions, and commits. The script prints one JSON line of what it saw.
 */
const SCRIPT = `
import json, sys, threading, time
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='py-admin')
admin.create_topics([NewTopic(name='py-topic', num_partitions=2, replication_factor=1)])
topics = sorted(t for t in admin.list_topics() if not t.startswith('_'))

producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', retries=3)
acked = []
for i in range(20):
    meta = producer.send('py-topic', key=('key-%d' % i).encode(), value=('value-%d' % i).encode(), partition=i % 2).get(timeout=30)
    acked.append([meta.partition, meta.offset])
producer.flush()
producer.close()

def consumer(name):
    return KafkaConsumer('py-topic', bootstrap_servers=bootstrap, group_id='py-group', client_id=name,
                         auto_offset_reset='earliest', enable_auto_commit=False,
                         session_timeout_ms=10000, heartbeat_interval_ms=500, max_poll_interval_ms=60000)

# One thread per member: a kafka-python consumer rejoins a rebalance only inside its own poll().
consumers = [consumer('py-a'), consumer('py-b')]
seen = {0: [], 1: []}
done = threading.Event()
def work(i):
    c = consumers[i]
    deadline = time.time() + 60
    while time.time() < deadline and not done.is_set():
        for tp, records in c.poll(timeout_ms=200).items():
            seen[i].extend((tp.partition, r.offset, r.value.decode()) for r in records)
        if len(set(seen[0] + seen[1])) >= 20 and all(x.assignment() for x in consumers):
            done.set()
    c.commit()
threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
for t in threads: t.start()
for t in threads: t.join()
assigned = [sorted(tp.partition for tp in c.assignment()) for c in consumers]
committed = [consumers[0].committed(TopicPartition('py-topic', p)) for p in (0, 1)]
for c in consumers:
    c.close()
groups = [g[0] for g in admin.list_consumer_groups()]
admin.close()
print(json.dumps({'topics': topics, 'acked': acked, 'assigned': assigned,
                  'seen': sorted(set(seen[0] + seen[1])), 'committed': committed, 'groups': groups}))
`;

describe('kafka-python against trib serve', () => {
  let server: TribServe;
  beforeAll(async () => {
    server = await startTribServe();
  });
  afterAll(() => server?.dispose());

  it('should create a topic, produce with acks=all, share the partitions between two group members and commit', () => {
    const out = run(python(), ['-c', SCRIPT, server.bootstrap], { timeoutMs: 100_000 });
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
      topics: string[];
      acked: [number, number][];
      assigned: number[][];
      seen: [number, number, string][];
      committed: number[];
      groups: string[];
    };
    expect(result.topics).toEqual(['py-topic']);
    expect(result.acked).toEqual(Array.from({ length: 20 }, (_, i) => [i % 2, Math.floor(i / 2)]));
    expect(result.assigned).toEqual([[0], [1]]);
    expect(result.seen).toEqual(
      Array.from({ length: 20 }, (_, i) => [i % 2, Math.floor(i / 2), `value-${i}`]).sort(
        (a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number),
      ),
    );
    expect(result.committed).toEqual([10, 10]);
    expect(result.groups).toContain('py-group');
  });
});
