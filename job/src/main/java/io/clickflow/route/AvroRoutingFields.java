package io.clickflow.route;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the routing fields of a Confluent wire-format Avro record (magic byte 0, 4-byte schema id, Avro binary
 * body) from the top level of the record its writer schema describes, and frames the unchanged body with the id
 * of that schema under each destination's {@code output_subject}. The body is decoded whole with the writer
 * schema, so a record the router forwards is one its consumers can read; it is never re-encoded. With
 * {@link OutputRecord#PROCESSOR_TO_CONSUMER} it writes the seed's consumer record instead, framed with the id of
 * the seed's schema under the destination's subject.
 */
final class AvroRoutingFields implements RoutingReader {
    private static final long serialVersionUID = 1L;
    private static final int HEADER = 5;
    /** An id the registry did not know, or a subject that refused a schema, is asked again after this long. */
    private static final long RETRY_REFUSED_NANOS = 10_000_000_000L;

    private static final SchemaRegistry.Registered CONSUMER_SCHEMA =
            new SchemaRegistry.Registered(ProcessorToConsumer.SCHEMA_TEXT, List.of());

    private final SchemaRegistry.Factory registry;
    private final OutputRecord output;

    AvroRoutingFields(SchemaRegistry.Factory registry, OutputRecord output) {
        this.registry = registry;
        this.output = output;
    }

    @Override
    public Routing read(byte[] value) {
        throw new IllegalStateException("open() the Avro reader in its subtask first");
    }

    @Override
    public RoutingReader open() {
        return new Opened(registry.open(), output);
    }

    /** A subtask's reader: its registry connection and caches of writer schemas and output ids. */
    static final class Opened implements RoutingReader {
        private static final long serialVersionUID = 1L;

        private final transient SchemaRegistry registry;
        private final transient Map<Integer, Writer> writers = new HashMap<>();
        /** Referenced schemas by subject and version: a version never changes, and many writers share one. */
        private final transient Map<SchemaRegistry.Reference, SchemaRegistry.Registered> referenced = new HashMap<>();

        private final transient Map<OutputKey, Output> outputs = new HashMap<>();
        /** The seed's consumer schema's id per subject. */
        private final transient Map<String, Output> consumerIds = new HashMap<>();

        private final boolean content;
        private final transient ProcessorToConsumer.AvroWriter consumerWriter = new ProcessorToConsumer.AvroWriter();
        private transient BinaryDecoder decoder;

        Opened(SchemaRegistry registry) {
            this(registry, OutputRecord.UNCHANGED);
        }

        Opened(SchemaRegistry registry, OutputRecord output) {
            this.registry = registry;
            this.content = output == OutputRecord.PROCESSOR_TO_CONSUMER;
        }

        @Override
        public Routing read(byte[] value) {
            if (value == null) {
                return Routing.failed("no value (a tombstone)", null, null);
            }
            if (value.length == 0 || value[0] != 0) {
                return Routing.failed(
                        "not in the schema registry wire format (magic byte "
                                + (value.length == 0 ? "missing" : String.valueOf(value[0] & 0xff))
                                + ", expected 0)",
                        null,
                        null);
            }
            if (value.length < HEADER) {
                return Routing.failed(
                        "not in the schema registry wire format (" + value.length + " bytes, no 4-byte schema id)",
                        null,
                        null);
            }
            int id = schemaId(value);
            Writer writer = writer(id);
            if (writer.problem != null) {
                return Routing.failed(writer.problem, null, null);
            }
            GenericRecord record;
            try {
                decoder = DecoderFactory.get().binaryDecoder(value, HEADER, value.length - HEADER, decoder);
                writer.reader.limit = value.length - HEADER;
                record = writer.reader.read(null, new BoundedDecoder(decoder, value.length - HEADER));
                if (!decoder.isEnd()) {
                    return Routing.failed(
                            "not a valid Avro body for schema " + id + ": bytes left after the record", null, null);
                }
            } catch (Exception e) {
                // Any failure of a decode is the body's fault: EOF, a negative length, a bad union index.
                return Routing.failed("not a valid Avro body for schema " + id + ": " + e, null, null);
            }
            String tenantType = scalar(record, JsonRoutingFields.TENANT_TYPE);
            String tenantId = scalar(record, JsonRoutingFields.TENANT_ID);
            // A field that is absent from the schema and one whose (nullable) value is null are alike: not given.
            Object destinations = field(record, JsonRoutingFields.DESTINATIONS);
            Object type = field(record, JsonRoutingFields.DESTINATION_TYPE);
            String problem = JsonRoutingFields.shape(destinations != null, type != null);
            if (problem != null) {
                return Routing.failed(problem, tenantType, tenantId);
            }
            List<String> names;
            if (type != null) {
                if (!(type instanceof CharSequence || type instanceof org.apache.avro.generic.GenericEnumSymbol)) {
                    return Routing.failed(JsonRoutingFields.TYPE_NOT_A_STRING, tenantType, tenantId);
                }
                if (type.toString().isBlank()) {
                    return Routing.failed(JsonRoutingFields.TYPE_EMPTY, tenantType, tenantId);
                }
                names = List.of(Destination.normalise(type.toString()));
            } else {
                names = names(destinations);
                if (names == null) {
                    return Routing.failed("\"destinations\" is not an array of strings", tenantType, tenantId);
                }
                if (names.isEmpty()) {
                    return Routing.failed("\"destinations\" is empty", tenantType, tenantId);
                }
            }
            if (!content) {
                return new Routing(names, tenantType, tenantId, null);
            }
            Object eventTimestamp = field(record, JsonRoutingFields.EVENT_TIMESTAMP);
            Object payload = field(record, JsonRoutingFields.PAYLOAD);
            return JsonRoutingFields.withContent(
                    names,
                    tenantType,
                    tenantId,
                    eventTimestamp instanceof Long || eventTimestamp instanceof Integer
                            ? ((Number) eventTimestamp).longValue()
                            : null,
                    payload instanceof CharSequence ? payload.toString() : null,
                    false);
        }

        @Override
        public byte[] valueFor(Destination destination, byte[] value, Routing routing, long processedAt)
                throws Refused {
            if (destination.outputSubject == null) {
                throw new Refused("no output_subject to register the schema under");
            }
            if (routing.content() != null) {
                int id = registered(
                        consumerIds,
                        destination.outputSubject,
                        destination.outputSubject,
                        CONSUMER_SCHEMA,
                        "the seed's ProcessorToConsumer schema");
                return consumerWriter.framed(id, routing.content(), processedAt);
            }
            int id = schemaId(value);
            int outputId = registered(
                    outputs,
                    new OutputKey(destination.outputSubject, id),
                    destination.outputSubject,
                    writers.get(id).registered,
                    "schema " + id);
            if (outputId == id) {
                return value;
            }
            byte[] framed = value.clone();
            ByteBuffer.wrap(framed, 1, 4).putInt(outputId);
            return framed;
        }

        private Writer writer(int id) {
            Writer w = writers.get(id);
            if (w == null || w.expired()) {
                w = Writer.of(id, registry.schema(id), this::referenced);
                writers.put(id, w);
            }
            return w;
        }

        private SchemaRegistry.Registered referenced(SchemaRegistry.Reference r) {
            SchemaRegistry.Registered s = referenced.get(r);
            if (s == null) {
                s = registry.schema(r.subject(), r.version());
                if (s != null) {
                    referenced.put(r, s);
                }
            }
            return s;
        }

        /** The id of {@code schema} under the key's subject, from {@code cache} or registered (and cached). */
        private <K> int registered(
                Map<K, Output> cache, K key, String subject, SchemaRegistry.Registered schema, String what)
                throws Refused {
            Output o = cache.get(key);
            if (o == null || (o.refusal != null && System.nanoTime() > o.askAgainAt)) {
                try {
                    o = new Output(registry.register(subject, schema), null, 0);
                } catch (Refused e) {
                    o = new Output(0, what + ": " + e.getMessage(), System.nanoTime() + RETRY_REFUSED_NANOS);
                }
                cache.put(key, o);
            }
            if (o.refusal != null) {
                throw new Refused(o.refusal);
            }
            return o.id;
        }
    }

    static int schemaId(byte[] value) {
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    private static Object field(GenericRecord record, String name) {
        return record.getSchema().getField(name) == null ? null : record.get(name);
    }

    /** A string, number or enum symbol as text; anything else (a record, an array, null) is not a tenant name. */
    private static String scalar(GenericRecord record, String name) {
        Object v = field(record, name);
        return v instanceof CharSequence
                        || v instanceof Number
                        || v instanceof org.apache.avro.generic.GenericEnumSymbol
                ? v.toString()
                : null;
    }

    /** The distinct, upper-cased names of an array of non-blank strings, or null for anything else. */
    private static List<String> names(Object destinations) {
        if (!(destinations instanceof Collection<?> items)) {
            return null;
        }
        List<String> names = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof CharSequence s) || s.toString().isBlank()) {
                return null;
            }
            String name = Destination.normalise(s.toString());
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * A writer schema as the registry gave it (with its references), parsed with them, its reader; or why records
     * of its id are refused.
     */
    private record Writer(SchemaRegistry.Registered registered, BoundedReader reader, String problem, long askAgainAt) {
        static Writer of(int id, SchemaRegistry.Registered registered, SchemaReferences.Lookup references) {
            if (registered == null) {
                return new Writer(
                        null,
                        null,
                        "schema id " + id + " not found in the registry",
                        System.nanoTime() + RETRY_REFUSED_NANOS);
            }
            Schema schema;
            try {
                schema = SchemaReferences.parse(registered, references);
            } catch (SchemaReferences.Unresolved e) {
                // A missing referenced version may be registered yet; anything else is the schema's for good.
                return new Writer(
                        registered,
                        null,
                        "schema " + id + ": " + e.getMessage(),
                        e.askAgain ? System.nanoTime() + RETRY_REFUSED_NANOS : Long.MAX_VALUE);
            } catch (UncheckedIOException e) {
                throw e; // the registry failed while fetching a reference: not the schema's fault
            } catch (RuntimeException e) {
                return new Writer(
                        registered, null, "schema " + id + " is not an Avro schema: " + e.getMessage(), Long.MAX_VALUE);
            }
            if (schema.getType() != Schema.Type.RECORD) {
                return new Writer(
                        registered,
                        null,
                        "schema " + id + " is a " + schema.getType() + ", not a record",
                        Long.MAX_VALUE);
            }
            return new Writer(registered, new BoundedReader(schema), null, Long.MAX_VALUE);
        }

        /**
         * Only an unknown id (or a missing referenced version) is asked again: a schema registered under an id
         * never changes.
         */
        boolean expired() {
            return askAgainAt != Long.MAX_VALUE && System.nanoTime() > askAgainAt;
        }
    }

    /**
     * Avro's reader, except that no count read from the body makes it allocate more than the body's size: a
     * corrupt count (an array of 2 billion items) is a bad body, not an OutOfMemoryError that would fail the task
     * on the same record after every restart. {@link BoundedDecoder} does the same for strings and bytes.
     */
    static final class BoundedReader extends GenericDatumReader<GenericRecord> {
        /** The body's length in bytes. */
        int limit;

        BoundedReader(Schema schema) {
            super(schema);
        }

        @Override
        protected Object newArray(Object old, int size, Schema schema) {
            return super.newArray(old, Math.min(size, limit), schema);
        }

        @Override
        protected Object newMap(Object old, int size) {
            return super.newMap(old, Math.min(size, limit));
        }
    }

    /** A binary decoder whose strings and bytes cannot be longer than the body they are read from. */
    static final class BoundedDecoder extends Decoder {
        private final BinaryDecoder in;
        private final int limit;

        BoundedDecoder(BinaryDecoder in, int limit) {
            this.in = in;
            this.limit = limit;
        }

        /** A string's or bytes' content, after its length as Avro's binary encoding writes it. */
        private byte[] bounded() throws IOException {
            long length = in.readLong();
            if (length < 0 || length > limit) {
                throw new IOException("a length of " + length + " in a body of " + limit + " bytes");
            }
            byte[] bytes = new byte[(int) length];
            in.readFixed(bytes);
            return bytes;
        }

        @Override
        public Utf8 readString(Utf8 old) throws IOException {
            return new Utf8(bounded());
        }

        @Override
        public String readString() throws IOException {
            return new String(bounded(), StandardCharsets.UTF_8);
        }

        @Override
        public ByteBuffer readBytes(ByteBuffer old) throws IOException {
            return ByteBuffer.wrap(bounded());
        }

        @Override
        public void readNull() throws IOException {
            in.readNull();
        }

        @Override
        public boolean readBoolean() throws IOException {
            return in.readBoolean();
        }

        @Override
        public int readInt() throws IOException {
            return in.readInt();
        }

        @Override
        public long readLong() throws IOException {
            return in.readLong();
        }

        @Override
        public float readFloat() throws IOException {
            return in.readFloat();
        }

        @Override
        public double readDouble() throws IOException {
            return in.readDouble();
        }

        @Override
        public void skipString() throws IOException {
            in.skipString();
        }

        @Override
        public void skipBytes() throws IOException {
            in.skipBytes();
        }

        @Override
        public void readFixed(byte[] bytes, int start, int length) throws IOException {
            in.readFixed(bytes, start, length);
        }

        @Override
        public void skipFixed(int length) throws IOException {
            in.skipFixed(length);
        }

        @Override
        public int readEnum() throws IOException {
            return in.readEnum();
        }

        @Override
        public long readArrayStart() throws IOException {
            return in.readArrayStart();
        }

        @Override
        public long arrayNext() throws IOException {
            return in.arrayNext();
        }

        @Override
        public long skipArray() throws IOException {
            return in.skipArray();
        }

        @Override
        public long readMapStart() throws IOException {
            return in.readMapStart();
        }

        @Override
        public long mapNext() throws IOException {
            return in.mapNext();
        }

        @Override
        public long skipMap() throws IOException {
            return in.skipMap();
        }

        @Override
        public int readIndex() throws IOException {
            return in.readIndex();
        }
    }

    private record OutputKey(String subject, int writerId) {}

    /** The id of a writer schema under a subject, or the registry's refusal and when to ask again. */
    private record Output(int id, String refusal, long askAgainAt) {}
}
