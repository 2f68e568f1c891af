package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.testing.ApicurioTestRegistry;
import io.clickflow.testing.ChildJob;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The seed 003 processor's own interface end to end: records built with its producer schema (its .avsc file,
 * one destination_service_type each, keyed by producer id plus destination type), through a real Apicurio
 * registry and a real broker, routed with the seed's destination configuration (one subject shared by every
 * destination, holding the seed's consumer schema under a compatibility rule, as the seed's registry does) and
 * {@code --output-record processor-to-consumer}: every destination topic, read read_committed, holds exactly its
 * records as the seed's ProcessorToConsumer schema decodes them, once, in order per key, after a plain run and
 * after {@code kill -9} and {@code --resume}; records of an unknown type are dead letters, unchanged, with their
 * reason. JSON mode the same, with the four fields as a JSON object.
 */
class RouteSeedITCase {
    static final String SHARED_SUBJECT = "processor.to.consumer-value";
    static final List<String> TYPES = List.of("FINANCE", "marketing", "Logistics", "finance", "PAYROLL");
    static final String PROCESSOR_ID = "event-processor-1";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration FIRST_CHECKPOINT = Duration.ofSeconds(180);
    static final Duration CATCH_UP = Duration.ofSeconds(240);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final ApicurioTestRegistry REGISTRY = new ApicurioTestRegistry();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    /** One of the seed producer's records and the value sent for it. */
    record Sent(int index, String key, String type, long eventTimestamp, byte[] value) {
        String payload() {
            return "event " + index;
        }
    }

    /** A test's topics (the seed's names under a prefix) and its input schema's id (Avro). */
    record Run(RouteTopics topics, RouteOptions.Format format, int inputId, List<Sent> sent) {
        static Run of(String prefix, RouteOptions.Format format) throws Exception {
            RouteTopics topics = RouteTopics.of(prefix + ".producer.to.processor", prefix + ".dead", prefix + ".to.");
            KAFKA.createTopics(3, topics.input());
            KAFKA.createTopics(2, topics.topicByName().values().toArray(String[]::new));
            KAFKA.createTopics(1, topics.deadLetters());
            int inputId = format == RouteOptions.Format.AVRO
                    ? REGISTRY.register(topics.input() + "-value", SeedEvents.PRODUCER_SCHEMA_TEXT)
                    : 0;
            return new Run(topics, format, inputId, new ArrayList<>());
        }

        /** The seed's configuration: every destination under the one shared subject. */
        String config() {
            StringBuilder json = new StringBuilder("{");
            topics.topicByName()
                    .forEach((name, topic) -> json.append(json.length() == 1 ? "" : ", ")
                            .append("\"")
                            .append(name)
                            .append("\": {\"output_topic\": \"")
                            .append(topic)
                            .append("\", \"output_subject\": \"")
                            .append(SHARED_SUBJECT)
                            .append("\"}"));
            return json.append("}").toString();
        }

        List<String> args() {
            List<String> args = new ArrayList<>(List.of(
                    "--bootstrap-servers",
                    KAFKA.bootstrapServers(),
                    "--input-topic",
                    topics.input(),
                    "--destinations",
                    config(),
                    "--dead-letter-topic",
                    topics.deadLetters(),
                    "--starting-offsets",
                    "earliest",
                    "--output-record",
                    "processor-to-consumer",
                    "--processor-id",
                    PROCESSOR_ID,
                    "--group-id",
                    topics.input() + "-router"));
            if (format == RouteOptions.Format.AVRO) {
                args.addAll(List.of("--format", "avro", "--schema-registry", REGISTRY.url()));
            }
            return args;
        }

