package io.clickflow.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts the real broker child process from kafka-runtime's classpath and round-trips records. */
@Timeout(120)
class KafkaBrokerITCase {

    @Test
    void producesAndConsumesThroughAChildBrokerAndStopsIt(@TempDir Path dataDir) throws Exception {
        long pid;
        try (KafkaBroker broker = KafkaBroker.start(dataDir, Path.of("target", "classpath.txt"))) {
            pid = broker.pid();
            assertThat(ProcessHandle.of(pid))
                    .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

            broker.createTopic("clicks", 3);
            broker.createTopic("clicks", 3); // a second call finds it there and leaves it be
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                assertThat(admin.describeTopics(List.of("clicks"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get("clicks")
                                .partitions())
                        .hasSize(3);
            }

            List<String> sent = List.of("a", "b", "c", "d", "e", "f");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
                for (int i = 0; i < sent.size(); i++) {
                    producer.send(new ProducerRecord<>("clicks", i % 3, "k" + i, sent.get(i)))
                            .get(30, TimeUnit.SECONDS);
                }
            }

            // A consumer group, not assign(): it exercises the offsets topic set up for one node.
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
                consumer.subscribe(List.of("clicks"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received.size() < sent.size() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                }
                consumer.commitSync();
            }
            assertThat(received).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(received).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
        }

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }
}
