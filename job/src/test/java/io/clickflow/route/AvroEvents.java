package io.clickflow.route;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/** The seed's events as Avro records in the Confluent wire format, built and encoded here with Avro's own writer. */
final class AvroEvents {
    static final long EVENT_TIME = 1_646_128_800_000L;

    /** The seed's fields; the payload is a JSON string, as the seed's producer sends it. */
    static final Schema EVENT = new Schema.Parser()
            .parse("{\"type\": \"record\", \"name\": \"Event\", \"namespace\": \"processor\", \"fields\": ["
                    + "{\"name\": \"event_id\", \"type\": \"string\"},"
                    + "{\"name\": \"origin_service_type\", \"type\": \"string\"},"
                    + "{\"name\": \"origin_service_id\", \"type\": [\"string\", \"long\"]},"
                    + "{\"name\": \"destinations\", \"type\": {\"type\": \"array\", \"items\": \"string\"}},"
                    + "{\"name\": \"event_time\", \"type\": {\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}},"
                    + "{\"name\": \"payload\", \"type\": \"string\"}]}");

    private AvroEvents() {}

    static GenericRecord event(String eventId, String tenantType, Object tenantId, List<String> destinations) {
        GenericRecord r = new GenericData.Record(EVENT);
        r.put("event_id", eventId);
        r.put("origin_service_type", tenantType);
        r.put("origin_service_id", tenantId);
        r.put("destinations", destinations);
        r.put("event_time", EVENT_TIME);
        r.put("payload", "{\"amount\": 10, \"destinations\": [\"HR\"]}");
        return r;
    }

    /** The record's Avro binary body, without framing. */
    static byte[] body(GenericRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Magic byte 0, the schema id big-endian, the body. */
    static byte[] framed(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length)
                .put((byte) 0)
                .putInt(schemaId)
                .put(body)
                .array();
    }

    static byte[] framed(int schemaId, GenericRecord record) {
        return framed(schemaId, body(record));
    }

    static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    static byte[] bodyOf(byte[] value) {
        return Arrays.copyOfRange(value, 5, value.length);
    }
}
