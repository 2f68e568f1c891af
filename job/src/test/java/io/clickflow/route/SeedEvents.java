package io.clickflow.route;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The seed 003 processor's interface as its own schema files say it (test resources {@code seed-003/}, verbatim
 * from its repository): its producers' records, and its consumers' decoding.
 */
final class SeedEvents {
    static final String PRODUCER_SCHEMA_TEXT = text("/seed-003/producer-to-processor.avsc");
    static final String CONSUMER_SCHEMA_TEXT = text("/seed-003/processor-to-consumer.avsc");
    static final Schema PRODUCER_TO_PROCESSOR = new Schema.Parser().parse(PRODUCER_SCHEMA_TEXT);
    static final Schema PROCESSOR_TO_CONSUMER = new Schema.Parser().parse(CONSUMER_SCHEMA_TEXT);

    private SeedEvents() {}

    /** A record as the seed's producer writes it: one destination type per record. */
    static GenericRecord event(
            String originServiceId, String originServiceType, String destinationServiceType, long at, String payload) {
        GenericRecord r = new GenericData.Record(PRODUCER_TO_PROCESSOR);
        r.put("origin_service_id", originServiceId);
        r.put("origin_service_type", originServiceType);
        r.put("destination_service_type", destinationServiceType);
        r.put("event_timestamp", at);
        r.put("payload", payload);
        return r;
    }

    /** The same fields as clickflow's JSON mode takes them. */
    static String json(
            String originServiceId, String originServiceType, String destinationServiceType, long at, String payload) {
        return "{\"origin_service_id\": \"" + originServiceId + "\", \"origin_service_type\": \"" + originServiceType
                + "\", \"destination_service_type\": \"" + destinationServiceType + "\", \"event_timestamp\": " + at
                + ", \"payload\": \"" + payload + "\"}";
    }

    /** A wire-format value's body decoded as the seed's consumers do: with the ProcessorToConsumer schema. */
    static GenericRecord consumerRecord(byte[] value) {
        try {
            return new GenericDatumReader<GenericRecord>(PROCESSOR_TO_CONSUMER)
                    .read(null, DecoderFactory.get().binaryDecoder(AvroEvents.bodyOf(value), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String resource) {
        try (InputStream in = SeedEvents.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
