package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.UsageException;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The router on Confluent wire-format Avro, through its operator as Flink runs it, with the registry in a map:
 * routing fields from the record, bodies forwarded byte for byte and framed per destination subject, every bad
 * record a dead letter with its reason; and the options that turn it on.
 */
class AvroRoutingTest {
    static final String INPUT = "producer.to.processor";
    static final String DEAD_LETTERS = "processor.dead-letters";
    static final int EVENT_ID = 7;
    static final int STRING_ID = 8;
    static final int NO_DESTINATIONS_ID = 9;
    static final String FINANCE_SUBJECT = "processor.to.finance-value";
    static final String MARKETING_SUBJECT = "processor.to.marketing-value";
    static final String REFUSING_SUBJECT = "processor.to.audit-value";

    static final Destinations CONFIG = Destinations.parse("{"
            + "\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": \"" + FINANCE_SUBJECT
            + "\"}, \"MARKETING\": {\"output_topic\": \"processor.to.marketing\", \"output_subject\": \""
            + MARKETING_SUBJECT + "\"}, \"AUDIT\": {\"output_topic\": \"processor.to.audit\", \"output_subject\": \""
            + REFUSING_SUBJECT + "\"}, \"LEGAL\": {\"output_topic\": \"processor.to.legal\"}}");
    static final Map<Integer, String> SCHEMAS = Map.of(
            EVENT_ID,
            AvroEvents.EVENT.toString(),
            STRING_ID,
            "\"string\"",
            NO_DESTINATIONS_ID,
            "{\"type\": \"record\", \"name\": \"Bare\", \"fields\": [{\"name\": \"event_id\", \"type\": \"string\"}]}");

    static OneInputStreamOperatorTestHarness<KafkaRecord, KafkaRecord> harness() throws Exception {
        RouteSettings settings = new RouteSettings(
                CONFIG,
                DEAD_LETTERS,
                RoutingReader.avro(MapSchemaRegistry.of(SCHEMAS, REFUSING_SUBJECT)),
                TopicCatalog.fixed(Set.of(
                        INPUT,
                        DEAD_LETTERS,
                        "processor.to.finance",
                        "processor.to.marketing",
                        "processor.to.audit",
                        "processor.to.legal")),
                10);
        return ProcessFunctionTestHarnesses.forProcessFunction(new RouteFunction(settings));
    }

    static KafkaRecord record(long offset, byte[] value) {
        KafkaRecord r = new KafkaRecord();
        r.topic = INPUT;
        r.offset = offset;
        r.timestamp = AvroEvents.EVENT_TIME + offset;
        r.key = ("key-" + offset).getBytes();
        r.value = value;
        return r;
    }

