package io.clickflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The router's ceiling: plain KafkaConsumers, one per thread, reading the input from its start to its end, each
 * record copied (key, value, timestamp, headers plus the router's) to every destination topic it names with a
 * plain KafkaProducer per thread: no transactions, no checkpoints, acks=all, the router's routing rule.
 */
final class CopyCeiling {
    private CopyCeiling() {}

    /** Reads and copies everything; the result as {@link BenchCase#report} prints it. */
    static ObjectNode run(PeerArgs a) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(a.bootstrapServers())) {
            for (PartitionInfo p : c.partitionsFor(a.inputTopic())) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        List<List<TopicPartition>> assignment = Ceiling.spread(partitions, a.threads());
        ExecutorService pool = Executors.newFixedThreadPool(a.threads());
        try {
            long start = System.nanoTime();
            long cpuStart = BenchCase.processCpuNanos();
            List<Future<long[]>> futures = new ArrayList<>();
            for (List<TopicPartition> part : assignment) {
                if (!part.isEmpty()) {
                    futures.add(pool.submit(() -> copy(a, part)));
                }
            }
            long records = 0;
            long outputs = 0;
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                records += r[0];
                outputs += r[1];
            }
            ObjectNode result = new ObjectMapper().createObjectNode();
            result.put("nanos", System.nanoTime() - start);
            result.put("cpuNanos", BenchCase.processCpuNanos() - cpuStart);
            result.put("records", records);
            result.put("outputs", outputs);
            result.put("peakRssBytes", BenchCase.peakRssBytes());
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long[] copy(PeerArgs a, List<TopicPartition> partitions) throws Exception {
        RouteFanout fanout = a.fanout();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // Batches of a few ms and 64 KB: a copy loop's best case, without compression (as the router's sink).
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(64 * 1024));
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong outputs = new AtomicLong();
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(a.bootstrapServers());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long remaining = 0;
            for (TopicPartition p : partitions) {
                remaining += end.get(p) - begin.get(p);
            }
            while (remaining > 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String source = r.topic() + "/" + r.partition() + "/" + r.offset();
                    fanout.route(r.value(), source, (topic, headers) -> {
                        RecordHeaders h = new RecordHeaders(r.headers().toArray());
                        for (int i = 0; i < headers.length; i += 2) {
                            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
                        }
                        producer.send(
                                new ProducerRecord<>(topic, null, r.timestamp(), r.key(), r.value(), h), (md, ex) -> {
                                    if (ex != null) {
                                        failure.compareAndSet(null, ex);
                                    }
                                });
                        outputs.incrementAndGet();
                    });
                    records++;
                    remaining--;
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return new long[] {records, outputs.get()};
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
