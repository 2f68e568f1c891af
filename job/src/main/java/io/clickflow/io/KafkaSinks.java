package io.clickflow.io;

import io.clickflow.tables.RejectedEvent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

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

    /** A record's topic, key and value, and optionally its headers and timestamp. */
    public interface RecordFormat<T> extends Serializable {
        String topic(T record);

        byte[] key(T record);

        byte[] value(T record);

        /** Null: none. */
        default Iterable<Header> headers(T record) {
            return null;
        }

        /** Null: the producer's clock. */
        default Long timestamp(T record) {
            return null;
        }
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
    public static <T> void write(
            DataStream<T> stream,
            String bootstrapServers,
            Delivery delivery,
            String transactionalIdPrefix,
            RecordFormat<T> format,
            String uid,
            String name) {
        KafkaSink<T> sink = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(delivery.guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setRecordSerializer(new Serializer<>(format))
                .build();
        stream.sinkTo(sink).uid(uid).name(name);
    }

    /**
     * Rejected records as JSON ({@code stream, source, position, reason, payload}) to one topic, keyed by where they
     * were read, for jobs that keep what they cannot use on Kafka rather than in a table.
     */
    public static final class RejectedToTopic implements RecordFormat<RejectedEvent> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient ObjectMapper json;

        public RejectedToTopic(String topic) {
            this.topic = topic;
        }

        @Override
        public String topic(RejectedEvent r) {
            return topic;
        }

        @Override
        public byte[] key(RejectedEvent r) {
            return (r.source + "@" + r.position).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] value(RejectedEvent r) {
            if (json == null) {
                json = new ObjectMapper();
            }
            ObjectNode node = json.createObjectNode()
                    .put("stream", r.stream)
                    .put("source", r.source)
                    .put("position", r.position)
                    .put("reason", r.reason)
                    .put("payload", r.payload);
            try {
                return json.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a rejected record as JSON", e);
            }
        }
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
            return new ProducerRecord<>(
                    format.topic(record),
                    null,
                    format.timestamp(record),
                    format.key(record),
                    format.value(record),
                    format.headers(record));
        }
    }
}
