package io.clickflow.uniques;

import io.clickflow.io.KafkaSinks;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.UniqueUsers;

import org.apache.flink.streaming.api.datastream.DataStream;

import java.nio.charset.StandardCharsets;

/**
 * Window counts as JSON records to a Kafka topic, keyed by window ({@code 60s/2024-01-01T00:01:00.000Z}),
 * so a compacted topic keeps each window's latest row and one window's rows stay in order in one partition.
 */
public final class UniquesKafkaOutput {
    private UniquesKafkaOutput() {}

    /**
     * @param transactionalIdPrefix unique per job writing to the cluster: Flink aborts this prefix's lingering
     *     transactions on start
     */
    public static void write(
            DataStream<UniqueUsers> rows,
            String bootstrapServers,
            String topic,
            KafkaSinks.Delivery delivery,
            String transactionalIdPrefix) {
        KafkaSinks.write(
                rows,
                bootstrapServers,
                delivery,
                transactionalIdPrefix,
                new Format(topic),
                "unique-users-kafka-sink",
                "unique users to " + topic);
    }

    /** The record key of a window's rows. */
    public static String key(UniqueUsers row) {
        return row.windowSeconds + "s/" + EventTimes.format(row.windowStart);
    }

    /** The JSON value of a row: flat, field names as in the table. */
    public static String json(UniqueUsers row) {
        return "{\"window_start\":\"" + EventTimes.format(row.windowStart)
                + "\",\"window_end\":\"" + EventTimes.format(row.windowEnd)
                + "\",\"window_seconds\":" + row.windowSeconds
                + ",\"unique_users\":" + row.uniqueUsers
                + ",\"lower_bound\":" + row.lowerBound
                + ",\"upper_bound\":" + row.upperBound
                + ",\"is_final\":" + row.isFinal + "}";
    }

    /** Key and JSON value of each row, to one topic. */
    static final class Format implements KafkaSinks.RecordFormat<UniqueUsers> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        Format(String topic) {
            this.topic = topic;
        }

        @Override
        public String topic(UniqueUsers row) {
            return topic;
        }

        @Override
        public byte[] key(UniqueUsers row) {
            return UniquesKafkaOutput.key(row).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] value(UniqueUsers row) {
            return json(row).getBytes(StandardCharsets.UTF_8);
        }
    }
}
