package io.clickflow.route;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The seed's consumer-facing record, as {@code --output-record processor-to-consumer} writes it: Avro with the
 * seed's own schema ({@code processor-to-consumer.avsc}, kept verbatim as a resource), or the same four fields as
 * a JSON object.
 */
public final class ProcessorToConsumer {
    /** The seed's schemas as resources, verbatim from its repository (the generator registers the producer's). */
    public static final String SCHEMA_RESOURCE = "/io/clickflow/route/seed/processor-to-consumer.avsc";

    public static final String PRODUCER_SCHEMA_RESOURCE = "/io/clickflow/route/seed/producer-to-processor.avsc";

    /** The schema's text as the seed's repository has it: what the router registers under an output_subject. */
    public static final String SCHEMA_TEXT = resource(SCHEMA_RESOURCE);

    public static final Schema SCHEMA = new Schema.Parser().parse(SCHEMA_TEXT);

    static final String ORIGIN_SERVICE_ID = "origin_service_id";
    static final String PRODUCER_EVENT_TIMESTAMP = "producer_event_timestamp";
    static final String PROCESSOR_EVENT_TIMESTAMP = "processor_event_timestamp";
    static final String PAYLOAD = "payload";

    private static final JsonFactory JSON = new JsonFactory();

    private ProcessorToConsumer() {}

    /**
     * What an input record gives the output record.
     *
     * @param payload the payload's text; when {@code payloadIsJson} (a JSON input whose payload is not a string),
     *     the payload's JSON as it was, written back as JSON
     */
    public record Fields(String originServiceId, long eventTimestamp, String payload, boolean payloadIsJson) {}

    /** The four fields as one JSON object. */
    static byte[] json(Fields f, long processedAt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96 + f.payload().length());
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField(ORIGIN_SERVICE_ID, f.originServiceId());
            g.writeNumberField(PRODUCER_EVENT_TIMESTAMP, f.eventTimestamp());
            g.writeNumberField(PROCESSOR_EVENT_TIMESTAMP, processedAt);
            g.writeFieldName(PAYLOAD);
            if (f.payloadIsJson()) {
                g.writeRawValue(f.payload());
            } else {
                g.writeString(f.payload());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes Avro bodies of the seed's schema; one per subtask (it reuses its encoder). */
    static final class AvroWriter {
        private final FramedAvroWriter avro = new FramedAvroWriter(SCHEMA);

        /** Magic byte 0, {@code schemaId} big-endian, the Avro body. */
        byte[] framed(int schemaId, Fields f, long processedAt) {
            GenericRecord r = new GenericData.Record(SCHEMA);
            r.put(ORIGIN_SERVICE_ID, f.originServiceId());
            r.put(PRODUCER_EVENT_TIMESTAMP, f.eventTimestamp());
            r.put(PROCESSOR_EVENT_TIMESTAMP, processedAt);
            r.put(PAYLOAD, f.payload());
            return avro.write(schemaId, r);
        }
    }

    /** A resource of this module as text (the seed's schemas). */
    static String resource(String name) {
        try (InputStream in = ProcessorToConsumer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
