package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The routing rule one case at a time, through the operators as Flink runs them (without a broker). */
class RouteFunctionTest {
    static final String INPUT = "producer.to.processor";
    static final String DEAD_LETTERS = "processor.dead-letters";
    static final String FINANCE_TOPIC = "processor.to.finance";
    static final String MARKETING_TOPIC = "processor.to.marketing";
    static final String LEGAL_TOPIC = "processor.to.legal";
    /** Configured, but its topic was never created. */
    static final String LOGISTICS_TOPIC = "processor.to.logistics";

    static final Destinations CONFIG = Destinations.parse("{\"FINANCE\": {\"output_topic\": \"" + FINANCE_TOPIC
            + "\"}, \"MARKETING\": {\"output_topic\": \"" + MARKETING_TOPIC
            + "\"}, \"LOGISTICS\": {\"output_topic\": \""
            + LOGISTICS_TOPIC + "\"}}");
    static final Set<String> EXISTING_TOPICS = Set.of(INPUT, DEAD_LETTERS, FINANCE_TOPIC, MARKETING_TOPIC, LEGAL_TOPIC);

    static RouteSettings settings() {
        return new RouteSettings(CONFIG, DEAD_LETTERS, RoutingReader.json(), TopicCatalog.fixed(EXISTING_TOPICS), 2);
    }

    /** Input records at consecutive offsets of partition 0. */
    static final class Input {
        private long offset;

        KafkaRecord event(String key, String json, String... headers) {
            KafkaRecord r = new KafkaRecord();
            r.topic = INPUT;
            r.partition = 0;
            r.offset = offset++;
            r.timestamp = 1_650_000_000_000L + r.offset;
            r.key = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
            r.value = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
            r = r.copyTo(INPUT, headers);
            r.partition = 0;
            r.offset = offset - 1;
            return r;
        }

        static String to(String tenant, String... destinations) {
            StringBuilder names = new StringBuilder();
            for (String d : destinations) {
                names.append(names.length() == 0 ? "" : ", ")
                        .append('"')
                        .append(d)
                        .append('"');
            }
            return "{\"event_id\": \"e\", \"origin_service_type\": \"" + tenant
                    + "\", \"origin_service_id\": \"1\", \"destinations\": [" + names + "], \"payload\": {}}";
        }
    }

