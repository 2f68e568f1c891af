package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.UsageException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The seed 003 processor's own shapes: its producers' one {@code destination_service_type} per record (JSON and
 * Avro, next to clickflow's {@code destinations} array), its consumers' ProcessorToConsumer record as {@code
 * --output-record processor-to-consumer} writes it, and {@code --processor-id} on every record written.
 */
class SeedShapesTest {
    static final String INPUT = "producer.to.processor";
    static final String DEAD_LETTERS = "processor.dead-letters";
    static final String SHARED_SUBJECT = "processor.to.consumer-value";
    static final String REFUSING_SUBJECT = "processor.to.audit-value";
    static final int PRODUCER_ID = 7;
    static final int BOTH_FIELDS_ID = 8;
    static final long AT = 1_646_128_800_000L;
    static final long NOW = 1_700_000_000_000L;
    static final ObjectMapper JSON = new ObjectMapper();

    /** The seed's own configuration: every destination's records under one shared subject. */
    static final Destinations SEED_CONFIG = Destinations.parse("{"
            + "\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": \"" + SHARED_SUBJECT
            + "\"}, \"MARKETING\": {\"output_topic\": \"processor.to.marketing\", \"output_subject\": \""
            + SHARED_SUBJECT + "\"}, \"AUDIT\": {\"output_topic\": \"processor.to.audit\", \"output_subject\": \""
            + REFUSING_SUBJECT + "\"}}");

    static final Set<String> TOPICS =
            Set.of(INPUT, DEAD_LETTERS, "processor.to.finance", "processor.to.marketing", "processor.to.audit");

    /** A schema with both shapes of destinations, the second nullable. */
    static final Schema BOTH_FIELDS = new Schema.Parser()
            .parse("{\"type\": \"record\", \"name\": \"Both\", \"fields\": ["
                    + "{\"name\": \"origin_service_id\", \"type\": \"string\"},"
                    + "{\"name\": \"destinations\", \"type\": [\"null\", {\"type\": \"array\", \"items\": \"string\"}]},"
                    + "{\"name\": \"destination_service_type\", \"type\": [\"null\", \"string\"]}]}");

    static final Map<Integer, String> SCHEMAS =
            Map.of(PRODUCER_ID, SeedEvents.PRODUCER_SCHEMA_TEXT, BOTH_FIELDS_ID, BOTH_FIELDS.toString());

    @Test
    void theRoutersCopiesOfTheSeedsSchemasAreTheSeedsOwn() {
        assertThat(ProcessorToConsumer.SCHEMA_TEXT).isEqualTo(SeedEvents.CONSUMER_SCHEMA_TEXT);
        assertThat(SeedEvents.text(ProcessorToConsumer.PRODUCER_SCHEMA_RESOURCE))
                .isEqualTo(SeedEvents.PRODUCER_SCHEMA_TEXT);
    }

    @Test
    void jsonDestinationServiceTypeRoutesAsDestinationsDoes() {
        Routing r = json(SeedEvents.json("123456", "financial", "Finance", AT, "p"));
        assertThat(r.ok()).isTrue();
        assertThat(r.destinations()).containsExactly("FINANCE");
        assertThat(r.tenant()).isEqualTo("financial/123456");
        assertThat(r.content()).as("read only for the consumer record").isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"destination_service_type\": \"FINANCE\", \"destinations\": [\"FINANCE\"]} "
                        + "| both \"destinations\" and \"destination_service_type\" (give one)",
                "{\"destinations\": [], \"destination_service_type\": \"HR\"} "
                        + "| both \"destinations\" and \"destination_service_type\" (give one)",
                "{\"origin_service_type\": \"financial\", \"payload\": \"x\"} "
                        + "| no \"destinations\" or \"destination_service_type\"",
                "{\"destination_service_type\": [\"FINANCE\"]} | \"destination_service_type\" is not a string",
                "{\"destination_service_type\": null} | \"destination_service_type\" is not a string",
                "{\"destination_service_type\": \" \"} | \"destination_service_type\" is empty",
                "{\"destination_service_type\": \"A\", \"destination_service_type\": \"B\"} "
                        + "| \"destination_service_type\" is given twice",
                "{\"payload\": {\"destination_service_type\": \"FINANCE\"}} "
                        + "| no \"destinations\" or \"destination_service_type\"",
            })
    void jsonRecordsWithBothShapesOrNeitherAreDeadLetters(String json, String reason) {
        assertThat(json(json).error()).isEqualTo(reason.strip());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"destination_service_type\": \"F\", \"event_timestamp\": 1, \"payload\": \"p\"} "
                        + "| no \"origin_service_id\" (a string) for --output-record processor-to-consumer",
                "{\"destination_service_type\": \"F\", \"origin_service_id\": \"1\", \"payload\": \"p\"} "
                        + "| no \"event_timestamp\" (an integer, epoch milliseconds) for --output-record "
                        + "processor-to-consumer",
                "{\"destination_service_type\": \"F\", \"origin_service_id\": \"1\", \"event_timestamp\": \"2022\","
                        + " \"payload\": \"p\"} | no \"event_timestamp\" (an integer, epoch milliseconds) for "
                        + "--output-record processor-to-consumer",
                "{\"destination_service_type\": \"F\", \"origin_service_id\": \"1\", \"event_timestamp\": 1,"
                        + " \"payload\": null} | no \"payload\" for --output-record processor-to-consumer",
            })
    void theConsumerRecordNeedsItsFields(String json, String reason) {
        assertThat(JsonRoutingFields.read(json.getBytes(StandardCharsets.UTF_8), true)
                        .error())
                .isEqualTo(reason.strip());
    }

    @Test
    void jsonConsumerRecordsHoldTheFourFieldsAndTheRecordsKeyAndHeaders() throws Exception {
        Router router = router(RoutingReader.json(OutputRecord.PROCESSOR_TO_CONSUMER), "event-processor-1");
        List<KafkaRecord> out = new ArrayList<>();
        KafkaRecord seed = record(0, SeedEvents.json("123456", "financial", "marketing", AT, "hello"));
        KafkaRecord objectPayload = record(
                1,
                "{\"origin_service_id\": 9, \"destinations\": [\"finance\", \"MARKETING\"], \"event_timestamp\": " + AT
                        + ", \"payload\": {\"amount\": 10, \"destinations\": [\"HR\"]}}");
        router.route(seed, SEED_CONFIG::get, new ListCollector<>(out));
        router.route(objectPayload, SEED_CONFIG::get, new ListCollector<>(out));

        assertThat(out)
                .extracting(r -> r.topic)
                .containsExactly("processor.to.marketing", "processor.to.finance", "processor.to.marketing");
        JsonNode first = JSON.readTree(out.get(0).value);
        assertThat(JSON.writeValueAsString(first))
                .isEqualTo("{\"origin_service_id\":\"123456\",\"producer_event_timestamp\":" + AT
                        + ",\"processor_event_timestamp\":" + NOW + ",\"payload\":\"hello\"}");
        assertThat(new String(out.get(1).value, StandardCharsets.UTF_8))
                .as("a JSON payload stays JSON; a number id becomes its text")
                .isEqualTo("{\"origin_service_id\":\"9\",\"producer_event_timestamp\":" + AT
                        + ",\"processor_event_timestamp\":" + NOW
                        + ",\"payload\":{\"amount\":10,\"destinations\":[\"HR\"]}}");
        assertThat(out.get(2).value).isEqualTo(out.get(1).value);
        for (KafkaRecord r : out) {
            assertThat(r.key).isEqualTo(("key-" + r.header(Router.SOURCE_HEADER).split("/")[2]).getBytes());
            assertThat(r.timestamp)
                    .isEqualTo(
                            AT + Long.parseLong(r.header(Router.SOURCE_HEADER).split("/")[2]));
            assertThat(r.header("trace")).as("the producer's headers kept").isEqualTo("t");
            assertThat(r.header(Router.PROCESSOR_HEADER)).isEqualTo("event-processor-1");
        }
    }

    @Test
    void unchangedIsTheDefaultAndForwardsTheSeedsRecordByteForByte() throws Exception {
        String seed = SeedEvents.json("123456", "financial", "FINANCE", AT, "hello");
        try (var h = ProcessFunctionTestHarnesses.forProcessFunction(new RouteFunction(new RouteSettings(
                SEED_CONFIG,
                DEAD_LETTERS,
                RouteCommand.parse("--destinations", "{\"F\": {\"output_topic\": \"f\"}}")
                        .reader(),
                TopicCatalog.fixed(TOPICS),
                10)))) {
            h.processElement(record(0, seed), 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(r -> {
                assertThat(r.topic).isEqualTo("processor.to.finance");
                assertThat(new String(r.value, StandardCharsets.UTF_8)).isEqualTo(seed);
                assertThat(r.header(Router.PROCESSOR_HEADER))
                        .as("no --processor-id")
                        .isNull();
            });
        }
    }

    @Test
    void avroSeedRecordsBecomeTheSeedsConsumerRecordUnderTheSharedSubject() throws Exception {
        MapSchemaRegistry registry = new MapSchemaRegistry(SCHEMAS, REFUSING_SUBJECT);
        Router router = router(new AvroRoutingFields(() -> registry, OutputRecord.PROCESSOR_TO_CONSUMER).open(), "p-1");
        List<KafkaRecord> out = new ArrayList<>();
        String[] types = {"FINANCE", "marketing", "Finance", "HR", "audit"};
        for (int i = 0; i < types.length; i++) {
            GenericRecord event = SeedEvents.event("id-" + i, "financial", types[i], AT + i, "payload " + i);
            router.route(record(i, AvroEvents.framed(PRODUCER_ID, event)), SEED_CONFIG::get, new ListCollector<>(out));
        }

        List<KafkaRecord> routed =
                out.stream().filter(r -> !r.topic.equals(DEAD_LETTERS)).toList();
        assertThat(routed)
                .extracting(r -> r.topic)
                .containsExactly("processor.to.finance", "processor.to.marketing", "processor.to.finance");
        int id = AvroEvents.schemaId(routed.get(0).value);
        assertThat(registry.schema(id).text()).isEqualTo(SeedEvents.CONSUMER_SCHEMA_TEXT);
        assertThat(registry.registrations)
                .as("one registration for the shared subject")
                .isEqualTo(1);
        for (int i = 0; i < routed.size(); i++) {
            KafkaRecord r = routed.get(i);
            assertThat(AvroEvents.schemaId(r.value)).isEqualTo(id);
            GenericRecord expected = new GenericData.Record(SeedEvents.PROCESSOR_TO_CONSUMER);
            expected.put("origin_service_id", "id-" + i);
            expected.put("producer_event_timestamp", AT + i);
            expected.put("processor_event_timestamp", NOW);
            expected.put("payload", "payload " + i);
            assertThat(SeedEvents.consumerRecord(r.value)).isEqualTo(expected);
            assertThat(r.key).isEqualTo(("key-" + i).getBytes());
            assertThat(r.header(Router.PROCESSOR_HEADER)).isEqualTo("p-1");
        }
        List<KafkaRecord> dead =
                out.stream().filter(r -> r.topic.equals(DEAD_LETTERS)).toList();
        assertThat(dead)
                .extracting(r -> r.header(Router.REASON_HEADER))
                .containsExactly(
                        "unknown destination HR",
                        "destination AUDIT: the seed's ProcessorToConsumer schema: subject " + REFUSING_SUBJECT
                                + " refused it (409 incompatible)");
        assertThat(dead).extracting(r -> r.header(Router.PROCESSOR_HEADER)).containsOnly("p-1");
        assertThat(dead.get(0).value)
                .as("unchanged")
                .isEqualTo(record(
                                3,
                                AvroEvents.framed(
                                        PRODUCER_ID, SeedEvents.event("id-3", "financial", "HR", AT + 3, "payload 3")))
                        .value);
    }

    @Test
    void avroRecordsWithBothShapesOrNeitherAreDeadLettersAndANullOneIsNotGiven() {
        RoutingReader reader = new AvroRoutingFields.Opened(new MapSchemaRegistry(SCHEMAS, null));
        assertThat(reader.read(both(List.of("FINANCE"), "MARKETING")).error()).isEqualTo(JsonRoutingFields.BOTH);
        assertThat(reader.read(both(null, null)).error()).isEqualTo(JsonRoutingFields.NEITHER);
        assertThat(reader.read(both(null, "marketing")).destinations()).containsExactly("MARKETING");
        assertThat(reader.read(both(List.of("finance", "HR"), null)).destinations())
                .containsExactly("FINANCE", "HR");
        assertThat(reader.read(both(null, "")).error()).isEqualTo(JsonRoutingFields.TYPE_EMPTY);
        GenericRecord seed = SeedEvents.event("1", "financial", "Logistics", AT, "p");
        assertThat(reader.read(AvroEvents.framed(PRODUCER_ID, seed)).destinations())
                .containsExactly("LOGISTICS");
    }

    @Test
    void theOptionsTurnItOn() {
        String config = "{\"F\": {\"output_topic\": \"f\", \"output_subject\": \"s\"}}";
        RouteOptions defaults = RouteCommand.parse("--destinations", config);
        assertThat(defaults.outputRecord).isEqualTo(OutputRecord.UNCHANGED);
        assertThat(defaults.processorId).isNull();
        assertThat(RouteCommand.jobName(defaults)).isEqualTo("clickflow route");
        RouteOptions seed = RouteCommand.parse(
                "--destinations", config, "--output-record", "processor-to-consumer", "--processor-id", " proc-1 ");
        assertThat(seed.outputRecord).isEqualTo(OutputRecord.PROCESSOR_TO_CONSUMER);
        assertThat(seed.processorId).isEqualTo("proc-1");
        assertThat(RouteCommand.jobName(seed)).isEqualTo("clickflow route proc-1");
        assertThat(RouteCommand.describe(seed)).contains("writing processor-to-consumer, processor proc-1");
        assertThatThrownBy(() -> RouteCommand.parse("--destinations", config, "--processor-id", "a\tb"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--processor-id: give a name of printable ASCII characters (at most 200)");
        assertThatThrownBy(() -> RouteCommand.parse("--destinations", config, "--output-record", "consumer"))
                .hasMessageContaining("--output-record");
    }

    @Test
    void theProcessorIdIsOnDeadLettersToo() {
        Router router = router(RoutingReader.json(), "p-2");
        List<KafkaRecord> out = new ArrayList<>();
        router.route(record(0, "{}"), SEED_CONFIG::get, new ListCollector<>(out));
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.topic).isEqualTo(DEAD_LETTERS);
            assertThat(r.header(Router.REASON_HEADER)).isEqualTo(JsonRoutingFields.NEITHER);
            assertThat(r.header(Router.PROCESSOR_HEADER)).isEqualTo("p-2");
        });
    }

    static Routing json(String json) {
        return JsonRoutingFields.read(json.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] both(List<String> destinations, String type) {
        GenericRecord r = new GenericData.Record(BOTH_FIELDS);
        r.put("origin_service_id", "1");
        r.put("destinations", destinations);
        r.put("destination_service_type", type);
        return AvroEvents.framed(BOTH_FIELDS_ID, r);
    }

    static Router router(RoutingReader reader, String processorId) {
        return new Router(
                reader.open(),
                DEAD_LETTERS,
                TopicCatalog.fixed(TOPICS).open(),
                new RouteMetrics(new MetricListener().getMetricGroup(), 10),
                processorId,
                () -> NOW);
    }

    static KafkaRecord record(long offset, String json) {
        return record(offset, json.getBytes(StandardCharsets.UTF_8));
    }

    static KafkaRecord record(long offset, byte[] value) {
        KafkaRecord r = new KafkaRecord();
        r.topic = INPUT;
        r.offset = offset;
        r.timestamp = AT + offset;
        r.key = ("key-" + offset).getBytes();
        r.value = value;
        KafkaRecord withHeader = r.copyTo(INPUT, "trace", "t");
        withHeader.offset = offset;
        return withHeader;
    }
}
