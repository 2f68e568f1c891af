package io.clickflow.bench;

import io.clickflow.attribution.AdClickDecoder;
import io.clickflow.attribution.PageViewDecoder;
import io.clickflow.decode.Decoded;
import io.clickflow.io.DecodingKafkaDeserializer;

import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling: plain KafkaConsumers, as many as the job's parallelism, reading the topics from the start
 * to their end and decoding every record with the job's own deserializer, nothing else.
 */
final class Ceiling {
    private Ceiling() {}

    /** Records read and decoded, and how long it took. */
    record Result(long records, long rejected, long nanos) {}

    static Result run(String bootstrapServers, String clicksTopic, String viewsTopic, int partitions, int threads)
            throws Exception {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : List.of(clicksTopic, viewsTopic)) {
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
            }
        }
        List<List<TopicPartition>> assignment = spread(all, threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<long[]>> futures = new ArrayList<>();
            for (List<TopicPartition> part : assignment) {
                futures.add(pool.submit(() -> consume(bootstrapServers, clicksTopic, part)));
            }
            long records = 0;
            long rejected = 0;
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                records += r[0];
                rejected += r[1];
            }
            return new Result(records, rejected, System.nanoTime() - start);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The partitions dealt round-robin to {@code threads} consumers. */
    static List<List<TopicPartition>> spread(List<TopicPartition> partitions, int threads) {
        List<List<TopicPartition>> assignment = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            assignment.add(new ArrayList<>());
        }
        for (int i = 0; i < partitions.size(); i++) {
            assignment.get(i % threads).add(partitions.get(i));
        }
        return assignment;
    }

    private static long[] consume(String bootstrapServers, String clicksTopic, List<TopicPartition> partitions) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // The Flink Kafka source's consumer defaults, so both read alike.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        DecodingKafkaDeserializer<?> clicks =
                new DecodingKafkaDeserializer<>(new AdClickDecoder(), AdClickDecoder.TYPE);
        DecodingKafkaDeserializer<?> views =
                new DecodingKafkaDeserializer<>(new PageViewDecoder(), PageViewDecoder.TYPE);
        long[] counts = new long[2];
        Collector<Decoded<?>> count = new Collector<>() {
            @Override
            public void collect(Decoded<?> d) {
                counts[0]++;
                if (d.rejected != null) {
                    counts[1]++;
                }
            }

            @Override
            public void close() {}
        };
        BenchKafka.readToEnd(props, partitions, r -> {
            @SuppressWarnings({"unchecked", "rawtypes"})
            DecodingKafkaDeserializer<Object> d =
                    (DecodingKafkaDeserializer) (r.topic().equals(clicksTopic) ? clicks : views);
            @SuppressWarnings({"unchecked", "rawtypes"})
            Collector<Decoded<Object>> c = (Collector) count;
            d.deserialize(r, c);
        });
        return counts;
    }
}
