package io.clickflow.api;

import io.clickflow.tables.AnalyticsEvent;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Appends accepted events to the events topic with an idempotent producer (acks=all) and reports each one's fate:
 * null once every in-sync replica has it, else the reason. The server answers 204 only on null.
 */
final class EventProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    /**
     * @param deliveryTimeout how long a record may wait for its acknowledgement, retries included
     * @param maxBlock how long {@code send} may block the calling event loop when the producer's buffer is full or
     *     the topic's metadata is unknown; beyond it the event is refused at once
     */
    EventProducer(
            String bootstrapServers,
            String topic,
            Duration deliveryTimeout,
            Duration linger,
            Duration maxBlock,
            Map<String, String> extra) {
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        // Kafka requires delivery.timeout >= linger + request.timeout; one request may use what linger leaves.
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Math.min(30_000, deliveryTimeout.toMillis() - linger.toMillis()));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        // An idle server must not forget the topic's metadata: the next send would then block (or fail at once).
        config.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, (int)
                Duration.ofDays(1).toMillis());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "clickflow-api");
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Fetches the topic's partitions so that sends do not wait for metadata. Retried until {@code timeout}: with a
     * short max block each attempt only asks and looks.
     */
    void warmUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the producer got no metadata of topic '" + topic + "' within "
                            + timeout.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Sends the event keyed by its user (UTF-8); {@code done} gets null when acknowledged, else the failure. */
    void send(Requests.Post event, Consumer<Exception> done) {
        byte[] key = event.user().getBytes(StandardCharsets.UTF_8);
        byte[] value = AnalyticsEvent.json(event.user(), event.timestamp(), event.click(), event.id())
                .getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> done.accept(e));
        } catch (RuntimeException e) { // a full buffer, unknown metadata within max.block.ms, a closed producer
            done.accept(e);
        }
    }

    /**
     * Appends a fresh read's fence to every partition of the topic; {@code done} gets null once every one is
     * acknowledged (acks=all: each stands behind every event acknowledged before), else the first failure.
     */
    void sendFences(String fence, long hourStart, Consumer<Exception> done) {
        List<PartitionInfo> partitions;
        try {
            partitions = producer.partitionsFor(topic);
        } catch (RuntimeException e) {
            done.accept(e);
            return;
        }
        int n = partitions.size();
        AtomicInteger left = new AtomicInteger(n);
        AtomicBoolean failed = new AtomicBoolean();
        byte[] key = fence.getBytes(StandardCharsets.UTF_8);
        for (PartitionInfo p : partitions) {
            byte[] value =
                    AnalyticsEvent.fenceJson(fence, hourStart, p.partition(), n).getBytes(StandardCharsets.UTF_8);
            Callback callback = (metadata, e) -> {
                if (e != null) {
                    if (failed.compareAndSet(false, true)) {
                        done.accept(e);
                    }
                } else if (left.decrementAndGet() == 0 && !failed.get()) {
                    done.accept(null);
                }
            };
            try {
                producer.send(new ProducerRecord<>(topic, p.partition(), key, value), callback);
            } catch (RuntimeException e) {
                callback.onCompletion(null, e);
            }
        }
    }

    /** Sends what is buffered and waits for it, at most {@code timeout}; events still unacknowledged then fail. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    void close(Duration timeout) {
        producer.close(timeout);
    }
}
