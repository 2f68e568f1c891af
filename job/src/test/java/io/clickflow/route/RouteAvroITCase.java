package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.testing.ApicurioTestRegistry;
import io.clickflow.testing.KafkaTestBroker;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Avro router against a real broker and a real Confluent-compatible registry (Apicurio): each routed record
 * reaches each of its destinations once (read_committed), its body byte for byte, framed with the id the registry
 * gives its writer schema under the destination's subject and decodable with it; bad records are dead letters,
 * unchanged, with their reasons.
 */
class RouteAvroITCase {
    static final String INPUT = "producer.to.processor";
    static final String INPUT_SUBJECT = "producer.to.processor-value";
    static final String DEAD_LETTERS = "processor.dead-letters";
    static final Map<String, String> TOPIC_BY_NAME =
            Map.of("FINANCE", "processor.to.finance", "MARKETING", "processor.to.marketing");
    static final Map<String, String> SUBJECT_BY_NAME =
            Map.of("FINANCE", "processor.to.finance-value", "MARKETING", "processor.to.marketing-value");
    static final String CONFIG = "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": "
            + "\"processor.to.finance-value\"}, \"MARKETING\": {\"output_topic\": \"processor.to.marketing\", "
            + "\"output_subject\": \"processor.to.marketing-value\"}}";
    static final int INPUT_PARTITIONS = 2;
    static final int EVENTS = 400;
    static final int UNKNOWN_SCHEMA_ID = 987_654;
    static final List<List<String>> DESTINATION_CHOICES =
            List.of(List.of("FINANCE"), List.of("marketing"), List.of("Finance", "MARKETING"));

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final ApicurioTestRegistry REGISTRY = new ApicurioTestRegistry();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    /** One input record and what must become of it. */
    record Sent(int index, byte[] key, byte[] value, List<String> destinations, String reason) {}

