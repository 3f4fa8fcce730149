"""One consumer-group scenario with confluent-kafka (librdkafka), printed as one JSON line, to run
unchanged against several brokers and compare.

argv: bootstrap, or `mock` for librdkafka's own mock cluster (`test.mock.num.brokers=1`, started
inside this process; its address is read from the mock's debug log). The topic is auto-created by the
producer's Metadata request, so the broker's default partition count decides (4 on each).

1. An idempotent acks=all producer sends 40 records with 10 keys (librdkafka's default partitioner,
   so the same partitions wherever it runs) and keeps each delivery report.
2. Consumer A of group `diff-group` takes each partition's first half, commits exactly the half-way
   offsets (with metadata) and leaves.
3. Consumer B, a new member of the same group (the "restart"), reads the committed offsets, resumes
   from them to the end, commits, and reads its commits back.
"""
import json
import logging
import re
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

TOPIC, GROUP = 'diff-topic', 'diff-group'
target = sys.argv[1]
mock_host = None
if target == 'mock':
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    log = logging.getLogger('mock')
    log.addHandler(Keep())
    log.setLevel(logging.DEBUG)
    mock_host = Producer({'test.mock.num.brokers': 1, 'debug': 'mock', 'logger': log})
    deadline = time.time() + 10
    bootstrap = None
    while bootstrap is None and time.time() < deadline:
        mock_host.poll(0.1)
        found = [m.group(1) for m in (re.search(r'bootstrap\.servers=(\S+)', l) for l in lines) if m]
        bootstrap = found[0] if found else None
    if bootstrap is None:
        raise RuntimeError('the mock cluster logged no bootstrap.servers')
else:
    bootstrap = target

out = {}
acked = {}


def report(err, msg):
    if err is not None:
        raise RuntimeError(str(err))
    acked[msg.value().decode()] = [msg.key().decode(), msg.partition(), msg.offset()]


producer = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all', 'linger.ms': 5})
for i in range(40):
    producer.produce(TOPIC, key=b'key-%d' % (i % 10), value=b'value-%d' % i, on_delivery=report)
if producer.flush(60) != 0:
    raise RuntimeError('records left unsent')
out['produced'] = [[v] + acked[v] for v in ('value-%d' % i for i in range(40))]
partitions = sorted(producer.list_topics(TOPIC, timeout=10).topics[TOPIC].partitions)
out['partitions'] = partitions
count = {p: sum(1 for v in acked.values() if v[1] == p) for p in partitions}
half = {p: count[p] // 2 for p in partitions}


def consumer(name):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': GROUP, 'client.id': name,
                  'auto.offset.reset': 'earliest', 'enable.auto.commit': False, 'session.timeout.ms': 10000})
    c.subscribe([TOPIC])
    return c


def consume(c, wanted):
    """Polls until each partition has given the records below wanted[p]; returns those, in order."""
    got = []
    last = {p: -1 for p in partitions}
    done = {p for p in partitions if wanted[p] == 0}
    deadline = time.time() + 60
    while len(done) < len(partitions):
        if time.time() > deadline:
            raise RuntimeError('timed out: %s of %s' % (sorted(done), wanted))
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            raise RuntimeError(str(msg.error()))
        p = msg.partition()
        if msg.offset() < wanted[p] and p not in done:
            if last[p] != -1 and msg.offset() != last[p] + 1:
                raise RuntimeError('partition %d went from offset %d to %d' % (p, last[p], msg.offset()))
            last[p] = msg.offset()
            got.append([p, msg.offset(), msg.key().decode(), msg.value().decode()])
            if msg.offset() == wanted[p] - 1:
                done.add(p)
    # Partitions arrive interleaved as fetches return, which differs from broker to broker; within a
    # partition the offsets came one after another (checked above).
    return sorted(got)


a = consumer('diff-a')
out['a_consumed'] = consume(a, half)
out['a_assignment'] = sorted(tp.partition for tp in a.assignment())
a.commit(offsets=[TopicPartition(TOPIC, p, half[p], 'half-%d' % p) for p in partitions], asynchronous=False)
a.close()

b = consumer('diff-b')
mine = [TopicPartition(TOPIC, p) for p in partitions]
out['committed_by_a'] = [[tp.partition, tp.offset, tp.metadata] for tp in b.committed(mine, timeout=10)]
got = consume(b, count)
out['b_consumed'] = got
out['b_first_offsets'] = [min([o for q, o, _, _ in got if q == p], default=None) for p in partitions]
out['b_assignment'] = sorted(tp.partition for tp in b.assignment())
b.commit(asynchronous=False)
out['committed_by_b'] = [[tp.partition, tp.offset] for tp in b.committed(mine, timeout=10)]
out['watermarks'] = [list(b.get_watermark_offsets(tp, timeout=10)) for tp in mine]
b.close()
print(json.dumps(out))
