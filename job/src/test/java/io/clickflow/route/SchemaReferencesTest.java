package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * A writer schema composed of other subjects' schemas (Confluent schema references, the seed's "Troubles"): parsed
 * with what it references, recursively, each referenced version fetched once per subtask; registered under an
 * output subject with the same references; and what cannot be resolved a dead letter with its reason.
 */
class SchemaReferencesTest {
    static final String ADDRESS = "{\"type\": \"record\", \"name\": \"Address\", \"namespace\": \"io.tenant\", "
            + "\"fields\": [{\"name\": \"city\", \"type\": \"string\"}]}";
    /** References Address itself: the event reaches Address twice, and it must be defined once. */
    static final String ORIGIN = "{\"type\": \"record\", \"name\": \"Origin\", \"namespace\": \"io.tenant\", "
            + "\"fields\": [{\"name\": \"origin_service_type\", \"type\": \"string\"}, "
            + "{\"name\": \"at\", \"type\": \"io.tenant.Address\"}]}";

    static final String EVENT = "{\"type\": \"record\", \"name\": \"Event\", \"namespace\": \"io.tenant\", "
            + "\"fields\": [{\"name\": \"origin_service_type\", \"type\": \"string\"}, "
            + "{\"name\": \"destinations\", \"type\": {\"type\": \"array\", \"items\": \"string\"}}, "
            + "{\"name\": \"origin\", \"type\": \"io.tenant.Origin\"}, "
            + "{\"name\": \"ship_to\", \"type\": \"io.tenant.Address\"}]}";

    static final SchemaRegistry.Reference ADDRESS_REF =
            new SchemaRegistry.Reference("io.tenant.Address", "address-value", 1);
    static final SchemaRegistry.Reference ORIGIN_REF =
            new SchemaRegistry.Reference("io.tenant.Origin", "origin-value", 3);
    static final SchemaRegistry.Registered ORIGIN_SCHEMA = new SchemaRegistry.Registered(ORIGIN, List.of(ADDRESS_REF));
    static final SchemaRegistry.Registered EVENT_SCHEMA =
            new SchemaRegistry.Registered(EVENT, List.of(ORIGIN_REF, ADDRESS_REF));
    static final int EVENT_ID = 20;
    static final int SECOND_EVENT_ID = 21;

    static final Destination FINANCE = Destinations.parse(
                    "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": \"finance-value\"}}")
            .get("FINANCE");

    static MapSchemaRegistry registry() {
        return new MapSchemaRegistry(Map.of(), null)
                .version("address-value", 1, new SchemaRegistry.Registered(ADDRESS, List.of()))
                .version("origin-value", 3, ORIGIN_SCHEMA)
                .schema(EVENT_ID, EVENT_SCHEMA)
                .schema(SECOND_EVENT_ID, EVENT_SCHEMA);
    }

    /** The event's schema parsed the way a producer has it: its referenced types first. */
    static Schema eventSchema() {
        Schema.Parser parser = new Schema.Parser();
        parser.parse(ADDRESS);
        parser.parse(ORIGIN);
        return parser.parse(EVENT);
    }

    static byte[] event(int id, String destination) {
        return event(id, destination, "Recife");
    }

    static byte[] event(int id, String destination, String city) {
        Schema schema = eventSchema();
        GenericRecord address =
                new GenericData.Record(schema.getField("ship_to").schema());
        address.put("city", city);
        GenericRecord origin = new GenericData.Record(schema.getField("origin").schema());
        origin.put("origin_service_type", "financial");
        origin.put("at", address);
        GenericRecord event = new GenericData.Record(schema);
        event.put("origin_service_type", "financial");
        event.put("destinations", List.of(destination));
        event.put("origin", origin);
        event.put("ship_to", address);
        return AvroEvents.framed(id, event);
    }

    @Test
    void aSchemaWithReferencesIsReadAndRegisteredUnderTheOutputSubjectWithTheSameReferences() throws Exception {
        MapSchemaRegistry registry = registry();
        RoutingReader reader = new AvroRoutingFields.Opened(registry);
        byte[] value = event(EVENT_ID, "finance");

        Routing routing = reader.read(value);

        assertThat(routing.error()).isNull();
        assertThat(routing.destinations()).containsExactly("FINANCE");
        assertThat(routing.tenantType()).isEqualTo("financial");
        byte[] out = reader.valueFor(FINANCE, value, routing, 0L);
        int outputId = AvroEvents.schemaId(out);
        assertThat(outputId).isNotEqualTo(EVENT_ID);
        assertThat(AvroEvents.bodyOf(out)).isEqualTo(AvroEvents.bodyOf(value));
        assertThat(registry.schema(outputId))
                .as("the text and its references, as registered")
                .isEqualTo(EVENT_SCHEMA);
    }

