package io.clickflow.io;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.JsonEventDecoder;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes Kafka record values; a bad record becomes a rejection positioned at {@code partition:offset}. */
public class DecodingKafkaDeserializer<T> implements KafkaRecordDeserializationSchema<Decoded<T>> {
    private static final long serialVersionUID = 1L;

    private final JsonEventDecoder<T> decoder;
    private final TypeInformation<Decoded<T>> producedType;

    public DecodingKafkaDeserializer(JsonEventDecoder<T> decoder, TypeInformation<Decoded<T>> producedType) {
        this.decoder = decoder;
        this.producedType = producedType;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded<T>> out) {
        // The position only matters for a rejection: no string per good record.
        Decoded<T> decoded = decoder.decode(record.value(), record.topic(), null);
        if (decoded.rejected != null) {
            decoded.rejected.position = record.partition() + ":" + record.offset();
        }
        out.collect(decoded);
    }

    @Override
    public TypeInformation<Decoded<T>> getProducedType() {
        return producedType;
    }
}