    @Test
    @Timeout(120)
    void routedBodiesAreUnchangedAndFramedWithTheirDestinationSubjectsIds(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(INPUT_PARTITIONS, INPUT);
        KAFKA.createTopics(1, TOPIC_BY_NAME.values().toArray(String[]::new));
        KAFKA.createTopics(1, DEAD_LETTERS);
        int inputId = REGISTRY.register(INPUT_SUBJECT, AvroEvents.EVENT.toString());

        List<Sent> sent = traffic(inputId);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Sent s : sent) {
            records.add(new ProducerRecord<>(INPUT, s.key, s.value));
        }
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records);

        RouteOptions options = RouteCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--input-topic",
                INPUT,
                "--destinations",
                CONFIG,
                "--dead-letter-topic",
                DEAD_LETTERS,
                "--format",
                "avro",
                "--schema-registry",
                REGISTRY.url(),
                "--starting-offsets",
                "earliest",
                "--bounded",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        KafkaPreflight.checkTopics(KAFKA.bootstrapServers(), RouteCommand.topics(options));
        RouteCommand.checkSchemaRegistry(options);
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        RouteJob.build(env, options);
        env.execute("route avro test");

        Map<String, Sent> byValue = new HashMap<>();
        for (Sent s : sent) {
            byValue.put(key(s.key) + "|" + Arrays.toString(s.value), s);
        }
        for (String name : TOPIC_BY_NAME.keySet()) {
            String subject = SUBJECT_BY_NAME.get(name);
            int outputId = REGISTRY.latestId(subject);
            assertThat(outputId).as("%s gets an id of its own subject", name).isNotEqualTo(inputId);
            assertThat(new Schema.Parser().parse(REGISTRY.schema(outputId))).isEqualTo(AvroEvents.EVENT);
            List<ConsumerRecord<byte[], byte[]>> out = KAFKA.readCommittedRecords(TOPIC_BY_NAME.get(name));
            List<Integer> expected = sent.stream()
                    .filter(s -> s.destinations.contains(name))
                    .map(Sent::index)
                    .toList();
            List<Integer> got = new ArrayList<>();
            Set<Integer> ids = new TreeSet<>();
            out.forEach(r -> ids.add(AvroEvents.schemaId(r.value())));
            // Subtasks registering under a new subject at the same moment can make Apicurio create the same
            // schema twice (two versions, two ids): any version of the subject is a right framing.
            assertThat(ids)
                    .as(
                            "%s framing; the subject's versions: %s",
                            name, REGISTRY.get("/subjects/" + subject + "/versions"))
                    .isNotEmpty()
                    .isSubsetOf(REGISTRY.versionIds(subject));
            Map<Integer, Schema> schemas = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out) {
                Sent s = byValue.get(
                        key(r.key()) + "|" + Arrays.toString(AvroEvents.framed(inputId, AvroEvents.bodyOf(r.value()))));
                assertThat(s).as("%s: a body byte for byte as sent", name).isNotNull();
                got.add(s.index);
                Schema outputSchema = schemas.computeIfAbsent(
                        AvroEvents.schemaId(r.value()), id -> new Schema.Parser().parse(REGISTRY.schema(id)));
                GenericRecord decoded = new GenericDatumReader<GenericRecord>(outputSchema)
                        .read(null, DecoderFactory.get().binaryDecoder(AvroEvents.bodyOf(r.value()), null));
                assertThat(decoded.get("event_id").toString()).isEqualTo("e-" + s.index);
            }
            assertThat(got).as("%s: each of its records once", name).containsExactlyInAnyOrderElementsOf(expected);
        }

        List<ConsumerRecord<byte[], byte[]>> dead = KAFKA.readCommittedRecords(DEAD_LETTERS);
        Map<Integer, String> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            Sent s = byValue.get(key(r.key()) + "|" + Arrays.toString(r.value()));
            assertThat(s).as("a dead letter unchanged").isNotNull();
            assertThat(reasons.put(s.index, header(r, Router.REASON_HEADER)))
                    .as("once")
                    .isNull();
        }
        Map<Integer, String> expectedReasons = new HashMap<>();
        for (Sent s : sent) {
            if (s.reason != null) {
                expectedReasons.put(s.index, s.reason);
            }
        }
        assertThat(reasons).isEqualTo(expectedReasons);
    }

    @Test
    @Timeout(60)
    void subtasksRegisteringUnderANewSubjectAtOnceAllGetAnIdOfIt() throws Exception {
        String subject = "concurrent-value";
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> ids = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                SchemaRegistry registry = HttpSchemaRegistry.at(REGISTRY.url()).open();
                ids.add(pool.submit(() -> registry.register(subject, AvroEvents.EVENT.toString())));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> id : ids) {
                got.add(id.get());
            }
            assertThat(got).as("no refusal, and ids of the subject").isSubsetOf(REGISTRY.versionIds(subject));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Good events to one or both destinations, and the bad kinds every few records. */
    static List<Sent> traffic(int inputId) {
        Random random = new Random(17);
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            byte[] key = ("tenant-" + random.nextInt(20)).getBytes(StandardCharsets.UTF_8);
            List<String> names = DESTINATION_CHOICES.get(random.nextInt(DESTINATION_CHOICES.size()));
            byte[] good = AvroEvents.framed(inputId, AvroEvents.event("e-" + i, "financial", (long) i, names));
            List<String> upper = names.stream().map(Destination::normalise).toList();
            switch (i % 20) {
                case 3 ->
                    sent.add(new Sent(
                            i,
                            key,
                            ("{\"event_id\": \"e-" + i + "\", \"destinations\": [\"FINANCE\"]}")
                                    .getBytes(StandardCharsets.UTF_8),
                            List.of(),
                            "not in the schema registry wire format (magic byte 123, expected 0)"));
                case 7 ->
                    sent.add(new Sent(
                            i,
                            key,
                            AvroEvents.framed(UNKNOWN_SCHEMA_ID, AvroEvents.bodyOf(good)),
                            List.of(),
                            "schema id " + UNKNOWN_SCHEMA_ID + " not found in the registry"));
                case 11 ->
                    sent.add(new Sent(
                            i,
                            key,
                            Arrays.copyOf(good, good.length - 4),
                            List.of(),
                            "not a valid Avro body for schema " + inputId + ": java.io.EOFException"));
                case 13 ->
                    sent.add(new Sent(
                            i,
                            key,
                            AvroEvents.framed(inputId, AvroEvents.event("e-" + i, "financial", (long) i, List.of())),
                            List.of(),
                            "\"destinations\" is empty"));
                case 17 ->
                    sent.add(new Sent(
                            i,
                            key,
                            AvroEvents.framed(
                                    inputId,
                                    AvroEvents.event("e-" + i, "financial", (long) i, List.of("hr", "finance"))),
                            List.of("FINANCE"),
                            "unknown destination HR"));
                default -> sent.add(new Sent(i, key, good, upper, null));
            }
        }
        return sent;
    }

    static String key(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
