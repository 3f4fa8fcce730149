/*
 * Kafka's Java client for `npm run bench -- wire`, the reference beside Tributary's wire client and
 * kafkajs against the same brokers.
 *
 *   java JavaClientBench produce <bootstrap> <topic> <records> <bytes> <acks>
 *       KafkaProducer.send of <records> values of <bytes> bytes (no key), the client batching them
 *       (batch.size 64 KiB, linger.ms 5), until every callback came back; prints
 *       {"records":N,"seconds":S,"errors":E}.
 *   java JavaClientBench consume <bootstrap> <topic> <partitions> <records>
 *       KafkaConsumer assigned every partition from the beginning (no group), polled until
 *       <records> arrived; the clock starts at the first record. Prints {"records":N,"seconds":S}.
 *
 * Built by bench/native.ts with javac against the kafka-clients jar of test/interop/kafka/pom.xml.
 */
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class JavaClientBench {
  public static void main(String[] args) throws Exception {
    if (args.length == 6 && args[0].equals("produce")) {
      produce(args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]), args[5]);
    } else if (args.length == 5 && args[0].equals("consume")) {
      consume(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
    } else {
      System.err.println("usage: JavaClientBench produce BOOTSTRAP TOPIC RECORDS BYTES ACKS");
      System.err.println("       JavaClientBench consume BOOTSTRAP TOPIC PARTITIONS RECORDS");
      System.exit(2);
    }
  }

  static void produce(String bootstrap, String topic, long records, int bytes, String acks) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", acks);
    props.put("linger.ms", "5");
    props.put("batch.size", "65536");
    props.put("buffer.memory", String.valueOf(256L * 1024 * 1024));
    props.put("enable.idempotence", "false");
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    byte[] value = new byte[bytes];
    java.util.Arrays.fill(value, (byte) 'x');
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      // Metadata and the connection first, outside the clock, as librdkafka's harness does.
      producer.partitionsFor(topic);
      long start = System.nanoTime();
      for (long i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, null, value), (meta, err) -> {
          if (err != null) errors.incrementAndGet();
          done.incrementAndGet();
        });
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("{\"records\":%d,\"seconds\":%.6f,\"errors\":%d}%n", done.get() - errors.get(), seconds,
          errors.get());
    }
  }

  static void consume(String bootstrap, String topic, int partitions, long records) {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> assigned = new ArrayList<>();
      for (int p = 0; p < partitions; p++) assigned.add(new TopicPartition(topic, p));
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      long seen = 0;
      long bytes = 0;
      long start = 0;
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (seen < records) {
        if (System.nanoTime() > deadline) {
          System.err.printf("consume: only %d of %d records in 120 s%n", seen, records);
          System.exit(1);
        }
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        if (!batch.isEmpty() && seen == 0) start = System.nanoTime();
        for (var record : batch) {
          seen++;
          bytes += record.value().length;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("{\"records\":%d,\"bytes\":%d,\"seconds\":%.6f}%n", seen, bytes, seconds);
    }
  }
}
