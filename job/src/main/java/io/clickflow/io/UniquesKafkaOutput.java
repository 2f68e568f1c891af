package io.clickflow.io;

import io.clickflow.records.Times;
import io.clickflow.records.UniqueUsers;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Window counts as JSON records to a Kafka topic, keyed by window ({@code 60s/2024-01-01T00:01:00.000Z}),
 * so a compacted topic keeps each window's latest row and one window's rows stay in order in one partition.
 */
public final class UniquesKafkaOutput {
    private UniquesKafkaOutput() {}

    /** How the output topic is written. */
    public enum Delivery {
        /** Kafka transactions committed with each checkpoint: read_committed consumers see each row once, a checkpoint late. */
        EXACTLY_ONCE("exactly-once", DeliveryGuarantee.EXACTLY_ONCE),
        /** Rows as soon as they are computed; after a restart some are sent again (the same or an older count of a window). */
        AT_LEAST_ONCE("at-least-once", DeliveryGuarantee.AT_LEAST_ONCE);

        private final String cliName;
        final DeliveryGuarantee guarantee;

        Delivery(String cliName, DeliveryGuarantee guarantee) {
            this.cliName = cliName;
            this.guarantee = guarantee;
        }

        public String cliName() {
            return cliName;
        }

        public static Delivery parse(String s) {
            for (Delivery d : values()) {
                if (d.cliName.equals(s.toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
            throw new IllegalArgumentException("must be exactly-once or at-least-once, not '" + s + "'");
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
    public static void write(DataStream<UniqueUsers> rows, String bootstrapServers, String topic, Delivery delivery,
            String transactionalIdPrefix) {
        KafkaSink<UniqueUsers> sink = KafkaSink.<UniqueUsers>builder()
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(delivery.guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setRecordSerializer(new Serializer(topic))
                .build();
        rows.sinkTo(sink).uid("unique-users-kafka-sink").name("unique users to " + topic);
    }

    /** The record key of a window's rows. */
    public static String key(UniqueUsers row) {
        return row.windowSeconds + "s/" + Times.format(row.windowStart);
    }

    /** The JSON value of a row: flat, field names as in the table. */
    public static String json(UniqueUsers row) {
        return "{\"window_start\":\"" + Times.format(row.windowStart)
                + "\",\"window_end\":\"" + Times.format(row.windowEnd)
                + "\",\"window_seconds\":" + row.windowSeconds
                + ",\"unique_users\":" + row.uniqueUsers
                + ",\"lower_bound\":" + row.lowerBound
                + ",\"upper_bound\":" + row.upperBound
                + ",\"is_final\":" + row.isFinal + "}";
    }

    /** Key and JSON value of each row, to one topic. */
    static final class Serializer implements KafkaRecordSerializationSchema<UniqueUsers> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        Serializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(UniqueUsers row, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, key(row).getBytes(StandardCharsets.UTF_8), json(row).getBytes(StandardCharsets.UTF_8));
        }
    }
}
