package io.clickflow.bench;

import io.clickflow.runner.KafkaPreflight;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The benches' topics: created with their leaders elected, counted, and their size on disk. */
final class BenchKafka {
    private BenchKafka() {}

    static void createTopics(String bs, int partitions, Map<String, String> config, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, partitions, (short) 1).configs(config));
            }
            admin.createTopics(newTopics).all().get(60, TimeUnit.SECONDS);
            KafkaPreflight.awaitLeaders(admin, List.of(topics), Duration.ofSeconds(60));
        }
    }

    /** Records in the topics: the sum of their partitions' end offsets. */
    static long recordCount(String bs, int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            for (String t : topics) {
                for (int p = 0; p < partitions; p++) {
                    request.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            return admin.listOffsets(request).all().get(60, TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset())
                    .sum();
        }
    }

    /**
     * Reads the partitions from their start to their end offsets as they were when it began, handing each record to
     * {@code each}: how the ceilings read a pre-filled topic.
     */
    static void readToEnd(
            Properties props, List<TopicPartition> partitions, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long remaining = consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            while (remaining > 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    each.accept(r);
                    remaining--;
                }
            }
        }
    }

    /** Bytes of record data under a broker's folder (Kafka preallocates index files: they are not counted). */
    static long logBytes(Path dir) throws IOException {
        return dirSize(dir, ".log");
    }

    /** Bytes of the regular files under {@code dir} whose names end with {@code suffix}. */
    static long dirSize(Path dir, String suffix) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(suffix) && Files.isRegularFile(f))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
