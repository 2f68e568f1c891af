package io.clickflow.io;

import java.io.Serializable;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a stream to Kafka, each record to the topic it names, exactly once (transactions per checkpoint) or at least once. */
public final class KafkaSinks {
    private KafkaSinks() {}

    /** How records are delivered. */
    public enum Delivery {
        /** Kafka transactions committed with each checkpoint: read_committed consumers see each record once, a checkpoint late. */
        EXACTLY_ONCE(DeliveryGuarantee.EXACTLY_ONCE),
        /** Records as soon as they are computed; after a restart some are sent again. */
        AT_LEAST_ONCE(DeliveryGuarantee.AT_LEAST_ONCE);

        final DeliveryGuarantee guarantee;

        Delivery(DeliveryGuarantee guarantee) {
            this.guarantee = guarantee;
        }
    }

    /** A record's topic, key and value. */
    public interface RecordFormat<T> extends Serializable {
        String topic(T record);

        byte[] key(T record);

        byte[] value(T record);
    }

    /**
     * Transactions stay open for up to a checkpoint interval plus a restart; ten minutes stays below the
     * broker's default cap of fifteen ({@code transaction.max.timeout.ms}), which Flink's one-hour default exceeds.
     */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    /**
     * @param transactionalIdPrefix unique per job writing to the cluster: Flink aborts this prefix's lingering
     *     transactions on start
     */
    public static <T> void write(DataStream<T> stream, String bootstrapServers, Delivery delivery, String transactionalIdPrefix,
            RecordFormat<T> format, String uid, String name) {
        KafkaSink<T> sink = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(delivery.guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setRecordSerializer(new Serializer<>(format))
                .build();
        stream.sinkTo(sink).uid(uid).name(name);
    }

    /** Each record to its own topic with its key and value. */
    static final class Serializer<T> implements KafkaRecordSerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final RecordFormat<T> format;

        Serializer(RecordFormat<T> format) {
            this.format = format;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(format.topic(record), format.key(record), format.value(record));
        }
    }
}
