package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.commandline.ChildProcesses;
import io.clickflow.testing.ChildJob;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real crash: {@code clickflow route} in its own JVM is killed with SIGKILL while it routes (a transaction
 * open, more input arriving), more input arrives while it is down, and {@code --resume} finishes the work:
 * every destination topic read read_committed holds each of its records exactly once, in order per key.
 */
class RouteProcessCrashITCase {
    static final RouteTopics TOPICS = RouteTopics.of("crash.in", "crash.dead", "crash.to.");
    static final String INPUT = TOPICS.input();
    static final String DEAD_LETTERS = TOPICS.deadLetters();
    static final Map<String, String> TOPIC_BY_NAME = TOPICS.topicByName();
    static final int BEFORE_START = 3_000;
    static final int WHILE_RUNNING = 2_000;
    static final int WHILE_DOWN = 1_000;
    static final Duration FIRST_CHECKPOINT = Duration.ofSeconds(180);
    static final Duration CATCH_UP = Duration.ofSeconds(240);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @Test
    @Timeout(600)
    void killedWhileRoutingThenResumedDeliversEveryRecordExactlyOnce(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(4, INPUT);
        KAFKA.createTopics(2, TOPIC_BY_NAME.values().toArray(String[]::new));
        KAFKA.createTopics(1, DEAD_LETTERS);
        RouteTraffic traffic = new RouteTraffic(RouteKafkaITCase.traffic());
        List<RouteTraffic.Event> events = new ArrayList<>();
        produce(traffic, events, BEFORE_START);

        Path checkpoints = dir.resolve("checkpoints");
        List<String> args = new ArrayList<>(List.of("route"));
        args.addAll(TOPICS.args(KAFKA.bootstrapServers()));
        args.addAll(List.of(
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "1s", "--progress-interval", "0"));
        ChildJob crashing = ChildJob.start(dir.resolve("first.log"), withWebPort(args));
        Waits.until(
                () -> (ChildJob.hasCompletedCheckpoint(checkpoints) && committed(TOPIC_BY_NAME.get("FINANCE")) > 0)
                        || !crashing.isAlive(),
                FIRST_CHECKPOINT,
                "no checkpoint completed with routed records");
        assertThat(crashing.isAlive())
                .as("the first run is still running: " + crashing.output())
                .isTrue();
        produce(traffic, events, WHILE_RUNNING);
        assertThat(crashing.kill()).isEqualTo(137);
        long committedAtCrash = committedEverywhere();
        produce(traffic, events, WHILE_DOWN);

        List<String> resume = new ArrayList<>(withWebPort(args));
        resume.add("--resume");
        ChildJob resumed = ChildJob.start(dir.resolve("second.log"), resume);
        try {
            long total = TOPICS.expectedTotal(events);
            assertThat(committedAtCrash).as("killed mid-way").isLessThan(total);
            Waits.until(
                    () -> committedEverywhere() >= total || !resumed.isAlive(),
                    CATCH_UP,
                    "the resumed router did not deliver everything");
            assertThat(resumed.isAlive())
                    .as("the resumed job is running: " + resumed.output())
                    .isTrue();
        } finally {
            resumed.kill();
        }
        assertThat(resumed.output()).contains("Resuming from");
        BruteForceRouting.assertDelivered(KAFKA, events, TOPIC_BY_NAME, DEAD_LETTERS, INPUT);
    }

    private static void produce(RouteTraffic traffic, List<RouteTraffic.Event> events, int count) throws Exception {
        List<RouteTraffic.Event> batch = RouteKafkaITCase.events(traffic, count);
        KafkaTestBroker.produceRecords(
                KAFKA.bootstrapServers(), BruteForceRouting.records(INPUT, batch, events.size()));
        events.addAll(batch);
    }

    static List<String> withWebPort(List<String> args) throws Exception {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--web-port", Integer.toString(ChildProcesses.freePort())));
        return all;
    }

    private static long committed(String topic) {
        return KAFKA.readCommittedRecords(topic).size();
    }

    private static long committedEverywhere() {
        return TOPICS.committed(KAFKA::readCommittedRecords);
    }
}
