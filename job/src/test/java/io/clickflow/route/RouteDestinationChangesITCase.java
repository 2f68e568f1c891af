package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Destinations changed while the router runs, through the changes topic: an added destination, a removed one,
 * and one whose topic is created only later, each taking effect without a restart; every record lands exactly
 * once, where the configuration at its time sends it.
 */
class RouteDestinationChangesITCase {
    static final String INPUT = "changes.in";
    static final String DEAD_LETTERS = "changes.dead";
    static final String CHANGES = "changes.destinations";
    static final String FINANCE_TOPIC = "changes.to.finance";
    static final String LEGAL_TOPIC = "changes.to.legal";
    /** Created only after the HR destination is added. */
    static final String HR_TOPIC = "changes.to.hr";

    static final int BATCH = 40;
    static final Duration SETTLE = Duration.ofSeconds(60);
    static final String ID = "id";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    /** Events sent so far, by id, with the one topic each must end up in. */
    private final Map<String, String> expectedTopic = new HashMap<>();

    private int probes;
    private boolean hrCreated;

    @Test
    @Timeout(180)
    void addedRemovedAndLaterCreatedDestinationsTakeEffectWhileRunning(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(2, INPUT);
        KAFKA.createTopics(1, DEAD_LETTERS, CHANGES, FINANCE_TOPIC, LEGAL_TOPIC);
        RouteOptions options = RouteCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--input-topic",
                INPUT,
                "--dead-letter-topic",
                DEAD_LETTERS,
                "--destinations",
                "{\"FINANCE\": {\"output_topic\": \"" + FINANCE_TOPIC + "\"}}",
                "--destinations-topic",
                CHANGES,
                "--starting-offsets",
                "earliest",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        RouteJob.build(env, options);
        JobClient job = env.executeAsync("route destination changes");
        try {
            // Before any change: LEGAL is unknown, FINANCE routes.
            send("a", "LEGAL", BATCH, DEAD_LETTERS);
            send("f", "FINANCE", BATCH, FINANCE_TOPIC);
            awaitSettled();

            change("legal", "{\"output_topic\": \"" + LEGAL_TOPIC + "\"}");
            probeUntil("LEGAL", LEGAL_TOPIC, DEAD_LETTERS);
            send("b", "legal", BATCH, LEGAL_TOPIC);

            change("FINANCE", null);
            probeUntil("FINANCE", DEAD_LETTERS, FINANCE_TOPIC);
            send("c", "Finance", BATCH, DEAD_LETTERS);

            change("HR", "{\"output_topic\": \"" + HR_TOPIC + "\"}");
            probeUntil("HR", DEAD_LETTERS, "none: the topic does not exist yet");
            KAFKA.createTopics(1, HR_TOPIC);
            hrCreated = true;
            probeUntil("HR", HR_TOPIC, DEAD_LETTERS);
            send("d", "hr", BATCH, HR_TOPIC);
            awaitSettled();
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
        Map<String, List<String>> seen = landed();
        for (Map.Entry<String, String> e : expectedTopic.entrySet()) {
            assertThat(seen.get(e.getKey()))
                    .as("where " + e.getKey() + " landed")
                    .containsExactly(e.getValue());
        }
        assertThat(seen).as("nothing but what was sent").containsOnlyKeys(expectedTopic.keySet());
        List<String> reasons = KAFKA.readCommittedRecords(DEAD_LETTERS).stream()
                .map(r -> BruteForceRouting.header(r, Router.REASON_HEADER))
                .distinct()
                .toList();
        assertThat(reasons)
                .contains(
                        "unknown destination LEGAL",
                        "unknown destination FINANCE",
                        "destination HR: topic " + HR_TOPIC + " does not exist");
    }

    /** A batch of events to one destination, each of which must land in {@code topic} only. */
    private void send(String prefix, String destination, int count, String topic) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + i;
            records.add(event(id, destination));
            expectedTopic.put(id, topic);
        }
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records);
    }

    /**
     * Sends one probe after another naming {@code destination} until one lands in {@code after}: from then on the
     * change is in effect. A probe may land in {@code before} (the change had not reached its subtask) or
     * {@code after}, exactly one of them.
     */
    private void probeUntil(String destination, String after, String before) throws Exception {
        List<String> sent = new ArrayList<>();
        Waits.until(
                () -> {
                    try {
                        String id = "probe-" + probes++;
                        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), List.of(event(id, destination)));
                        sent.add(id);
                        Map<String, List<String>> seen = landed();
                        return sent.stream().anyMatch(p -> List.of(after).equals(seen.get(p)));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                SETTLE,
                "no probe to " + destination + " reached " + after);
        awaitSettled(sent);
        Map<String, List<String>> seen = landed();
        for (String id : sent) {
            assertThat(seen.get(id)).as(id).hasSize(1).containsAnyOf(after, before);
            expectedTopic.put(id, seen.get(id).get(0));
        }
    }

    private void awaitSettled() throws InterruptedException {
        awaitSettled(List.copyOf(expectedTopic.keySet()));
    }

    /** Waits until every one of {@code ids} landed somewhere (a checkpoint commits them). */
    private void awaitSettled(List<String> ids) throws InterruptedException {
        Waits.until(() -> landed().keySet().containsAll(ids), SETTLE, "records did not land: " + ids);
    }

    private void change(String name, String entry) throws Exception {
        KafkaTestBroker.produceRecords(
                KAFKA.bootstrapServers(),
                List.of(new ProducerRecord<>(
                        CHANGES,
                        name.getBytes(StandardCharsets.UTF_8),
                        entry == null ? null : entry.getBytes(StandardCharsets.UTF_8))));
    }

    static ProducerRecord<byte[], byte[]> event(String id, String destination) {
        String json = "{\"event_id\": \"" + id + "\", \"origin_service_type\": \"test\", \"destinations\": [\""
                + destination + "\"], \"payload\": {}}";
        ProducerRecord<byte[], byte[]> r =
                new ProducerRecord<>(INPUT, id.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
        r.headers().add(new RecordHeader(ID, id.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    /** Every topic each id is in, read read_committed. */
    private Map<String, List<String>> landed() {
        Map<String, List<String>> seen = new HashMap<>();
        for (String topic : List.of(DEAD_LETTERS, FINANCE_TOPIC, LEGAL_TOPIC, HR_TOPIC)) {
            if (topic.equals(HR_TOPIC) && !hrCreated) {
                // Not even a metadata request for it before it is created: a broker may auto-create on one.
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.readCommittedRecords(topic)) {
                seen.computeIfAbsent(BruteForceRouting.header(r, ID), k -> new ArrayList<>())
                        .add(topic);
            }
        }
        return seen;
    }
}
