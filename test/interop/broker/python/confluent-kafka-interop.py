"""confluent-kafka (PyPI; librdkafka 2.16) against a broker, printing one JSON line of what it saw.

argv: bootstrap. AdminClient creates a 3-partition topic and describes it and its configs; an
idempotent acks=all producer sends 30 records (zstd) to chosen partitions; a transactional producer
commits one transaction and aborts another; two consumers of one group (one static, with a
group.instance.id; read_committed) share the partitions and commit with metadata; then the
AdminClient describes the group, lists its committed offsets and lists the groups.
"""
import json
import sys
import time

from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, Producer, TopicCollection, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap = sys.argv[1]
TOPIC, GROUP, PARTITIONS = 'ck-topic', 'ck-group', 3
out = {}

admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(TOPIC, num_partitions=PARTITIONS, replication_factor=1)])[TOPIC].result(30)
described = admin.describe_topics(TopicCollection([TOPIC]))[TOPIC].result(30)
out['partitions'] = [p.id for p in described.partitions]
configs = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, TOPIC)])
out['cleanup_policy'] = list(configs.values())[0].result(30)['cleanup.policy'].value

acked = {}


def report(err, msg):
    if err is not None:
        raise RuntimeError(str(err))
    acked[msg.value().decode()] = [msg.partition(), msg.offset()]


producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
                     'compression.type': 'zstd', 'linger.ms': 5})
for i in range(30):
    producer.produce(TOPIC, key=b'key-%d' % i, value=b'value-%d' % i, partition=i % PARTITIONS, on_delivery=report)
if producer.flush(30) != 0:
    raise RuntimeError('records left unsent')
out['acked'] = [acked['value-%d' % i] for i in range(30)]

tx = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'ck-tx'})
tx.init_transactions(30)
for word in ('committed', 'aborted'):
    tx.begin_transaction()
    for p in range(PARTITIONS):
        tx.produce(TOPIC, value=b'%s-%d' % (word.encode(), p), partition=p)
    tx.flush(30)
    if word == 'committed':
        tx.commit_transaction(30)
    else:
        tx.abort_transaction(30)

expected = 30 + PARTITIONS
consumers = []
for i in range(2):
    config = {'bootstrap.servers': bootstrap, 'group.id': GROUP, 'client.id': 'ck-member-%d' % i,
              'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'isolation.level': 'read_committed',
              'session.timeout.ms': 10000}
    if i == 0:
        config['group.instance.id'] = 'ck-static-0'
    consumer = Consumer(config)
    consumer.subscribe([TOPIC])
    consumers.append(consumer)
seen = set()
deadline = time.time() + 60
# librdkafka's consumers run in their own threads; polling them in turn from one thread is enough.
while time.time() < deadline:
    for c in consumers:
        msg = c.poll(0.1)
        if msg is None:
            continue
        if msg.error() is not None:
            raise RuntimeError(str(msg.error()))
        key = msg.key().decode() if msg.key() is not None else ''
        seen.add((msg.partition(), msg.offset(), key, msg.value().decode()))
    # Done when every record was seen and each member has read its partitions to the end (one that
    # was handed a partition in a rebalance a moment ago reads it again from the start).
    last = {p: max(o for q, o, _, _ in seen if q == p) for p, *_ in seen}
    if len(seen) >= expected and all(c.assignment() for c in consumers) and all(
            tp.offset > last[tp.partition] for c in consumers for tp in c.position(c.assignment())):
        break
out['seen'] = sorted(seen)
out['assigned'] = sorted(sorted(tp.partition for tp in c.assignment()) for c in consumers)
out['positions'] = []
for c in consumers:
    positions = c.position(c.assignment())
    out['positions'] += [[tp.partition, tp.offset] for tp in positions]
    c.commit(offsets=[TopicPartition(TOPIC, tp.partition, tp.offset, 'ck-%d' % tp.partition) for tp in positions],
              asynchronous=False)

group = admin.describe_consumer_groups([GROUP])[GROUP].result(30)
out['group'] = {
    'state': str(group.state.name),
    'assignor': group.partition_assignor,
    'members': sorted([m.client_id, m.group_instance_id, sorted(tp.partition for tp in m.assignment.topic_partitions)]
                      for m in group.members),
}
offsets = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)])[GROUP].result(30)
out['positions'].sort()
out['committed'] = sorted([tp.partition, tp.offset, tp.metadata] for tp in offsets.topic_partitions)
listed = admin.list_consumer_groups().result(30)
out['groups'] = sorted(g.group_id for g in listed.valid)
for c in consumers:
    c.close()
print(json.dumps(out))