        /** {@code count} more records of 6 producers, each to one destination type (some unknown), sent now. */
        void produce(int count) throws Exception {
            Random random = new Random(sent.size());
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = sent.size();
                String producer = "producer-" + random.nextInt(6);
                String type = TYPES.get(random.nextInt(TYPES.size()));
                long at = 1_646_128_800_000L + index;
                // The seed's producer keys its records by its id plus the destination type.
                String key = producer + type;
                byte[] value = format == RouteOptions.Format.AVRO
                        ? AvroEvents.framed(
                                inputId, SeedEvents.event(producer, "financial", type, at, "event " + index))
                        : SeedEvents.json(producer, "financial", type, at, "event " + index)
                                .getBytes(StandardCharsets.UTF_8);
                Sent s = new Sent(index, key, type, at, value);
                sent.add(s);
                records.add(new ProducerRecord<>(topics.input(), key.getBytes(StandardCharsets.UTF_8), value));
            }
            KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records);
        }

        long expectedTotal() {
            return sent.size();
        }
    }

    @ParameterizedTest
    @EnumSource(RouteOptions.Format.class)
    @Timeout(180)
    void aPlainRunWritesTheSeedsConsumerRecords(RouteOptions.Format format, @TempDir Path dir) throws Exception {
        Run run = Run.of("plain-" + format.name().toLowerCase(), format);
        run.produce(600);
        List<String> args = new ArrayList<>(run.args());
        args.addAll(List.of(
                "--bounded", "--checkpoint-dir", dir.resolve("checkpoints").toString()));
        RouteOptions options = RouteCommand.parse(args.toArray(String[]::new));
        KafkaPreflight.checkTopics(KAFKA.bootstrapServers(), RouteCommand.topics(options));
        RouteCommand.checkSchemaRegistry(options);
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        RouteJob.build(env, options);
        env.execute("route seed test");

        assertDelivered(run);
    }

    @ParameterizedTest
    @EnumSource(RouteOptions.Format.class)
    @Timeout(600)
    void killedWhileRoutingThenResumedWritesEachConsumerRecordOnce(RouteOptions.Format format, @TempDir Path dir)
            throws Exception {
        Run run = Run.of("crash-" + format.name().toLowerCase(), format);
        run.produce(2_000);
        Path checkpoints = dir.resolve("checkpoints");
        List<String> args = new ArrayList<>(List.of("route"));
        args.addAll(run.args());
        args.addAll(List.of(
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "1s", "--progress-interval", "0"));
        String firstTopic = run.topics().topicByName().get("FINANCE");
        ChildJob crashing = ChildJob.start(dir.resolve("first.log"), RouteProcessCrashITCase.withWebPort(args));
        Waits.until(
                () -> (ChildJob.hasCompletedCheckpoint(checkpoints)
                                && !KAFKA.readCommittedRecords(firstTopic).isEmpty())
                        || !crashing.isAlive(),
                FIRST_CHECKPOINT,
                "no checkpoint completed with routed records");
        assertThat(crashing.isAlive())
                .as("the first run is still running: " + crashing.output())
                .isTrue();
        run.produce(1_500);
        assertThat(crashing.kill()).isEqualTo(137);
        long committedAtCrash = run.topics().committed(KAFKA::readCommittedRecords);
        run.produce(500);

        List<String> resume = new ArrayList<>(RouteProcessCrashITCase.withWebPort(args));
        resume.add("--resume");
        ChildJob resumed = ChildJob.start(dir.resolve("second.log"), resume);
        try {
            assertThat(committedAtCrash).as("killed mid-way").isLessThan(run.expectedTotal());
            Waits.until(
                    () -> run.topics().committed(KAFKA::readCommittedRecords) >= run.expectedTotal()
                            || !resumed.isAlive(),
                    CATCH_UP,
                    "the resumed router did not deliver everything");
            assertThat(resumed.isAlive())
                    .as("the resumed job is running: " + resumed.output())
                    .isTrue();
        } finally {
            resumed.kill();
        }
        assertThat(resumed.output()).contains("Resuming from");
        assertDelivered(run);
    }

    @Test
    void theSharedSubjectRefusesTheProducersSchemaWhichIsWhyUnchangedCannotServeTheSeedsConsumers() {
        RoutingReader.Refused refused = assertThrows(
                RoutingReader.Refused.class,
                () -> HttpSchemaRegistry.at(REGISTRY.url())
                        .open()
                        .register(SHARED_SUBJECT, SeedEvents.PRODUCER_SCHEMA_TEXT));
        assertThat(refused.getMessage()).contains(SHARED_SUBJECT);
    }

    /**
     * Every destination topic (read_committed) holds each of its records once, as the seed's consumers read it,
     * in order per key; every record of an unknown type is in the dead-letter topic once, unchanged, with its
     * reason.
     */
    static void assertDelivered(Run run) throws IOException {
        Map<String, Sent> byPayload = new HashMap<>();
        run.sent().forEach(s -> byPayload.put(s.payload(), s));
        TreeSet<Integer> schemaIds = new TreeSet<>();
        for (Map.Entry<String, String> destination : run.topics().topicByName().entrySet()) {
            String name = destination.getKey();
            List<Integer> expected = run.sent().stream()
                    .filter(s -> Destination.normalise(s.type()).equals(name))
                    .map(Sent::index)
                    .toList();
            List<Integer> got = new ArrayList<>();
            Map<String, List<Integer>> byKey = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.readCommittedRecords(destination.getValue())) {
                Map<String, Object> fields = fields(run.format(), r.value(), schemaIds);
                Sent s = byPayload.get((String) fields.get("payload"));
                assertThat(s)
                        .as("%s: a payload that was sent: %s", name, fields)
                        .isNotNull();
                assertThat(fields)
                        .as("%s: the seed's consumer record of event %d", name, s.index())
                        .containsEntry("origin_service_id", s.key().substring(0, "producer-0".length()))
                        .containsEntry("producer_event_timestamp", s.eventTimestamp());
                assertThat((Long) fields.get("processor_event_timestamp"))
                        .as("when the router processed it")
                        .isGreaterThan(s.eventTimestamp());
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s.key());
                assertThat(RouteAvroITCase.header(r, Router.DESTINATION_HEADER)).isEqualTo(name);
                assertThat(RouteAvroITCase.header(r, Router.PROCESSOR_HEADER)).isEqualTo(PROCESSOR_ID);
                got.add(s.index());
                byKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s.index());
            }
            assertThat(got).as("%s: each of its records once", name).containsExactlyInAnyOrderElementsOf(expected);
            byKey.forEach((key, indexes) ->
                    assertThat(indexes).as("%s: key %s in order", name, key).isSorted());
        }
        if (run.format() == RouteOptions.Format.AVRO) {
            assertThat(schemaIds).as("ids of the shared subject").isSubsetOf(REGISTRY.versionIds(SHARED_SUBJECT));
            for (int id : schemaIds) {
                assertThat(new Schema.Parser().parse(REGISTRY.schema(id))).isEqualTo(SeedEvents.PROCESSOR_TO_CONSUMER);
            }
        }

        List<Integer> deadExpected = run.sent().stream()
                .filter(s -> s.type().equals("PAYROLL"))
                .map(Sent::index)
                .toList();
        Map<String, Sent> byValue = new HashMap<>();
        run.sent().forEach(s -> byValue.put(Arrays.toString(s.value()), s));
        List<Integer> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KAFKA.readCommittedRecords(run.topics().deadLetters())) {
            Sent s = byValue.get(Arrays.toString(r.value()));
            assertThat(s).as("a dead letter unchanged").isNotNull();
            assertThat(RouteAvroITCase.header(r, Router.REASON_HEADER)).isEqualTo("unknown destination PAYROLL");
            assertThat(RouteAvroITCase.header(r, Router.PROCESSOR_HEADER)).isEqualTo(PROCESSOR_ID);
            dead.add(s.index());
        }
        assertThat(dead).as("each unknown-type record once").containsExactlyInAnyOrderElementsOf(deadExpected);
        assertThat(deadExpected).isNotEmpty();
    }

    /** A written value's four fields, decoded as the seed's consumers would (Avro) or as a JSON object. */
    static Map<String, Object> fields(RouteOptions.Format format, byte[] value, TreeSet<Integer> schemaIds)
            throws IOException {
        Map<String, Object> fields = new HashMap<>();
        if (format == RouteOptions.Format.AVRO) {
            schemaIds.add(AvroEvents.schemaId(value));
            GenericRecord r = SeedEvents.consumerRecord(value);
            for (Schema.Field f : SeedEvents.PROCESSOR_TO_CONSUMER.getFields()) {
                Object v = r.get(f.name());
                fields.put(f.name(), v instanceof CharSequence ? v.toString() : v);
            }
        } else {
            JsonNode node = JSON.readTree(value);
            assertThat(node.size()).as("four fields: %s", node).isEqualTo(4);
            fields.put("origin_service_id", node.get("origin_service_id").asText());
            fields.put(
                    "producer_event_timestamp",
                    node.get("producer_event_timestamp").asLong());
            fields.put(
                    "processor_event_timestamp",
                    node.get("processor_event_timestamp").asLong());
            fields.put("payload", node.get("payload").asText());
        }
        return fields;
    }

    /**
     * The seed's registry setup: its consumer schema registered under the shared subject, which then only takes
     * schemas compatible with it (the producer's schema is not).
     */
    @BeforeAll
    static void registerTheSeedsConsumerSchema() throws Exception {
        REGISTRY.register(SHARED_SUBJECT, SeedEvents.CONSUMER_SCHEMA_TEXT);
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(REGISTRY.url() + "/config/" + SHARED_SUBJECT))
                                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\": \"FULL\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new UncheckedIOException(
                    new IOException("compatibility rule: " + answer.statusCode() + " " + answer.body()));
        }
    }
}
