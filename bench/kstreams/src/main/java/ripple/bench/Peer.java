package ripple.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The three jobs of bench/peers as a Kafka Streams application:
 *
 * <ul>
 *   <li>count: events per key, the count emitted as an 8-byte big-endian long;
 *   <li>dedupe: events whose meta.id was seen in the last TTL dropped, the rest passed on
 *       (the id store a window store, as Kafka Streams' documentation does it);
 *   <li>window: events per key per one-minute tumbling window of the event's dt, 10 s of
 *       grace, one final result per window (suppress until the window closes).
 * </ul>
 *
 * <p>Usage: java -jar kstreams-peer.jar JOB BROKERS INPUT OUTPUT APPLICATION_ID STATE_DIR
 * COMMIT_MS CACHE_BYTES THREADS. Runs until SIGTERM.
 */
public final class Peer {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TTL = Duration.ofHours(1);

  public static void main(String[] args) throws Exception {
    if (args.length != 9) {
      System.err.println(
          "usage: JOB BROKERS INPUT OUTPUT APPLICATION_ID STATE_DIR COMMIT_MS CACHE_BYTES THREADS");
      System.exit(2);
    }
    String job = args[0], input = args[2], output = args[3];
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, args[4]);
    p.put(StreamsConfig.STATE_DIR_CONFIG, args[5]);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.parseLong(args[6]));
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.parseLong(args[7]));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(args[8]));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    StreamsBuilder b = new StreamsBuilder();
    switch (job) {
      case "count" -> count(b, input, output);
      case "dedupe" -> dedupe(b, input, output);
      case "window" -> window(b, input, output);
      default -> {
        System.err.println("unknown job " + job);
        System.exit(2);
      }
    }
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close(Duration.ofSeconds(10));
                  done.countDown();
                }));
    streams.setUncaughtExceptionHandler(
        e -> {
          e.printStackTrace();
          System.exit(1);
          return null;
        });
    streams.start();
    done.await();
  }

  static void count(StreamsBuilder b, String input, String output) {
    b.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .groupByKey(Grouped.with(Serdes.String(), Serdes.ByteArray()))
        .count(Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts"))
        .toStream()
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
  }

  static void dedupe(StreamsBuilder b, String input, String output) {
    b.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore("ids", TTL, TTL, false),
            Serdes.String(),
            Serdes.Long()));
    b.stream(input, Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .process(Dedupe::new, "ids")
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
  }

  /** Drops an event whose meta.id the store holds within TTL of its timestamp. */
  static final class Dedupe implements Processor<String, byte[], String, byte[]> {
    private ProcessorContext<String, byte[]> ctx;
    private WindowStore<String, Long> ids;

    @Override
    public void init(ProcessorContext<String, byte[]> ctx) {
      this.ctx = ctx;
      this.ids = ctx.getStateStore("ids");
    }

    @Override
    public void process(Record<String, byte[]> r) {
      String id;
      try {
        JsonNode n = JSON.readTree(r.value()).path("meta").path("id");
        id = n.isTextual() ? n.asText() : null;
      } catch (Exception e) {
        id = null;
      }
      if (id == null || id.isEmpty()) {
        return; // ripple sends these to its error topic; the input has none
      }
      long t = r.timestamp();
      boolean seen;
      try (WindowStoreIterator<Long> it = ids.fetch(id, t - TTL.toMillis(), t + TTL.toMillis())) {
        seen = it.hasNext();
      }
      if (!seen) {
        ids.put(id, t, t);
        ctx.forward(r);
      }
    }
  }

  static void window(StreamsBuilder b, String input, String output) {
    b.stream(
            input,
            Consumed.with(Serdes.String(), Serdes.ByteArray()).withTimestampExtractor(new DT()))
        .groupByKey(Grouped.with(Serdes.String(), Serdes.ByteArray()))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(10)))
        .count(Materialized.as("windows"))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        .map((w, n) -> KeyValue.pair(w.key() + "@" + w.window().start(), n))
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
  }

  /** The event time: the event's dt field, as ripple's window.DT reads it. */
  static final class DT implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> r, long partitionTime) {
      try {
        JsonNode dt = JSON.readTree((byte[]) r.value()).path("dt");
        return Instant.parse(dt.asText()).toEpochMilli();
      } catch (Exception e) {
        return -1; // dropped, as ripple sends it to its error topic
      }
    }
  }
}
