// The Java half of test/interop/streams/differential.test.ts: builds the named scenario's topology
// with Kafka Streams, prints its describe(), pipes the records read from stdin
// (topic TAB key TAB value TAB timestamp, \N for null) through Kafka's TopologyTestDriver one by
// one, and prints every output record as OUT TAB topic TAB key TAB value TAB timestamp.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.*;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.test.TestRecord;

public class Differential {
  static final Serde<String> S = Serdes.String();

  static String fk(String v) {
    String[] parts = v.split("\\|");
    return parts.length == 2 ? parts[1] : null;
  }

  static String win(Windowed<String> w) {
    return w.key() + "@" + w.window().start() + "/" + w.window().end();
  }

  static String str(Long v) {
    return v == null ? null : v.toString();
  }

  static Topology build(String scenario, List<String> outputs) {
    StreamsBuilder b = new StreamsBuilder();
    switch (scenario) {
      case "fk": {
        KTable<String, String> left = b.table("left", Consumed.with(S, S));
        KTable<String, String> right = b.table("right", Consumed.with(S, S));
        left.join(right, Differential::fk, (l, r) -> "(" + l + "," + r + ")").toStream().to("fk-inner", Produced.with(S, S));
        left.leftJoin(right, Differential::fk, (l, r) -> "(" + l + "," + r + ")").toStream().to("fk-left", Produced.with(S, S));
        outputs.addAll(List.of("fk-inner", "fk-left"));
        break;
      }
      case "windowed": {
        KTable<Windowed<String>, Long> counts = b.stream("words", Consumed.with(S, S))
            .groupBy((k, v) -> v, Grouped.with(S, S))
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)).advanceBy(Duration.ofMillis(5)))
            .count(Materialized.with(S, Serdes.Long()));
        counts.toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("windowed-raw", Produced.with(S, S));
        counts.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("windowed-final", Produced.with(S, S));
        outputs.addAll(List.of("windowed-raw", "windowed-final"));
        break;
      }
      case "session": {
        b.stream("clicks", Consumed.with(S, S))
            .groupByKey(Grouped.with(S, S))
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("sessions", Produced.with(S, S));
        outputs.add("sessions");
        break;
      }
      case "stream-stream": {
        KStream<String, String> l = b.stream("left-s", Consumed.with(S, S));
        KStream<String, String> r = b.stream("right-s", Consumed.with(S, S));
        JoinWindows w = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5));
        l.join(r, (a, c) -> a + "+" + c, w, StreamJoined.with(S, S, S)).to("ss-inner", Produced.with(S, S));
        outputs.add("ss-inner");
        break;
      }
      case "stream-stream-outer": {
        KStream<String, String> l = b.stream("left-s", Consumed.with(S, S));
        KStream<String, String> r = b.stream("right-s", Consumed.with(S, S));
        StreamJoined<String, String, String> joined = StreamJoined.with(S, S, S);
        l.leftJoin(r, (a, c) -> a + "+" + c, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)), joined)
            .to("ss-left", Produced.with(S, S));
        l.outerJoin(r, (a, c) -> a + "+" + c, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(6), Duration.ofMillis(3)), joined)
            .to("ss-outer", Produced.with(S, S));
        l.outerJoin(r, (a, c) -> a + "+" + c,
                JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ZERO).before(Duration.ofMillis(2)).after(Duration.ofMillis(9)),
                joined.withDslStoreSuppliers(new BuiltInDslStoreSuppliers.InMemoryDslStoreSuppliers()))
            .to("ss-outer-asym", Produced.with(S, S));
        outputs.addAll(List.of("ss-left", "ss-outer", "ss-outer-asym"));
        break;
      }
      case "stream-stream-throttled": {
        KStream<String, String> l = b.stream("left-s", Consumed.with(S, S));
        KStream<String, String> r = b.stream("right-s", Consumed.with(S, S));
        StreamJoined<String, String, String> joined = StreamJoined.with(S, S, S);
        l.leftJoin(r, (a, c) -> a + "+" + c, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5), Duration.ofMillis(2)), joined)
            .to("ss-left", Produced.with(S, S));
        l.outerJoin(r, (a, c) -> a + "+" + c, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(4)), joined)
            .to("ss-outer", Produced.with(S, S));
        outputs.addAll(List.of("ss-left", "ss-outer"));
        break;
      }
      case "sliding": {
        b.stream("clicks", Consumed.with(S, S))
            .groupByKey(Grouped.with(S, S))
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(6), Duration.ofMillis(3)))
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("sliding-counts", Produced.with(S, S));
        outputs.add("sliding-counts");
        break;
      }
      case "emit-on-close": {
        KGroupedStream<String, String> grouped = b.stream("clicks", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        grouped.windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)).advanceBy(Duration.ofMillis(5)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("eoc-hopping", Produced.with(S, S));
        grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(8)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .reduce((a, v) -> a + v, Materialized.<String, String, org.apache.kafka.streams.state.WindowStore<Bytes, byte[]>>with(S, S)
                .withRetention(Duration.ofMillis(60)))
            .toStream().map((w, v) -> KeyValue.pair(win(w), v)).to("eoc-tumbling", Produced.with(S, S));
        grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(6), Duration.ofMillis(3)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("eoc-sliding", Produced.with(S, S));
        outputs.addAll(List.of("eoc-hopping", "eoc-tumbling", "eoc-sliding"));
        break;
      }
      case "session-emit-on-close": {
        b.stream("clicks", Consumed.with(S, S))
            .groupByKey(Grouped.with(S, S))
            .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("sessions-final", Produced.with(S, S));
        outputs.add("sessions-final");
        break;
      }
      case "emit-on-close-throttled": {
        b.stream("clicks", Consumed.with(S, S))
            .groupByKey(Grouped.with(S, S))
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(6), Duration.ofMillis(2)))
            .emitStrategy(EmitStrategy.onWindowClose())
            .count(Materialized.<String, Long, org.apache.kafka.streams.state.WindowStore<Bytes, byte[]>>with(S, Serdes.Long())
                .withRetention(Duration.ofMillis(40)))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("eoc-throttled", Produced.with(S, S));
        outputs.add("eoc-throttled");
        break;
      }
      case "versioned": {
        KTable<String, String> prices = b.table("prices", Consumed.with(S, S),
            Materialized.<String, String>as(Stores.persistentVersionedKeyValueStore("prices-store", Duration.ofMillis(100)))
                .withKeySerde(S).withValueSerde(S));
        KStream<String, String> orders = b.stream("orders", Consumed.with(S, S));
        orders.join(prices, (o, p) -> o + "@" + p, Joined.<String, String, String>with(S, S, S).withGracePeriod(Duration.ofMillis(5)))
            .to("priced", Produced.with(S, S));
        orders.leftJoin(prices, (o, p) -> o + "@" + p, Joined.with(S, S, S)).to("priced-left", Produced.with(S, S));
        outputs.addAll(List.of("priced", "priced-left"));
        break;
      }
      case "cogroup": {
        KGroupedStream<String, String> g1 = b.stream("c1", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        KGroupedStream<String, String> g2 = b.stream("c2", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        g1.<String>cogroup((k, v, agg) -> agg + v).cogroup(g2, (k, v, agg) -> agg + v.toUpperCase())
            .aggregate(() -> "", Materialized.with(S, S))
            .toStream().to("cogroup-out", Produced.with(S, S));
        outputs.add("cogroup-out");
        break;
      }
      case "cogroup-sliding": {
        KGroupedStream<String, String> g1 = b.stream("c1", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        KGroupedStream<String, String> g2 = b.stream("c2", Consumed.with(S, S)).groupByKey(Grouped.with(S, S));
        g1.<String>cogroup((k, v, agg) -> agg + v).cogroup(g2, (k, v, agg) -> agg + v.toUpperCase())
            .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5), Duration.ofMillis(2)))
            .aggregate(() -> "", Materialized.with(S, S))
            .toStream().map((w, v) -> KeyValue.pair(win(w), v)).to("cogroup-sliding-out", Produced.with(S, S));
        outputs.add("cogroup-sliding-out");
        break;
      }
      case "table-agg": {
        b.table("t", Consumed.with(S, S))
            .groupBy((k, v) -> KeyValue.pair(v, k), Grouped.with(S, S))
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().mapValues(Differential::str).to("tcount", Produced.with(S, S));
        outputs.add("tcount");
        break;
      }
      case "optimized-merge": {
        KStream<String, String> keyed = b.stream("om", Consumed.with(S, S))
            .selectKey((k, v) -> v.split("\\|")[0]);
        keyed.groupByKey(Grouped.with(S, S)).count(Materialized.with(S, Serdes.Long()))
            .toStream().mapValues(Differential::str).to("om-count", Produced.with(S, S));
        keyed.groupByKey(Grouped.with(S, S)).reduce((a, v) -> a + "+" + v.split("\\|")[1], Materialized.with(S, S))
            .toStream().to("om-reduce", Produced.with(S, S));
        keyed.filter((k, v) -> !v.endsWith("|x")).groupByKey(Grouped.with(S, S)).windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(20)))
            .count(Materialized.with(S, Serdes.Long()))
            .toStream().map((w, c) -> KeyValue.pair(win(w), str(c))).to("om-windowed", Produced.with(S, S));
        keyed.mapValues(v -> v.toUpperCase()).groupByKey(Grouped.with(S, S)).count(Materialized.with(S, Serdes.Long()))
            .toStream().mapValues(Differential::str).to("om-upper", Produced.with(S, S));
        outputs.addAll(List.of("om-count", "om-reduce", "om-windowed", "om-upper"));
        break;
      }
      case "optimized-merge-node": {
        KStream<String, String> one = b.stream("mn1", Consumed.with(S, S)).selectKey((k, v) -> v);
        KStream<String, String> two = b.stream("mn2", Consumed.with(S, S)).map((k, v) -> KeyValue.pair(v, k == null ? "" : k));
        KStream<String, String> merged = one.merge(two);
        merged.groupByKey(Grouped.with(S, S)).count(Materialized.with(S, Serdes.Long()))
            .toStream().mapValues(Differential::str).to("mn-count", Produced.with(S, S));
        merged.groupByKey(Grouped.with(S, S)).reduce((a, v) -> a + v, Materialized.with(S, S))
            .toStream().to("mn-reduce", Produced.with(S, S));
        outputs.addAll(List.of("mn-count", "mn-reduce"));
        break;
      }
      case "repartitions": {
        KStream<String, String> keyed = b.stream("rp", Consumed.with(S, S)).selectKey((k, v) -> v.split("\\|")[0]);
        keyed.repartition(Repartitioned.with(S, S)).to("rp-plain", Produced.with(S, S));
        keyed.repartition(Repartitioned.<String, String>as("by-first").withKeySerde(S).withValueSerde(S).withNumberOfPartitions(2))
            .to("rp-named", Produced.with(S, S));
        keyed.toTable(Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as("rp-store").withKeySerde(S).withValueSerde(S)).toStream().to("rp-table", Produced.with(S, S));
        keyed.toTable(Materialized.with(S, S)).toStream().to("rp-table2", Produced.with(S, S));
        b.table("rp-t", Consumed.with(S, S)).filter((k, v) -> !v.startsWith("x")).toStream().to("rp-tout", Produced.with(S, S));
        outputs.addAll(List.of("rp-plain", "rp-named", "rp-table", "rp-table2", "rp-tout"));
        break;
      }
      case "optimized-self-join": {
        KStream<String, String> s = b.stream("sj", Consumed.with(S, S));
        s.join(s, (l, r) -> l + "+" + r, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(4)).after(Duration.ofMillis(2)),
            StreamJoined.with(S, S, S)).to("sj-self", Produced.with(S, S));
        KStream<String, String> one = b.stream("sj2", Consumed.with(S, S));
        KStream<String, String> two = b.stream("sj2", Consumed.with(S, S));
        one.join(two, (l, r) -> l + "*" + r, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(3), Duration.ofMillis(2)),
            StreamJoined.with(S, S, S)).to("sj-two", Produced.with(S, S));
        outputs.addAll(List.of("sj-self", "sj-two"));
        break;
      }
      case "duplicate-sources": {
        b.stream("ds", Consumed.with(S, S)).mapValues(v -> v.toUpperCase()).to("ds-upper", Produced.with(S, S));
        b.stream("ds", Consumed.with(S, S)).filter((k, v) -> v.endsWith("1")).to("ds-ones", Produced.with(S, S));
        outputs.addAll(List.of("ds-upper", "ds-ones"));
        break;
      }
      case "rekeyed-joins":
      case "optimized-rekeyed-joins": {
        KStream<String, String> keyed = b.stream("rj", Consumed.with(S, S)).selectKey((k, v) -> v.split("\\|")[0]);
        KTable<String, String> table = b.table("rt", Consumed.with(S, S));
        keyed.join(table, (v, t) -> v + "/" + t, Joined.with(S, S, S)).to("rj-inner", Produced.with(S, S));
        keyed.leftJoin(table, (v, t) -> v + "/" + t, Joined.with(S, S, S)).to("rj-left", Produced.with(S, S));
        KStream<String, String> other = b.stream("rs", Consumed.with(S, S));
        keyed.join(other, (v, o) -> v + "&" + o, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(5)),
            StreamJoined.with(S, S, S)).to("rj-ss", Produced.with(S, S));
        outputs.addAll(List.of("rj-inner", "rj-left", "rj-ss"));
        break;
      }
      default:
        throw new IllegalArgumentException("no scenario " + scenario);
    }
    if (scenario.startsWith("optimized")) {
      Properties optimize = new Properties();
      optimize.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.OPTIMIZE);
      return b.build(optimize);
    }
    return b.build();
  }

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    List<String> outputs = new java.util.ArrayList<>();
    Topology topology = build(scenario, outputs);
    System.out.print("DESCRIBE\n" + topology.describe() + "END\n");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "diff");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, args.length > 1 ? args[1] : "0");
    if (args.length > 2) props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_OUTER_JOIN_SPURIOUS_RESULTS_FIX, Long.parseLong(args[2]));
    if (args.length > 3) props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, Long.parseLong(args[3]));
    props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("diff").toString());
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(0))) {
      Map<String, TestInputTopic<String, String>> inputs = new HashMap<>();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", -1);
        if (f.length > 4 && !f[4].equals("0")) driver.advanceWallClockTime(Duration.ofMillis(Long.parseLong(f[4])));
        TestInputTopic<String, String> topic = inputs.computeIfAbsent(f[0],
            t -> driver.createInputTopic(t, S.serializer(), S.serializer()));
        topic.pipeInput(f[1].equals("\\N") ? null : f[1], f[2].equals("\\N") ? null : f[2], Long.parseLong(f[3]));
      }
      for (String out : outputs) {
        TestOutputTopic<String, String> topic = driver.createOutputTopic(out, S.deserializer(), S.deserializer());
        for (TestRecord<String, String> r : topic.readRecordsToList()) {
          System.out.println("OUT\t" + out + "\t" + (r.key() == null ? "\\N" : r.key()) + "\t"
              + (r.value() == null ? "\\N" : r.value()) + "\t" + r.timestamp());
        }
      }
    }
  }
}
