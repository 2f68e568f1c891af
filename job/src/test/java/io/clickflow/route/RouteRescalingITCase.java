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
    static RouteTopics topics(String run) throws Exception {
        RouteTopics topics = RouteTopics.of(INPUT, "rescale." + run + ".dead", "rescale." + run + ".");
        KAFKA.createTopics(2, topics.topicByName().values().toArray(String[]::new));
        KAFKA.createTopics(1, topics.deadLetters());
        return topics;
    }

    @Test
    @Timeout(400)
    void aSavepointAtParallelism2ResumesAt1And4WithEveryRecordOnce(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(4, INPUT);
        List<RouteTraffic.Event> events = RouteKafkaITCase.events(new RouteTraffic(RouteKafkaITCase.traffic()), EVENTS);
        var records = BruteForceRouting.records(INPUT, events, 0);
        // The second half arrives only after the savepoint: the resumed runs always have work left, however
        // fast the first run is.
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records.subList(0, EVENTS / 2));
        RouteTopics first = topics("p2");
        long total = first.expectedTotal(events);

        JobClient running = define(first, 2, null, dir).executeAsync("route at parallelism 2");
        Waits.until(() -> first.committed(KAFKA::readCommittedRecords) > 1_000, RUN, "the first run routed nothing");
        String savepoint = running.stopWithSavepoint(
                        false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
        long atSavepoint = first.committed(KAFKA::readCommittedRecords);
        assertThat(atSavepoint).as("stopped mid-way").isLessThan(total);
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records.subList(EVENTS / 2, EVENTS));

        for (int parallelism : new int[] {1, 4}) {
            RouteTopics resumed = topics("p" + parallelism);
            JobClient job = define(resumed, parallelism, savepoint, dir)
                    .executeAsync("route resumed at parallelism " + parallelism);
            try {
                Waits.until(
                        () -> atSavepoint + resumed.committed(KAFKA::readCommittedRecords) >= total,
                        RUN,
                        "the run at parallelism " + parallelism + " did not route the rest");
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            Map<String, String> physical = new LinkedHashMap<>();
            first.topicByName()
                    .forEach((name, topic) ->
                            physical.put(topic, resumed.topicByName().get(name)));
            physical.put(first.deadLetters(), resumed.deadLetters());
            BruteForceRouting.assertDelivered(
                    topic -> {
                        List<ConsumerRecord<byte[], byte[]>> both = new ArrayList<>(KAFKA.readCommittedRecords(topic));
                        both.addAll(KAFKA.readCommittedRecords(physical.get(topic)));
                        return both;
                    },
                    events,
                    first.topicByName(),
                    first.deadLetters(),
                    INPUT);
        }
    }

    static StreamExecutionEnvironment define(RouteTopics topics, int parallelism, String savepoint, Path dir) {
        List<String> args = new ArrayList<>(topics.args(KAFKA.bootstrapServers()));
        args.addAll(List.of(
                "--group-id",
                "rescale",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString()));
        StreamExecutionEnvironment env = AttributionPipelines.environment(parallelism, savepoint);
        RouteJob.build(env, RouteCommand.parse(args.toArray(String[]::new)));
        return env;
    }
}
