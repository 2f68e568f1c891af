package io.clickflow.route;

import io.clickflow.io.KafkaSinks;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The router's Kafka records in and out: the input as raw bytes, destination changes, records as routed. */
final class RouteFormats {
    private static final Logger LOG = LoggerFactory.getLogger(RouteFormats.class);

    private RouteFormats() {}

    /** Input records untouched, with their position and headers. */
    static final class Raw implements KafkaRecordDeserializationSchema<KafkaRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KafkaRecord> out) {
            out.collect(KafkaRecord.of(record));
        }

        @Override
        public TypeInformation<KafkaRecord> getProducedType() {
            return TypeInformation.of(KafkaRecord.class);
        }
    }

    /**
     * Records of the destinations topic: key = the destination's name, value = its entry as in
     * {@code --destinations} ({@code {"output_topic": ...}}) or null to remove it. A record that is neither is
     * logged and skipped: a bad change must not stop routing.
     */
    static final class Updates implements KafkaRecordDeserializationSchema<Destination> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Destination> out) {
            String where = record.topic() + "/" + record.partition() + "/" + record.offset();
            if (record.key() == null || record.key().length == 0) {
                LOG.warn("Destination change at {} ignored: no key (the key names the destination)", where);
                return;
            }
            String name = new String(record.key(), StandardCharsets.UTF_8);
            try {
                out.collect(Destinations.update(name, record.value()));
            } catch (IllegalArgumentException e) {
                LOG.warn("Destination change at {} for {} ignored: {}", where, name, e.getMessage());
            }
        }

        @Override
        public TypeInformation<Destination> getProducedType() {
            return TypeInformation.of(Destination.class);
        }
    }

    /** Each routed record to its topic with its key, value, timestamp and headers. */
    static final class Routed implements KafkaSinks.RecordFormat<KafkaRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public String topic(KafkaRecord r) {
            return r.topic;
        }

        @Override
        public byte[] key(KafkaRecord r) {
            return r.key;
        }

        @Override
        public byte[] value(KafkaRecord r) {
            return r.value;
        }

        @Override
        public Iterable<Header> headers(KafkaRecord r) {
            List<Header> headers = new ArrayList<>(r.headerKeys.length);
            for (int i = 0; i < r.headerKeys.length; i++) {
                headers.add(new RecordHeader(r.headerKeys[i], r.headerValues[i]));
            }
            return headers;
        }

        @Override
        public Long timestamp(KafkaRecord r) {
            return r.timestamp < 0 ? null : r.timestamp;
        }
    }
}
