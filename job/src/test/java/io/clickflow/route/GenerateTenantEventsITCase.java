package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.Clickflow;
import io.clickflow.ClickflowRun;
import io.clickflow.testing.ApicurioTestRegistry;
import io.clickflow.testing.BasicAuthProxy;
import io.clickflow.testing.KafkaTestBroker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./clickflow generate-tenant-events} against a real broker and a real registry (Apicurio): the seed's
 * producer schema registered under {@code <topic>-value}, the records read back in the Confluent wire format with
 * that id and decoded with the seed's own schema, one destination each in turn, keyed by producer id and destination;
 * JSON mode writes the same fields.
 */
class GenerateTenantEventsITCase {
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final ApicurioTestRegistry REGISTRY = new ApicurioTestRegistry();

    @Test
    @Timeout(60)
    void avroRecordsAreRegisteredUnderTheTopicsSubjectAndDecodeWithTheSeedsSchema() throws Exception {
        KAFKA.createTopics(1, "producer.to.processor");
        int code = Clickflow.execute(
                Clickflow.commandLine(),
                "generate-tenant-events",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--origin-service-type",
                "financial",
                "--origin-service-id",
                "123456",
                "--destinations",
                "FINANCE,marketing",
                "--count",
                "8",
                "--rate",
                "1000",
                "--format",
                "avro",
                "--schema-registry",
                REGISTRY.url());
        assertThat(code).isZero();

        int id = REGISTRY.latestId("producer.to.processor-value");
        assertThat(new Schema.Parser().parse(REGISTRY.schema(id))).isEqualTo(SeedEvents.PRODUCER_TO_PROCESSOR);
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readCommittedRecords("producer.to.processor");
        assertThat(records).hasSize(8);
        List<String> destinations = new ArrayList<>();
        long before = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(r.value()[0]).as("magic byte").isZero();
            assertThat(AvroEvents.schemaId(r.value())).isEqualTo(id);
            GenericRecord event = SeedProducerTest.seedDecode(AvroEvents.bodyOf(r.value()));
            String destination = event.get("destination_service_type").toString();
            destinations.add(destination);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("123456:" + destination);
            assertThat(event.get("origin_service_id").toString()).isEqualTo("123456");
            assertThat(event.get("origin_service_type").toString()).isEqualTo("financial");
            assertThat((Long) event.get("event_timestamp")).isBetween(before - 60_000, before);
            assertThat(event.get("payload").toString()).startsWith("dummy-payload ");
        }
        assertThat(destinations)
                .containsExactly(
                        "FINANCE", "MARKETING", "FINANCE", "MARKETING", "FINANCE", "MARKETING", "FINANCE", "MARKETING");
    }

    @Test
    @Timeout(60)
    void aRegistryThatNeedsCredentialsGetsThemAndAWrongPasswordStopsItInOneLine() throws Exception {
        KAFKA.createTopics(1, "tenant.auth");
        try (BasicAuthProxy proxy = new BasicAuthProxy(REGISTRY.url(), "producer", "pa:ss@word")) {
            String[] args = {
                "generate-tenant-events",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                "tenant.auth",
                "--count",
                "2",
                "--format",
                "avro",
                "--schema-registry",
                proxy.through(REGISTRY.url()),
                "--schema-registry-user",
                "producer",
                "--schema-registry-password"
            };
            ClickflowRun wrong = ClickflowRun.run(append(args, "not-it"));
            assertThat(wrong.code()).isEqualTo(2);
            assertThat(wrong.err())
                    .isEqualTo("clickflow generate-tenant-events: --schema-registry-password: schema registry "
                            + proxy.through(REGISTRY.url()) + " refused user producer (HTTP 401)"
                            + System.lineSeparator());

            assertThat(Clickflow.execute(Clickflow.commandLine(), append(args, "pa:ss@word")))
                    .isZero();
            assertThat(proxy.forwarded.get()).isPositive();
            assertThat(KAFKA.readCommittedRecords("tenant.auth")).hasSize(2);
        }
    }

    static String[] append(String[] args, String last) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    @Test
    @Timeout(60)
    void jsonRecordsCarryTheSameFields() throws Exception {
        KAFKA.createTopics(1, "tenant.json");
        int code = Clickflow.execute(
                Clickflow.commandLine(),
                "generate-tenant-events",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--topic",
                "tenant.json",
                "--origin-service-id",
                "p-1",
                "--destinations",
                "legal",
                "--count",
                "3");
        assertThat(code).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readCommittedRecords("tenant.json");
        assertThat(records).hasSize(3);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("p-1:LEGAL");
            JsonNode json = JSON.readTree(r.value());
            assertThat(json.get("origin_service_id").asText()).isEqualTo("p-1");
            assertThat(json.get("origin_service_type").asText()).isEqualTo("financial");
            assertThat(json.get("destination_service_type").asText()).isEqualTo("LEGAL");
            assertThat(json.get("event_timestamp").asLong()).isPositive();
            assertThat(json.get("payload").asText()).startsWith("dummy-payload ");
        }
    }
}