    @Test
    void eachReferencedVersionIsFetchedOncePerSubtaskWhateverReferencesIt() throws Exception {
        MapSchemaRegistry registry = registry();
        RoutingReader reader = new AvroRoutingFields.Opened(registry);

        for (int i = 0; i < 5; i++) {
            assertThat(reader.read(event(EVENT_ID, "finance")).error()).isNull();
            assertThat(reader.read(event(SECOND_EVENT_ID, "finance")).error()).isNull();
        }

        assertThat(registry.versionLookups)
                .as("origin-value 3 and address-value 1")
                .isEqualTo(2);
    }

    @Test
    void whatCannotBeResolvedIsADeadLetterWithItsReason() {
        SchemaRegistry.Reference gone = new SchemaRegistry.Reference("io.tenant.Origin", "gone-value", 1);
        SchemaRegistry.Reference loopA = new SchemaRegistry.Reference("io.tenant.Origin", "a-value", 1);
        SchemaRegistry.Reference loopB = new SchemaRegistry.Reference("io.tenant.Address", "b-value", 1);
        SchemaRegistry.Reference notAvro = new SchemaRegistry.Reference("io.tenant.Origin", "json-value", 1);
        MapSchemaRegistry registry = registry()
                .schema(30, new SchemaRegistry.Registered(EVENT, List.of(gone, ADDRESS_REF)))
                .schema(31, new SchemaRegistry.Registered(EVENT, List.of()))
                .version("a-value", 1, new SchemaRegistry.Registered(ORIGIN, List.of(loopB)))
                .version("b-value", 1, new SchemaRegistry.Registered(ADDRESS, List.of(loopA)))
                .schema(32, new SchemaRegistry.Registered(EVENT, List.of(loopA)))
                .version("json-value", 1, new SchemaRegistry.Registered("{\"type\": \"object\"}", List.of()))
                .schema(33, new SchemaRegistry.Registered(EVENT, List.of(notAvro, ADDRESS_REF)));
        RoutingReader reader = new AvroRoutingFields.Opened(registry);

        assertThat(reader.read(event(30, "finance")).error())
                .isEqualTo("schema 30: it references io.tenant.Origin (subject gone-value version 1), which the "
                        + "registry does not have");
        int lookups = registry.versionLookups;
        assertThat(reader.read(event(30, "finance")).error()).startsWith("schema 30: it references");
        assertThat(registry.versionLookups)
                .as("a missing version is asked again only after a pause")
                .isEqualTo(lookups);
        assertThat(reader.read(event(31, "finance")).error())
                .as("no references: the old refusal")
                .startsWith("schema 31 is not an Avro schema: ")
                .contains("io.tenant.Origin");
        assertThat(reader.read(event(32, "finance")).error())
                .isEqualTo("schema 32: its references go round in a cycle through io.tenant.Origin (subject a-value "
                        + "version 1)");
        assertThat(reader.read(event(33, "finance")).error())
                .startsWith("schema 33: its reference io.tenant.Origin (subject json-value version 1) is not an Avro "
                        + "schema: ");
    }

    @Test
    void aRegistryFailingWhileAReferenceIsFetchedFailsTheTaskInsteadOfMakingADeadLetter() {
        SchemaRegistry failing = new SchemaRegistry() {
            @Override
            public Registered schema(int id) {
                return EVENT_SCHEMA;
            }

            @Override
            public Registered schema(String subject, int version) {
                throw new UncheckedIOException(new IOException("schema registry not usable"));
            }

            @Override
            public int register(String subject, Registered schema) {
                throw new AssertionError("nothing to register");
            }
        };
        RoutingReader reader = new AvroRoutingFields.Opened(failing);

        assertThatThrownBy(() -> reader.read(event(EVENT_ID, "finance")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("schema registry not usable");
    }

    @Test
    void referencesParseInTheOrderTheyNeedWhateverOrderTheyAreListedIn() throws Exception {
        MapSchemaRegistry registry = registry();
        Schema parsed = SchemaReferences.parse(
                new SchemaRegistry.Registered(EVENT, List.of(ADDRESS_REF, ORIGIN_REF)),
                r -> registry.schema(r.subject(), r.version()));
        assertThat(parsed).isEqualTo(eventSchema());
    }
}
