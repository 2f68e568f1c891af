package io.clickflow.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft Kafka broker in the test JVM, started once per test class; the job's and the API's tests
 * share it through this module's test jar.
 */
public final class KafkaTestBroker implements BeforeAllCallback, AfterAllCallback {
    private KafkaClusterTestKit cluster;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    /** Stops the broker (idempotent): tests of what happens when Kafka is gone. */
    public void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics and waits until every partition has a leader (a fresh one may refuse the first batch). */
    public void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(topics).stream()
                            .map(t -> new NewTopic(t, partitions, (short) 1))
                            .toList())
                    .all()
                    .get();
            Waits.until(
                    () -> everyPartitionHasALeader(admin, topics),
                    Duration.ofSeconds(30),
                    "partitions of " + List.of(topics) + " without a leader");
        }
    }

    private static boolean everyPartitionHasALeader(Admin admin, String... topics) {
        try {
            return admin.describeTopics(List.of(topics)).allTopicNames().get().values().stream()
                    .allMatch(t -> t.partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (ExecutionException notYet) {
            return false; // metadata of a topic just created may not be everywhere yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the offsets a consumer group has committed, over all its partitions. */
    public long committedOffsets(String groupId) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().values().stream()
                    .mapToLong(o -> o == null ? 0 : o.offset())
                    .sum();
        }
    }

    /** {@link #committedOffsets}, or -1 while the group cannot be read: for polling a running job's progress. */
    public long committedOffsetsOrMinusOne(String groupId) {
        try {
            return committedOffsets(groupId);
        } catch (Exception e) {
            return -1;
        }
    }

    /** A record with an explicit partition, so tests decide which partitions carry data and which stay idle. */
    public record Message(String topic, int partition, String key, byte[] value) {}

    public void produce(List<Message> messages) throws Exception {
        produce(bootstrapServers(), messages);
    }

    /** Produces to any broker, e.g. the demo's child-process broker. */
    public static void produce(String bootstrapServers, List<Message> messages) throws Exception {
        produceRecords(
                bootstrapServers,
                messages.stream()
                        .map(m -> new ProducerRecord<>(
                                m.topic(),
                                m.partition(),
                                m.key() == null ? null : m.key().getBytes(StandardCharsets.UTF_8),
                                m.value()))
                        .toList());
    }

    /** Produces records as given (keys, headers, timestamps, partitions or none), acknowledged by all replicas. */
    public static void produceRecords(String bootstrapServers, List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        // One request in flight per partition: a fresh partition may answer NOT_LEADER to the first batch
        // while a second batch is accepted, and the idempotent producer then loops on OUT_OF_ORDER_SEQUENCE
        // until the delivery timeout (seen once in CI: 14 records expired after 60 s).
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<?>> sent = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(producer.send(r));
            }
            producer.flush();
            for (Future<?> f : sent) {
                f.get(); // a record the broker did not take fails the test here, not as a wrong table later
            }
        }
    }

    /** A record read back: key and value as UTF-8 text. */
    public record Read(int partition, long offset, String key, String value) {}

    /**
     * Every record of a topic up to its end offsets as a read_committed consumer sees them (records of open or aborted
     * transactions are skipped), in partition then offset order.
     */
    public List<Read> readCommitted(String topic) {
        return readCommitted(bootstrapServers(), topic);
    }

    /** {@link #readCommitted(String)} of any broker, e.g. a child-process broker a test restarts. */
    public static List<Read> readCommitted(String bootstrapServers, String topic) {
        return readCommittedRecords(bootstrapServers, topic).stream()
                .map(r -> new Read(r.partition(), r.offset(), text(r.key()), text(r.value())))
                .toList();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@link #readCommitted} with everything a record has: bytes, headers, timestamp. */
    public List<ConsumerRecord<byte[], byte[]>> readCommittedRecords(String topic) {
        return readCommittedRecords(bootstrapServers(), topic);
    }

    /** Reads any broker, e.g. a child-process broker a test restarts. */
    public static List<ConsumerRecord<byte[], byte[]>> readCommittedRecords(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        var deserializer = new ByteArrayDeserializer();
        try (var consumer = new KafkaConsumer<>(props, deserializer, deserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end offsets " + end + " in 30 s");
                }
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r);
                }
            }
            read.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return read;
        }
    }
}
