import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Apache Kafka's Java consumer against a broker: two members of one group (the classic protocol;
 * one static, with a group.instance.id), each polling in its own thread, read_committed, until
 * together they have seen `expected` records and both hold partitions. Each commits synchronously
 * with metadata; then the Admin client describes the group and lists its committed offsets.
 * Prints one JSON line.
 *
 * args: bootstrap topic group expected
 */
public final class TribJavaConsumer {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    int expected = Integer.parseInt(args[3]);

    List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      props.put(ConsumerConfig.CLIENT_ID_CONFIG, "java-member-" + i);
      props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
      if (i == 0) props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "java-static-0");
      consumers.add(new KafkaConsumer<>(props));
    }
    Set<String> seen = new ConcurrentSkipListSet<>();
    // Each member's assignment as of its last poll, published for the other thread to read
    // (a KafkaConsumer may only be touched by the thread that polls it).
    AtomicReferenceArray<Set<TopicPartition>> assignments = new AtomicReferenceArray<>(consumers.size());
    // Whether each member's position is at the end of every partition it holds (one handed a
    // partition in a rebalance a moment ago reads it again first).
    AtomicReferenceArray<Boolean> caughtUp = new AtomicReferenceArray<>(consumers.size());
    long deadline = System.currentTimeMillis() + 60_000;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int i = 0; i < consumers.size(); i++) {
      KafkaConsumer<String, String> consumer = consumers.get(i);
      int index = i;
      Thread thread = new Thread(() -> {
        try {
          consumer.subscribe(List.of(topic));
          while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
              seen.add(String.format("[%d,%d,\"%s\",\"%s\"]", r.partition(), r.offset(), r.key(), r.value()));
            }
            Set<TopicPartition> held = Set.copyOf(consumer.assignment());
            assignments.set(index, held);
            if (seen.size() >= expected) {
              Map<TopicPartition, Long> ends = consumer.endOffsets(held);
              boolean atEnd = true;
              for (TopicPartition tp : held) atEnd &= consumer.position(tp) >= ends.get(tp);
              caughtUp.set(index, atEnd);
            }
            boolean allDone = true;
            for (int m = 0; m < assignments.length(); m++) {
              Set<TopicPartition> a = assignments.get(m);
              if (a == null || a.isEmpty() || !Boolean.TRUE.equals(caughtUp.get(m))) allDone = false;
            }
            if (seen.size() >= expected && allDone) break;
          }
          // Commit where this member is, with metadata; close later, when both have committed.
          Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
          for (TopicPartition tp : consumer.assignment()) {
            offsets.put(tp, new OffsetAndMetadata(consumer.position(tp), "java-" + tp.partition()));
          }
          consumer.commitSync(offsets);
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread t : threads) t.join();
    if (!failures.isEmpty()) throw new RuntimeException(failures.get(0));

    List<String> assigned = new ArrayList<>();
    for (KafkaConsumer<String, String> c : consumers) assigned.add(partitionsOf(c.assignment()));

    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    List<String> members = new ArrayList<>();
    List<String> committed = new ArrayList<>();
    String state;
    try (Admin admin = Admin.create(adminProps)) {
      ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
      state = description.groupState().toString();
      for (MemberDescription m : description.members()) {
        String instance = m.groupInstanceId().map(id -> "\"" + id + "\"").orElse("null");
        members.add(String.format("[\"%s\",%s,%s]", m.clientId(), instance,
            partitionsOf(m.assignment().topicPartitions())));
      }
      members.sort(null);
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      List<Map.Entry<TopicPartition, OffsetAndMetadata>> entries = new ArrayList<>(offsets.entrySet());
      entries.sort(Comparator.comparingInt(e -> e.getKey().partition()));
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : entries) {
        committed.add(String.format("[%d,%d,\"%s\"]", e.getKey().partition(), e.getValue().offset(),
            e.getValue().metadata()));
      }
    }
    for (KafkaConsumer<String, String> c : consumers) c.close();
    System.out.println("{\"assigned\":[" + String.join(",", assigned) + "],\"state\":\"" + state + "\",\"members\":["
        + String.join(",", members) + "],\"committed\":[" + String.join(",", committed) + "],\"seen\":["
        + String.join(",", seen) + "]}");
  }

  private static String partitionsOf(Collection<TopicPartition> partitions) {
    TreeSet<Integer> ids = new TreeSet<>();
    for (TopicPartition tp : partitions) ids.add(tp.partition());
    return ids.toString().replace(" ", "");
  }

  private TribJavaConsumer() {}
}
