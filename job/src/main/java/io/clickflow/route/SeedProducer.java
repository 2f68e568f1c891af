package io.clickflow.route;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The records the seed 003 producer writes (its ProducerToProcessor schema): one producer, one record per
 * destination in turn, each keyed by the producer's id plus the destination type, payload {@code dummy-payload
 * <uuid>}, event time = the time it is built. As Avro in the Confluent wire format or as the same fields in a JSON
 * object.
 */
public final class SeedProducer {
    /** The seed's producer schema, verbatim: what the generator registers under {@code <topic>-value}. */
    public static final String SCHEMA_TEXT = ProcessorToConsumer.resource(ProcessorToConsumer.PRODUCER_SCHEMA_RESOURCE);

    public static final Schema SCHEMA = new Schema.Parser().parse(SCHEMA_TEXT);

    private static final JsonFactory JSON = new JsonFactory();

    private final String originServiceType;
    private final String originServiceId;
    private final List<String> destinations;
    private final SplittableRandom random;
    private final FramedAvroWriter avro = new FramedAvroWriter(SCHEMA);
    private long records;

    /** One record in the seed's shape, and its key. */
    public record Event(String key, GenericRecord record) {
        public String destination() {
            return record.get("destination_service_type").toString();
        }
    }

    /**
     * @param destinations upper-cased, as the seed's producer does with its {@code -list_of_destinations}
     * @param seed of the payloads' UUIDs: the same seed gives the same payloads
     */
    public SeedProducer(String originServiceType, String originServiceId, List<String> destinations, long seed) {
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("no destinations");
        }
        this.originServiceType = originServiceType;
        this.originServiceId = originServiceId;
        this.destinations = destinations.stream().map(Destination::normalise).toList();
        this.random = new SplittableRandom(seed);
    }

    public List<String> destinations() {
        return destinations;
    }

    /** The next record, stamped {@code eventTimestamp} (millis since the epoch). */
    public Event next(long eventTimestamp) {
        String destination = destinations.get((int) (records++ % destinations.size()));
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("origin_service_id", originServiceId);
        r.put("origin_service_type", originServiceType);
        r.put("destination_service_type", destination);
        r.put("event_timestamp", eventTimestamp);
        r.put("payload", "dummy-payload " + new UUID(random.nextLong(), random.nextLong()));
        return new Event(key(originServiceId, destination), r);
    }

    /** The seed's key: the producer's id plus the destination type. */
    public static String key(String originServiceId, String destination) {
        return originServiceId + ":" + destination;
    }

    /** The record's value: Avro framed with {@code schemaId}, or JSON when {@code schemaId} is negative. */
    public byte[] value(GenericRecord r, int schemaId) {
        return schemaId < 0 ? json(r) : avro(schemaId, r);
    }

    /** Magic byte 0, {@code schemaId} big-endian, the Avro body of the seed's producer schema. */
    public byte[] avro(int schemaId, GenericRecord r) {
        return avro.write(schemaId, r);
    }

    /** The same five fields as a JSON object, as the router's JSON mode takes them. */
    public static byte[] json(GenericRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("origin_service_id", r.get("origin_service_id").toString());
            g.writeStringField(
                    "origin_service_type", r.get("origin_service_type").toString());
            g.writeStringField(
                    "destination_service_type",
                    r.get("destination_service_type").toString());
            g.writeNumberField("event_timestamp", (Long) r.get("event_timestamp"));
            g.writeStringField("payload", r.get("payload").toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