    static OneInputStreamOperatorTestHarness<KafkaRecord, KafkaRecord> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forProcessFunction(new RouteFunction(settings()));
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void aRecordGoesUnchangedToEachDestinationItNames() throws Exception {
        Input in = new Input();
        KafkaRecord event = in.event("tenant-1", Input.to("financial", "finance", "Marketing"), "trace", "t-1");
        try (var h = harness()) {
            h.processElement(event, 0);
            List<KafkaRecord> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.topic).containsExactly(FINANCE_TOPIC, MARKETING_TOPIC);
            for (KafkaRecord r : out) {
                assertThat(r.value).isEqualTo(event.value);
                assertThat(r.key).isEqualTo(event.key);
                assertThat(r.timestamp).isEqualTo(event.timestamp);
                assertThat(r.header("trace")).isEqualTo("t-1");
                assertThat(r.header(Router.SOURCE_HEADER)).isEqualTo(INPUT + "/0/0");
            }
            assertThat(out)
                    .extracting(r -> r.header(Router.DESTINATION_HEADER))
                    .containsExactly("FINANCE", "MARKETING");
        }
    }

    @Test
    void aNameRepeatedInAnyCaseIsDeliveredOnce() throws Exception {
        try (var h = harness()) {
            h.processElement(new Input().event("k", Input.to("financial", "FINANCE", "finance", "Finance")), 0);
            assertThat(h.extractOutputValues()).extracting(r -> r.topic).containsExactly(FINANCE_TOPIC);
        }
    }

    @Test
    void anUnknownDestinationIsADeadLetterWhileTheKnownOnesStillGetTheRecord() throws Exception {
        try (var h = harness()) {
            h.processElement(new Input().event("k", Input.to("financial", "FINANCE", "HR", "PAYROLL")), 0);
            List<KafkaRecord> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.topic).containsExactly(FINANCE_TOPIC, DEAD_LETTERS);
            KafkaRecord dead = out.get(1);
            assertThat(dead.header(Router.REASON_HEADER))
                    .isEqualTo("unknown destination HR; unknown destination PAYROLL");
            assertThat(dead.header(Router.TENANT_HEADER)).isEqualTo("financial/1");
            assertThat(dead.header(Router.DESTINATION_HEADER)).isNull();
        }
    }

    @Test
    void aDestinationWhoseTopicIsMissingIsADeadLetter() throws Exception {
        try (var h = harness()) {
            h.processElement(new Input().event("k", Input.to("logistics", "LOGISTICS")), 0);
            assertThat(h.extractOutputValues()).singleElement().satisfies(dead -> {
                assertThat(dead.topic).isEqualTo(DEAD_LETTERS);
                assertThat(dead.header(Router.REASON_HEADER))
                        .isEqualTo("destination LOGISTICS: topic " + LOGISTICS_TOPIC + " does not exist");
            });
        }
    }

    @Test
    void unroutableRecordsAreKeptUnchangedWithTheirReasonAndPosition() throws Exception {
        Input in = new Input();
        List<KafkaRecord> bad = List.of(
                in.event("k", "not json"),
                in.event(null, "{\"destinations\": []}"),
                in.event("k", null),
                in.event("k", "{\"payload\": {\"destinations\": [\"FINANCE\"]}}"));
        try (var h = harness()) {
            for (KafkaRecord r : bad) {
                h.processElement(r, 0);
            }
            List<KafkaRecord> out = h.extractOutputValues();
            assertThat(out).extracting(r -> r.topic).containsOnly(DEAD_LETTERS).hasSize(bad.size());
            assertThat(out)
                    .extracting(r -> r.header(Router.REASON_HEADER))
                    .containsExactly(
                            "not valid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array,"
                                    + " Object or token 'null', 'true' or 'false')",
                            "\"destinations\" is empty",
                            "no value (a tombstone)",
                            "no \"destinations\" or \"destination_service_type\"");
            assertThat(out)
                    .extracting(r -> r.header(Router.SOURCE_HEADER))
                    .containsExactly(INPUT + "/0/0", INPUT + "/0/1", INPUT + "/0/2", INPUT + "/0/3");
            for (int i = 0; i < bad.size(); i++) {
                assertThat(out.get(i).value).isEqualTo(bad.get(i).value);
                assertThat(out.get(i).key).isEqualTo(bad.get(i).key);
            }
        }
    }

    @Test
    void metricsCountPerTenantAndTenantsPastTheCapCountAsOther() {
        MetricListener metrics = new MetricListener();
        long[] now = {0};
        Router router = new Router(
                RoutingReader.json(),
                DEAD_LETTERS,
                TopicCatalog.fixed(EXISTING_TOPICS).open(),
                new RouteMetrics(metrics.getMetricGroup(), 2, () -> now[0]));
        Input in = new Input();
        List<KafkaRecord> out = new ArrayList<>();
        for (String tenant : List.of("a", "b", "a", "c", "d")) {
            KafkaRecord event = in.event("k", Input.to(tenant, "FINANCE", "HR"));
            now[0] = event.timestamp + ROUTED_AFTER.toMillis();
            router.route(event, CONFIG::get, new ListCollector<>(out));
        }
        router.route(in.event("k", "[]"), CONFIG::get, new ListCollector<>(out));

        assertThat(count(metrics, "tenant", "a", "recordsIn")).isEqualTo(2);
        assertThat(count(metrics, "tenant", "a", "destination", "FINANCE", "routed"))
                .isEqualTo(2);
        assertThat(count(metrics, "tenant", "a", "reason", "unknown-destination", "deadLetters"))
                .isEqualTo(2);
        assertThat(count(metrics, "tenant", "b", "recordsIn")).isEqualTo(1);
        assertThat(count(metrics, "tenant", RouteMetrics.OTHER, "recordsIn"))
                .as("c, d and the unknown")
                .isEqualTo(3);
        assertThat(count(metrics, "tenant", RouteMetrics.OTHER, "reason", "unroutable", "deadLetters"))
                .isEqualTo(1);
        assertThat(metrics.getCounter("tenant", "c", "recordsIn")).isEmpty();
        assertThat(metrics.getGauge("tenant", "a", RouteMetrics.LAG)
                        .orElseThrow()
                        .getValue())
                .as("routing time minus the record's Kafka timestamp")
                .isEqualTo(ROUTED_AFTER.toMillis());
        assertThat(count(metrics, "destination", "FINANCE", RouteMetrics.ROUTED))
                .as("all tenants")
                .isEqualTo(5);
        assertThat(count(metrics, RouteMetrics.DEAD_LETTERS)).isEqualTo(6);
        assertThat(out).hasSize(11);
    }

    /** How long after its Kafka timestamp the metrics test routes each record. */
    static final Duration ROUTED_AFTER = Duration.ofMillis(1500);

    static long count(MetricListener metrics, String... path) {
        return metrics.getCounter(path)
                .orElseThrow(() -> new AssertionError(String.join(".", path)))
                .getCount();
    }

    @Test
    void changesFromTheDestinationsTopicApplyToTheRecordsAfterThem() throws Exception {
        Input in = new Input();
        try (BroadcastOperatorTestHarness<KafkaRecord, Destination, KafkaRecord> h =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new RouteWithUpdatesFunction(settings()), RouteWithUpdatesFunction.UPDATES_STATE)) {
            h.processElement(in.event("k", Input.to("legal", "LEGAL")), 0);
            h.processBroadcastElement(new Destination("legal", LEGAL_TOPIC, null), 1);
            h.processElement(in.event("k", Input.to("legal", "LEGAL")), 2);
            h.processBroadcastElement(Destination.removed("FINANCE"), 3);
            h.processElement(in.event("k", Input.to("financial", "FINANCE")), 4);
            h.processBroadcastElement(new Destination("marketing", LEGAL_TOPIC, null), 5);
            h.processElement(in.event("k", Input.to("financial", "MARKETING")), 6);

            List<KafkaRecord> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(r -> r.topic)
                    .containsExactly(DEAD_LETTERS, LEGAL_TOPIC, DEAD_LETTERS, LEGAL_TOPIC);
            assertThat(out.get(2).header(Router.REASON_HEADER)).isEqualTo("unknown destination FINANCE");
        }
    }
}
