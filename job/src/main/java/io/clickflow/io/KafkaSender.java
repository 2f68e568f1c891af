package io.clickflow.io;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/** The generators' producer: keyed records, optionally paced to a rate, the first failed send rethrown. */
public final class KafkaSender implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final long startNanos = System.nanoTime();

    public KafkaSender(String bootstrapServers, int batchBytes, String compression) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(batchBytes));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // One request in flight: on a freshly created partition a rejected first batch plus an accepted
        // second one leaves the idempotent producer retrying OUT_OF_ORDER_SEQUENCE until records expire.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Waits until record {@code n} is due at {@code rate} per second since this sender started. */
    public void pace(long n, double rate) throws InterruptedException {
        long waitNanos = startNanos + (long) (n * 1e9 / rate) - System.nanoTime();
        if (waitNanos > 1_000_000) {
            Thread.sleep(waitNanos / 1_000_000);
        }
    }

    public void send(String topic, String key, byte[] value) throws Exception {
        if (failure.get() != null) {
            throw failure.get();
        }
        producer.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
            if (ex != null) {
                failure.compareAndSet(null, ex);
            }
        });
    }

    /** Flushes, closes, and throws the first failure of any send. */
    @Override
    public void close() throws Exception {
        try {
            producer.flush();
        } finally {
            producer.close();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
