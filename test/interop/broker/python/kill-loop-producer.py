"""An idempotent acks=all producer (confluent-kafka, librdkafka) that keeps sending until told to stop.

argv: bootstrap topic. Values are "v<n>", n counting up from 0, keyed by n so that they spread over
the topic's partitions. Prints one line per delivery report, flushed at once:
  ack <value> <partition> <offset>    or    err <value> <error>
`produced <n>` every 50 records handed to librdkafka, `error fatal|transient <error>` from its error
callback, and `sent <n> unreported <k>` after its final flush. It stops producing when a line "stop" arrives on stdin, then
waits for every outstanding delivery report.
"""
import sys
import threading

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = Producer({
    'bootstrap.servers': bootstrap,
    'enable.idempotence': True,
    'acks': 'all',
    'linger.ms': 2,
    'message.timeout.ms': 300000,
    'retry.backoff.ms': 50,
    'retry.backoff.max.ms': 500,
    'reconnect.backoff.ms': 50,
    'reconnect.backoff.max.ms': 500,
    'socket.connection.setup.timeout.ms': 5000,
    # A fatal idempotence error (lost sequence state) would show here and fail the test.
    'error_cb': lambda err: print('error', 'fatal' if err.fatal() else 'transient', str(err).replace('\n', ' '), flush=True),
})
stop = threading.Event()


def read_stdin():
    for line in sys.stdin:
        if line.strip() == 'stop':
            break
    stop.set()


threading.Thread(target=read_stdin, daemon=True).start()


def report(err, msg):
    value = msg.value().decode()
    if err is not None:
        print('err', value, str(err).replace('\n', ' '), flush=True)
    else:
        print('ack', value, msg.partition(), msg.offset(), flush=True)


n = 0
while not stop.is_set():
    # At most 500 records waiting for their report: enough for 5 batches in flight per partition.
    if len(producer) >= 500:
        producer.poll(0.01)
        continue
    producer.produce(topic, key=str(n).encode(), value=('v%d' % n).encode(), on_delivery=report)
    n += 1
    if n % 50 == 0:
        print('produced', n, flush=True)
    producer.poll(0)
remaining = producer.flush(300)
print('sent', n, 'unreported', remaining, flush=True)