    static List<KafkaRecord> route(byte[]... values) throws Exception {
        try (var h = harness()) {
            h.open();
            for (int i = 0; i < values.length; i++) {
                h.processElement(record(i, values[i]), i);
            }
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    @Test
    void aRoutedRecordKeepsItsBodyFramedWithTheIdOfItsDestinationsSubject() throws Exception {
        GenericRecord event = AvroEvents.event("e-1", "financial", 123456L, List.of("finance", "Marketing", "FINANCE"));
        byte[] value = AvroEvents.framed(EVENT_ID, event);

        List<KafkaRecord> out = route(value, AvroEvents.framed(EVENT_ID, event));

        assertThat(out)
                .extracting(r -> r.topic)
                .containsExactly(
                        "processor.to.finance",
                        "processor.to.marketing",
                        "processor.to.finance",
                        "processor.to.marketing");
        int financeId = AvroEvents.schemaId(out.get(0).value);
        int marketingId = AvroEvents.schemaId(out.get(1).value);
        assertThat(financeId).isNotEqualTo(EVENT_ID).isNotEqualTo(marketingId);
        assertThat(AvroEvents.schemaId(out.get(2).value))
                .as("cached per subject")
                .isEqualTo(financeId);
        for (KafkaRecord r : out) {
            assertThat(r.value[0]).isZero();
            assertThat(AvroEvents.bodyOf(r.value)).isEqualTo(AvroEvents.bodyOf(value));
            assertThat(r.key).isEqualTo(("key-" + r.header(Router.SOURCE_HEADER).split("/")[2]).getBytes());
        }
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(AvroEvents.EVENT)
                .read(null, DecoderFactory.get().binaryDecoder(AvroEvents.bodyOf(out.get(1).value), null));
        assertThat(decoded).isEqualTo(event);
        assertThat(value).as("the input is not touched").isEqualTo(AvroEvents.framed(EVENT_ID, event));
    }

    @Test
    void badRecordsAreDeadLettersUnchangedWithTheirReasons() throws Exception {
        byte[] good = AvroEvents.framed(EVENT_ID, AvroEvents.event("e", "financial", "1", List.of("FINANCE")));
        byte[] jsonNotAvro = "{\"destinations\": [\"FINANCE\"]}".getBytes();
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        GenericRecord bare =
                new GenericData.Record(new org.apache.avro.Schema.Parser().parse(SCHEMAS.get(NO_DESTINATIONS_ID)));
        bare.put("event_id", "e");
        byte[][] bad = {
            jsonNotAvro,
            new byte[] {0, 0, 0},
            AvroEvents.framed(404, AvroEvents.body(AvroEvents.event("e", "t", "1", List.of("FINANCE")))),
            truncated,
            trailing,
            AvroEvents.framed(STRING_ID, new byte[] {2, 'x'}),
            AvroEvents.framed(NO_DESTINATIONS_ID, bare),
            AvroEvents.framed(EVENT_ID, AvroEvents.event("e", "marketing", 42L, List.of())),
            AvroEvents.framed(EVENT_ID, AvroEvents.event("e", "marketing", 42L, List.of("FINANCE", " "))),
            AvroEvents.framed(EVENT_ID, AvroEvents.event("e", "marketing", 42L, List.of("HR", "FINANCE"))),
            AvroEvents.framed(EVENT_ID, AvroEvents.event("e", "marketing", 42L, List.of("LEGAL", "AUDIT"))),
            null
        };

        List<KafkaRecord> out = route(bad);

        List<KafkaRecord> dead =
                out.stream().filter(r -> r.topic.equals(DEAD_LETTERS)).toList();
        assertThat(dead)
                .extracting(r -> r.header(Router.REASON_HEADER))
                .containsExactly(
                        "not in the schema registry wire format (magic byte 123, expected 0)",
                        "not in the schema registry wire format (3 bytes, no 4-byte schema id)",
                        "schema id 404 not found in the registry",
                        "not a valid Avro body for schema 7: java.io.EOFException",
                        "not a valid Avro body for schema 7: bytes left after the record",
                        "schema 8 is a STRING, not a record",
                        "no \"destinations\" or \"destination_service_type\"",
                        "\"destinations\" is empty",
                        "\"destinations\" is not an array of strings",
                        "unknown destination HR",
                        "destination LEGAL: no output_subject to register the schema under; destination AUDIT: schema 7: "
                                + "subject processor.to.audit-value refused it (409 incompatible)",
                        "no value (a tombstone)");
        for (KafkaRecord d : dead) {
            int offset = Integer.parseInt(d.header(Router.SOURCE_HEADER).split("/")[2]);
            assertThat(d.value).as("dead letter %s unchanged", offset).isEqualTo(bad[offset]);
        }
        assertThat(dead.get(7).header(Router.TENANT_HEADER)).isEqualTo("marketing/42");
        assertThat(out)
                .filteredOn(r -> !r.topic.equals(DEAD_LETTERS))
                .extracting(r -> r.topic + " " + r.header(Router.SOURCE_HEADER))
                .containsExactly("processor.to.finance " + INPUT + "/0/9");
    }

    @Test
    void aCorruptLengthIsABadBodyNotAnAllocation() throws Exception {
        RoutingReader reader =
                new AvroRoutingFields.Opened(MapSchemaRegistry.of(SCHEMAS, null).open());
        ByteArrayOutputStream hugeString = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(hugeString, null);
        e.writeLong(2_000_000_000L);
        e.writeFixed(new byte[] {'e', 'f'});
        e.flush();
        ByteArrayOutputStream hugeArray = new ByteArrayOutputStream();
        e = EncoderFactory.get().binaryEncoder(hugeArray, null);
        e.writeString("e");
        e.writeString("financial");
        e.writeIndex(0);
        e.writeString("1");
        e.writeArrayStart();
        e.setItemCount(2_000_000_000L);
        e.startItem();
        e.writeString("FINANCE");
        e.flush();

        assertThat(reader.read(AvroEvents.framed(EVENT_ID, hugeString.toByteArray()))
                        .error())
                .isEqualTo("not a valid Avro body for schema 7: java.io.IOException: a length of 2000000000 in a body "
                        + "of 7 bytes");
        assertThat(reader.read(AvroEvents.framed(EVENT_ID, hugeArray.toByteArray()))
                        .error())
                .startsWith("not a valid Avro body for schema 7: java.io.EOFException");
    }

    @Test
    void anUnknownSchemaIdIsAskedAgainOnlyAfterAPause() throws Exception {
        int[] lookups = {0};
        SchemaRegistry counting = new SchemaRegistry() {
            @Override
            public Registered schema(int id) {
                lookups[0]++;
                return null;
            }

            @Override
            public Registered schema(String subject, int version) {
                throw new AssertionError("no references");
            }

            @Override
            public int register(String subject, Registered schema) {
                throw new AssertionError("nothing to register");
            }
        };
        RoutingReader reader = new AvroRoutingFields.Opened(counting);
        byte[] unknown = AvroEvents.framed(404, new byte[] {0});
        for (int i = 0; i < 100; i++) {
            assertThat(reader.read(unknown).error()).isEqualTo("schema id 404 not found in the registry");
        }
        assertThat(lookups[0]).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void aRegistryThatCannotBeReachedFailsTheTaskAfterItsRetriesInsteadOfMakingDeadLetters() throws Exception {
        int closedPort = closedPort();
        SchemaRegistry registry = new HttpSchemaRegistry("http://127.0.0.1:" + closedPort, 3, Duration.ofMillis(20));
        RoutingReader reader = new AvroRoutingFields.Opened(registry);
        byte[] value = AvroEvents.framed(EVENT_ID, AvroEvents.event("e", "t", "1", List.of("FINANCE")));

        assertThatThrownBy(() -> reader.read(value))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("schema registry http://127.0.0.1:" + closedPort + " not usable after 3 attempts")
                .hasMessageContaining("GET http://127.0.0.1:" + closedPort + "/schemas/ids/7");
    }

    static RouteOptions avro(String registry) {
        return RouteCommand.parse(
                "--destinations", AVRO_DESTINATIONS, "--format", "avro", "--schema-registry", registry);
    }

    /** A loopback port nothing listens on (the test's own socket, closed). */
    static int closedPort() throws IOException {
        return ChildProcesses.freePort();
    }

    static final String AVRO_DESTINATIONS =
            "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": \"s\"}}";

    @Test
    void avroNeedsARegistryAndASubjectPerDestinationAndJsonRefusesARegistry() {
        RouteOptions o = avro("http://r:8081/apis/ccompat/v7");
        assertThat(o.format).isEqualTo(RouteOptions.Format.AVRO);
        assertThat(o.schemaRegistry).isEqualTo("http://r:8081/apis/ccompat/v7");
        assertThat(RouteCommand.parse("--destinations", AVRO_DESTINATIONS).format)
                .isEqualTo(RouteOptions.Format.JSON);

        assertThatThrownBy(() -> RouteCommand.parse("--destinations", AVRO_DESTINATIONS, "--format", "avro"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--format avro needs --schema-registry URL");
        assertThatThrownBy(() ->
                        RouteCommand.parse("--destinations", AVRO_DESTINATIONS, "--schema-registry", "http://r:8081"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry: only for --format avro");
        assertThatThrownBy(() -> RouteCommand.parse(
                        "--destinations", AVRO_DESTINATIONS, "--format", "avro", "--schema-registry", "r:8081"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry: 'r:8081' is not an http(s) URL with a host");
        assertThatThrownBy(() -> RouteCommand.parse(
                        "--destinations",
                        "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\"}}",
                        "--format",
                        "avro",
                        "--schema-registry",
                        "http://r:8081"))
                .isInstanceOf(UsageException.class)
                .hasMessage(
                        "--destinations: FINANCE has no output_subject, which --format avro needs to frame its records");
    }

    @Test
    void aRegistryThatDoesNotAnswerStopsTheCommandInOneLine() throws Exception {
        int closedPort = closedPort();
        RouteOptions o = avro("http://127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> RouteCommand.checkSchemaRegistry(o))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--schema-registry: schema registry http://127.0.0.1:" + closedPort
                        + " not usable after 1 attempt")
                .hasMessageNotContaining("\n");
    }
}
