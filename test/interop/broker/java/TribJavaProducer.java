import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Apache Kafka's Java producer against a broker: creates the topic with the Admin client, sends 20
 * keyed records idempotently with acks=all (lz4), then one committed and one aborted transaction of
 * 5 records each. Prints one JSON line: the topic's partition count as described, and partition and
 * offset of every acknowledged record in the order sent.
 *
 * args: bootstrap topic partitions
 */
public final class TribJavaProducer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    int partitions = Integer.parseInt(args[2]);

    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    int described;
    try (Admin admin = Admin.create(adminProps)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
      Map<String, TopicDescription> topics = admin.describeTopics(List.of(topic)).allTopicNames().get();
      described = topics.get(topic).partitions().size();
    }

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    List<String> acked = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sends.add(producer.send(new ProducerRecord<>(topic, i % partitions, "key-" + i, "value-" + i)));
      }
      for (Future<RecordMetadata> send : sends) acked.add(place(send.get()));
    }

    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "java-tx");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>(topic, i % partitions, "tx-" + i, "committed-" + i));
      producer.commitTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 5; i++) producer.send(new ProducerRecord<>(topic, i % partitions, "tx-" + i, "aborted-" + i));
      producer.flush();
      producer.abortTransaction();
    }
    System.out.println("{\"partitions\":" + described + ",\"acked\":[" + String.join(",", acked) + "]}");
  }

  private static String place(RecordMetadata meta) {
    return "[" + meta.partition() + "," + meta.offset() + "]";
  }

  private TribJavaProducer() {}
}
