package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.testing.ApicurioTestRegistry;
import io.clickflow.testing.BasicAuthProxy;
import io.clickflow.testing.KafkaTestBroker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Avro router against a real registry (Apicurio) that demands HTTP basic auth (a proxy in front of it) and a
 * real broker: records whose writer schema is composed of two other subjects' schemas (Confluent schema
 * references, which the seed could not use) are routed with the credentials, once each, their bodies byte for byte
 * and decodable with the destination subject's schema (registered with the same references). A wrong password:
 * {@link RouteRegistryRefusalITCase}.
 */
class RouteRegistryITCase {
    static final String INPUT = "tenant.events";
    static final String DEAD_LETTERS = "tenant.dead-letters";
    static final String FINANCE_TOPIC = "tenant.to.finance";
    static final String MARKETING_TOPIC = "tenant.to.marketing";
    static final String CONFIG = "{\"FINANCE\": {\"output_topic\": \"" + FINANCE_TOPIC + "\", \"output_subject\": "
            + "\"tenant.to.finance-value\"}, \"MARKETING\": {\"output_topic\": \"" + MARKETING_TOPIC
            + "\", \"output_subject\": \"tenant.to.marketing-value\"}}";
    static final String USER = "router";
    static final String PASSWORD = "c0rrect:h0rse@battery";
    static final int EVENTS = 120;
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final ApicurioTestRegistry REGISTRY = new ApicurioTestRegistry();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @Test
    @Timeout(120)
    void recordsOfASchemaWithReferencesAreRoutedThroughARegistryThatNeedsCredentials(@TempDir Path dir)
            throws Exception {
        KAFKA.createTopics(2, INPUT);
        KAFKA.createTopics(1, FINANCE_TOPIC, MARKETING_TOPIC, DEAD_LETTERS);
        REGISTRY.register("tenant.address-value", SchemaReferencesTest.ADDRESS);
        REGISTRY.register(
                "tenant.origin-value",
                SchemaReferencesTest.ORIGIN,
                List.of(Map.of("name", "io.tenant.Address", "subject", "tenant.address-value", "version", 1)));
        int eventId = REGISTRY.register(
                INPUT + "-value",
                SchemaReferencesTest.EVENT,
                List.of(
                        Map.of("name", "io.tenant.Origin", "subject", "tenant.origin-value", "version", 1),
                        Map.of("name", "io.tenant.Address", "subject", "tenant.address-value", "version", 1)));

        Map<String, List<Integer>> expected =
                new HashMap<>(Map.of("FINANCE", new ArrayList<>(), "MARKETING", new ArrayList<>()));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        Map<String, Integer> indexByBody = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            String destination = i % 10 == 9 ? "payroll" : i % 2 == 0 ? "finance" : "Marketing";
            byte[] value = SchemaReferencesTest.event(eventId, destination, "city-" + i);
            indexByBody.put(Arrays.toString(AvroEvents.bodyOf(value)), i);
            if (!destination.equals("payroll")) {
                expected.get(Destination.normalise(destination)).add(i);
            }
            records.add(new ProducerRecord<>(INPUT, ("tenant-" + i % 7).getBytes(StandardCharsets.UTF_8), value));
        }
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records);

        try (BasicAuthProxy proxy = new BasicAuthProxy(REGISTRY.url(), USER, PASSWORD)) {
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
                    proxy.through(REGISTRY.url()),
                    "--schema-registry-user",
                    USER,
                    "--schema-registry-password",
                    PASSWORD,
                    "--starting-offsets",
                    "earliest",
                    "--bounded",
                    "--checkpoint-dir",
                    dir.resolve("checkpoints").toString());
            assertThat(RouteCommand.describe(options)).doesNotContain(PASSWORD);
            KafkaPreflight.checkTopics(KAFKA.bootstrapServers(), RouteCommand.topics(options));
            RouteCommand.checkSchemaRegistry(options);
            StreamExecutionEnvironment env = AttributionPipelines.environment();
            RouteJob.build(env, options);
            env.execute("route with a registry that needs credentials");

            assertThat(proxy.refused.get())
                    .as("every request carried the credentials")
                    .isZero();
            assertThat(proxy.forwarded.get()).isPositive();
        }

        for (var e :
                Map.of("FINANCE", FINANCE_TOPIC, "MARKETING", MARKETING_TOPIC).entrySet()) {
            String subject = e.getValue() + "-value";
            JsonNode latest = JSON.readTree(REGISTRY.get("/subjects/" + subject + "/versions/latest"));
            assertThat(latest.get("references").toString())
                    .as("%s registered with the writer's references", subject)
                    .contains("tenant.origin-value", "tenant.address-value");
            List<Integer> got = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.readCommittedRecords(e.getValue())) {
                int id = AvroEvents.schemaId(r.value());
                assertThat(REGISTRY.versionIds(subject)).contains(id);
                Schema schema = SchemaReferences.parse(registered(REGISTRY.get("/schemas/ids/" + id)), ref -> {
                    return registered(REGISTRY.get("/subjects/" + ref.subject() + "/versions/" + ref.version()));
                });
                GenericRecord decoded = new GenericDatumReader<GenericRecord>(schema)
                        .read(null, DecoderFactory.get().binaryDecoder(AvroEvents.bodyOf(r.value()), null));
                int index = indexByBody.get(Arrays.toString(AvroEvents.bodyOf(r.value())));
                assertThat(((GenericRecord) decoded.get("ship_to")).get("city").toString())
                        .isEqualTo("city-" + index);
                got.add(index);
            }
            assertThat(got)
                    .as("%s: each of its records once", e.getKey())
                    .containsExactlyInAnyOrderElementsOf(expected.get(e.getKey()));
        }
        List<ConsumerRecord<byte[], byte[]>> dead = KAFKA.readCommittedRecords(DEAD_LETTERS);
        assertThat(dead).hasSize(EVENTS / 10);
        assertThat(dead)
                .allSatisfy(r -> assertThat(RouteAvroITCase.header(r, Router.REASON_HEADER))
                        .isEqualTo("unknown destination PAYROLL"));
    }

    /** A registry answer ({@code schema}, {@code references}) as the router's client reads it. */
    static SchemaRegistry.Registered registered(String answer) {
        try {
            JsonNode a = JSON.readTree(answer);
            List<SchemaRegistry.Reference> refs = new ArrayList<>();
            for (JsonNode r : a.path("references")) {
                refs.add(new SchemaRegistry.Reference(
                        r.get("name").asText(),
                        r.get("subject").asText(),
                        r.get("version").asInt()));
            }
            return new SchemaRegistry.Registered(a.get("schema").asText(), refs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
