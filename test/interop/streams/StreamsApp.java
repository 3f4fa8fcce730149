// Java Kafka Streams against a real broker, for test/interop/streams/topic-names.test.ts and the
// WordCount figure of `npm run bench -- wire`. Two commands:
//
//   StreamsApp run <topology> <bootstrap> <applicationId> <stateDir>
//     starts the topology ("names" or "wordcount") with exactly_once_v2, prints "RUNNING" once
//     Kafka Streams is running, and closes it cleanly when stdin ends.
//   StreamsApp wordcount-bench <bootstrap> <stateDir> (<applicationId> <input> <output> <words>)...
//     runs WordCount exactly-once once per group of four arguments, one after the other in this
//     JVM (the first is the warm-up), each until the output topic read with read_committed holds
//     counts that add up to <words>; prints one JSON line per run: {"appId","words","seconds"}.
//
// The topologies are the same as the TypeScript ones in topic-names.test.ts and
// examples/wordcount/wordcount.ts, so that both name their stores, changelogs and repartition
// topics alike.
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

public class StreamsApp {
  static final Serde<String> S = Serdes.String();

  /** As examples/wordcount/wordcount.ts: lower case, split on non-word characters, no empty words. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    for (String w : line.toLowerCase(Locale.ROOT).split("\\W+")) if (!w.isEmpty()) out.add(w);
    return out;
  }

  static Topology wordCount(String input, String output) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(S, S))
        .flatMapValues(StreamsApp::words)
        .groupBy((k, w) -> w, Grouped.with(S, S))
        .count(Materialized.as("counts-store"))
        .toStream()
        .to(output, Produced.with(S, Serdes.Long()));
    return b.build();
  }

  static String customerOf(String order) {
    String[] parts = order.split("\\|");
    return parts.length == 2 ? parts[1] : null;
  }

  /**
   * WordCount (a repartition named after its store), a selectKey + aggregate with generated names,
   * and a foreign-key join of two tables (subscription topics and stores).
   */
  static Topology names(boolean optimized) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream("names-lines", Consumed.with(S, S))
        .flatMapValues(StreamsApp::words)
        .groupBy((k, w) -> w, Grouped.with(S, S))
        .count(Materialized.as("counts-store"))
        .toStream()
        .to("names-counts", Produced.with(S, Serdes.Long()));
    b.stream("names-clicks", Consumed.with(S, S))
        .selectKey((k, v) -> v.split("\\|")[0])
        .groupByKey(Grouped.with(S, S))
        .aggregate(
            () -> "0",
            (k, v, agg) -> String.valueOf(Long.parseLong(agg) + Long.parseLong(v.split("\\|")[1])),
            Materialized.with(S, S))
        .toStream()
        .to("names-sums", Produced.with(S, S));
    KTable<String, String> orders = b.table("names-orders", Consumed.with(S, S));
    KTable<String, String> customers = b.table("names-customers", Consumed.with(S, S));
    orders
        .join(customers, StreamsApp::customerOf, (o, c) -> o + "/" + c)
        .toStream()
        .to("names-joined", Produced.with(S, S));
    if (!optimized) return b.build();
    Properties optimize = new Properties();
    optimize.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
    return b.build(optimize);
  }

  static Properties config(String bootstrap, String applicationId, String stateDir) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return p;
  }

  static KafkaStreams startAndWait(Topology topology, Properties props) throws InterruptedException {
    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) running.countDown();
      if (now == KafkaStreams.State.ERROR) System.err.println("Kafka Streams went to ERROR");
    });
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .SHUTDOWN_CLIENT;
    });
    streams.start();
    if (!running.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("not RUNNING after 120 s");
    return streams;
  }

  static void run(String[] args) throws Exception {
    String name = args[1];
    Topology topology = name.equals("names")
        ? names(false)
        : name.equals("names-optimized") ? names(true) : wordCount("text-lines", "word-counts");
    KafkaStreams streams = startAndWait(topology, config(args[2], args[3], args[4]));
    System.out.println("RUNNING");
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {}
    streams.close(Duration.ofSeconds(60));
    System.out.println("CLOSED");
  }

  /** Reads `output` (read_committed) until the latest counts of its words add up to `words`. */
  static void waitForCounts(String bootstrap, String output, long words, long deadline) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, Long> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new LongDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(output))
        partitions.add(new TopicPartition(output, info.partition()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<String, Long> counts = new HashMap<>();
      long sum = 0;
      while (sum != words) {
        if (System.currentTimeMillis() > deadline)
          throw new IllegalStateException("counts add up to " + sum + " of " + words + " words");
        for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(50))) {
          Long before = counts.put(r.key(), r.value());
          sum += r.value() - (before == null ? 0 : before);
        }
      }
    }
  }

  static void wordCountBench(String[] args) throws Exception {
    String bootstrap = args[1];
    String stateDir = args[2];
    for (int i = 3; i + 3 < args.length; i += 4) {
      String app = args[i];
      long words = Long.parseLong(args[i + 3]);
      Properties props = config(bootstrap, app, stateDir);
      long start = System.nanoTime();
      KafkaStreams streams = new KafkaStreams(wordCount(args[i + 1], args[i + 2]), props);
      streams.start();
      waitForCounts(bootstrap, args[i + 2], words, System.currentTimeMillis() + 600_000);
      double seconds = (System.nanoTime() - start) / 1e9;
      streams.close(Duration.ofSeconds(60));
      System.out.println(
          "{\"appId\":\"" + app + "\",\"words\":" + words + ",\"seconds\":" + String.format(Locale.ROOT, "%.4f", seconds) + "}");
      System.out.flush();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 5 && args[0].equals("run")) run(args);
    else if (args.length >= 7 && args[0].equals("wordcount-bench")) wordCountBench(args);
    else {
      System.err.println("usage: StreamsApp run <names|wordcount> <bootstrap> <applicationId> <stateDir>\n"
          + "       StreamsApp wordcount-bench <bootstrap> <stateDir> (<applicationId> <input> <output> <words>)...");
      System.exit(2);
    }
    System.exit(0);
  }
}
