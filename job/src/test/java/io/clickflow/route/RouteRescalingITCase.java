package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Stop with a savepoint at parallelism 2 while routing, resume at 1 and at 4 (each run into topics of its own,
 * so both can be checked): what the first run committed plus what each resumed run committed is every record
 * exactly once, in order per key. Source splits and sink transactions redistribute; nothing lost or doubled.
 */
class RouteRescalingITCase {
    static final String INPUT = "rescale.in";
    static final List<String> NAMES = List.of("FINANCE", "MARKETING", "LOGISTICS");
    static final String DEAD = "dead";
    static final int EVENTS = 8_000;
    static final Duration RUN = Duration.ofSeconds(120);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    /** A run's topics: {@code rescale.<run>.<name>}; the logical topics are the first run's. */
    static Map<String, String> topics(String run) throws Exception {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String name : NAMES) {
            byName.put(name, "rescale." + run + "." + name.toLowerCase());
        }
        KAFKA.createTopics(2, byName.values().toArray(String[]::new));
        KAFKA.createTopics(1, "rescale." + run + "." + DEAD);
        return byName;
    }

    @Test
    @Timeout(400)
    void aSavepointAtParallelism2ResumesAt1And4WithEveryRecordOnce(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(4, INPUT);
        List<RouteTraffic.Event> events = RouteKafkaITCase.events(new RouteTraffic(RouteKafkaITCase.traffic()), EVENTS);
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), BruteForceRouting.records(INPUT, events, 0));
        Map<String, String> first = topics("p2");
        String firstDead = "rescale.p2." + DEAD;
        long total = BruteForceRouting.expectedByTopic(events, first, firstDead).values().stream()
                .mapToLong(List::size)
                .sum();

        JobClient running = define(first, firstDead, 2, null, dir).executeAsync("route at parallelism 2");
        Waits.until(() -> committed(first, firstDead) > 1_000, RUN, "the first run routed nothing");
        String savepoint = running.stopWithSavepoint(
                        false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        long atSavepoint = committed(first, firstDead);
        assertThat(atSavepoint).as("stopped mid-way").isLessThan(total);

        for (int parallelism : new int[] {1, 4}) {
            String run = "p" + parallelism;
            Map<String, String> resumed = topics(run);
            String resumedDead = "rescale." + run + "." + DEAD;
            JobClient job = define(resumed, resumedDead, parallelism, savepoint, dir)
                    .executeAsync("route resumed at parallelism " + parallelism);
            try {
                Waits.until(
                        () -> atSavepoint + committed(resumed, resumedDead) >= total,
                        RUN,
                        "the run at parallelism " + parallelism + " did not route the rest");
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            Map<String, String> physical = new LinkedHashMap<>();
            first.forEach((name, topic) -> physical.put(topic, resumed.get(name)));
            physical.put(firstDead, resumedDead);
            BruteForceRouting.assertDelivered(
                    topic -> {
                        List<ConsumerRecord<byte[], byte[]>> both = new ArrayList<>(KAFKA.readCommittedRecords(topic));
                        both.addAll(KAFKA.readCommittedRecords(physical.get(topic)));
                        return both;
                    },
                    events,
                    first,
                    firstDead,
                    INPUT);
        }
    }

    static StreamExecutionEnvironment define(
            Map<String, String> topicByName, String dead, int parallelism, String savepoint, Path dir) {
        StringBuilder config = new StringBuilder("{");
        topicByName.forEach((name, topic) -> config.append(config.length() == 1 ? "" : ", ")
                .append('"')
                .append(name)
                .append("\": {\"output_topic\": \"")
                .append(topic)
                .append("\"}"));
        RouteOptions options = RouteCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--input-topic",
                INPUT,
                "--destinations",
                config.append('}').toString(),
                "--dead-letter-topic",
                dead,
                "--group-id",
                "rescale",
                "--starting-offsets",
                "earliest",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        StreamExecutionEnvironment env = AttributionPipelines.environment(parallelism, savepoint);
        RouteJob.build(env, options);
        return env;
    }

    static long committed(Map<String, String> topicByName, String dead) {
        long n = KAFKA.readCommittedRecords(dead).size();
        for (String topic : topicByName.values()) {
            n += KAFKA.readCommittedRecords(topic).size();
        }
        return n;
    }
}
