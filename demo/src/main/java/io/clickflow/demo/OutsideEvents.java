package io.clickflow.demo;

import io.clickflow.analytics.AnalyticsTraffic;
import io.clickflow.analytics.UserAction;
import io.clickflow.analytics.UserActionDecoder;
import io.clickflow.decode.Decoded;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * The events in the demo's topic that its load did not send (users outside the load's pool): a person's own POSTs
 * during the demo, read back from Kafka and tallied, so the closing check counts them in instead of calling them a
 * mismatch.
 */
final class OutsideEvents implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Predicate<String> loadUser;
    private final UserActionDecoder decoder = new UserActionDecoder();
    private final AnalyticsTraffic.Tally tally = new AnalyticsTraffic.Tally();
    private long count;

    /** @param loadUser whether a user name is one of the load's */
    OutsideEvents(String bootstrapServers, String topic, Predicate<String> loadUser) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.loadUser = loadUser;
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads the topic up to the end it has now, at most {@code timeout}. */
    synchronized void catchUp(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(end) && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                Decoded<UserAction> d = decoder.decode(r.value(), "kafka", r.partition() + "@" + r.offset());
                // What the servers wrote is valid (they check it): a rejection here would be the job's to report.
                if (!d.isRejected() && d.event.isEvent() && !loadUser.test(d.event.user)) {
                    tally.add(d.event);
                    count++;
                }
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The outside events read so far, per hour. */
    AnalyticsTraffic.Tally tally() {
        return tally;
    }

    /** How many outside events were read so far. */
    synchronized long count() {
        return count;
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
