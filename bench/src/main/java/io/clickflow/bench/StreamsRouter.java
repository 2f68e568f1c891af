package io.clickflow.bench;

import io.clickflow.route.Destination;
import io.clickflow.route.Destinations;
import io.clickflow.route.Router;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The peer: the router's topology as a Kafka Streams application. Input records are fanned out by the router's rule
 * ({@link RouteFanout}) with the same headers, and written by a {@link TopicNameExtractor} to each destination's topic
 * or the dead-letter topic, with {@code exactly_once_v2} and the checkpoint interval as commit interval. No state
 * stores, no repartitioning: no internal topics.
 */
final class StreamsRouter {
    private StreamsRouter() {}

    static Topology topology(PeerArgs a) {
        StreamsBuilder builder = new StreamsBuilder();
        RouteFanout fanout = a.fanout();
        builder.stream(a.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new Fanout(fanout))
                .to(
                        new ByDestination(a.destinations(), a.deadLetterTopic()),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        return builder.build();
    }

    static Properties config(PeerArgs a) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, a.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        if (a.commitIntervalMillis() >= 0) { // else Kafka Streams' default
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(a.commitIntervalMillis()));
        }
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(a.threads()));
        // One broker: internal topics (there are none in this topology) with one replica.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
        p.put(StreamsConfig.STATE_DIR_CONFIG, a.stateDir());
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        return p;
    }

    /**
     * With {@code --bounded}: from start until the application's committed offsets reach the input's end (with
     * exactly-once, offsets commit in the same transaction as the output), reported; else prints
     * {@link BenchCase#READY} once running and runs until this JVM is killed.
     */
    static void run(PeerArgs a) throws Exception {
        KafkaStreams streams = new KafkaStreams(topology(a), config(a));
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> streams.close(Duration.ofSeconds(10))));
        if (!a.bounded()) {
            streams.start();
            if (!running.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Kafka Streams did not reach RUNNING in 2 minutes");
            }
            System.out.println(BenchCase.READY);
            System.out.flush();
            new CountDownLatch(1).await(); // until the parent kills this JVM
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            admin.describeTopics(List.of(a.inputTopic()))
                    .allTopicNames()
                    .get()
                    .get(a.inputTopic())
                    .partitions()
                    .forEach(p -> ends.put(new TopicPartition(a.inputTopic(), p.partition()), OffsetSpec.latest()));
            long end = admin.listOffsets(ends).all().get().values().stream()
                    .mapToLong(o -> o.offset())
                    .sum();
            long start = System.nanoTime();
            long cpuStart = BenchCase.processCpuNanos();
            streams.start();
            long committed = 0;
            while (committed < end) {
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("Kafka Streams stopped: " + streams.state());
                }
                Thread.sleep(20); // polling the application's progress: the resolution of its end time
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                                a.applicationId(), new ListConsumerGroupOffsetsOptions().requireStable(true))
                        .partitionsToOffsetAndMetadata()
                        .get();
                committed = offsets.values().stream()
                        .filter(o -> o != null)
                        .mapToLong(OffsetAndMetadata::offset)
                        .sum();
            }
            ObjectNode result = new ObjectMapper().createObjectNode();
            result.put("nanos", System.nanoTime() - start);
            result.put("cpuNanos", BenchCase.processCpuNanos() - cpuStart);
            result.put("records", end);
            result.put("peakRssBytes", BenchCase.peakRssBytes());
            streams.close(Duration.ofSeconds(30));
            BenchCase.report(result);
        }
    }

    /** The router's rule per record: a copy per output with the input's headers plus the router's. */
    private static final class Fanout implements Processor<byte[], byte[], byte[], byte[]> {
        private final RouteFanout fanout;
        private ProcessorContext<byte[], byte[]> context;

        Fanout(RouteFanout fanout) {
            this.fanout = fanout;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            RecordMetadata m = context.recordMetadata().orElseThrow();
            String source = m.topic() + "/" + m.partition() + "/" + m.offset();
            Header[] input = record.headers().toArray();
            fanout.route(record.value(), source, (topic, extra) -> {
                Headers h = new RecordHeaders(input);
                for (int i = 0; i < extra.length; i += 2) {
                    h.add(extra[i], extra[i + 1].getBytes(StandardCharsets.UTF_8));
                }
                context.forward(record.withHeaders(h));
            });
        }
    }

    /**
     * The topic of a copy, from the destination header the fan-out added just before the source header (a dead
     * letter has the reason there): the extractor sees only key, value and record context.
     */
    private record ByDestination(Destinations destinations, String deadLetterTopic)
            implements TopicNameExtractor<byte[], byte[]> {
        @Override
        public String extract(byte[] key, byte[] value, RecordContext context) {
            Header previous = null;
            Header last = null;
            for (Header h : context.headers()) {
                previous = last;
                last = h;
            }
            if (previous == null || !previous.key().equals(Router.DESTINATION_HEADER)) {
                return deadLetterTopic;
            }
            Destination d = destinations.get(new String(previous.value(), StandardCharsets.UTF_8));
            return d == null ? deadLetterTopic : d.outputTopic;
        }
    }
}
