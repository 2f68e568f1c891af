package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.CountMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The uniques job in Kafka mode (wired from its command line, exact, exactly-once output topic) stopped with a
 * savepoint at parallelism 2 once half the frames were counted; the other half arrives after the savepoint. Resumed
 * at 1 (in update mode, with a longer allowed lateness) and at 4, each from a copy of the database as it was at the
 * savepoint: the table, and the output topic's last record of every window (read {@code read_committed}), equal
 * brute force. Resumed with other windows, the same savepoint is refused at submission instead of being counted as
 * the wrong windows.
 */
class UniquesRescalingITCase {
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
    static final long START_SECONDS = Instant.parse("2024-01-01T00:58:00Z").getEpochSecond();
    static final int PARTITIONS = 3;
    static final int FRAMES = 12_000;
    static final int MALFORMED_EVERY = 1000;
    static final String FRAMES_TOPIC = "rescale-frames";
    static final String OUTPUT_TOPIC = "rescale-unique-users";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    @Test
    @Timeout(300)
    void aSavepointResumesAt1And4AndIsRefusedForOtherWindows(@TempDir Path dir) throws Exception {
        GeneratedFrames input =
                GeneratedFrames.generate(77, FRAMES, 2000, START_SECONDS, 40, 3, 0, Duration.ZERO, MALFORMED_EVERY);
        long started = System.nanoTime();
        int half = input.lines.size() / 2;
        KAFKA.createTopics(PARTITIONS, FRAMES_TOPIC, OUTPUT_TOPIC);
        KAFKA.produce(input.messages(FRAMES_TOPIC, PARTITIONS, 0, half));
        Map<String, Long> expected = input.distinctUsers(WINDOWS);
        long flush = input.flushStartSeconds();

        Path first = dir.resolve("first.db");
        JobClient running =
                define(first, "1m,1h", "on-watermark", "1m", "0", 2, null).executeAsync("uniques at 2");
        Database db = Database.of("jdbc:sqlite:" + first);
        Waits.until(
                () -> UniquesResults.finalRowsOrMinusOne(db, flush) > 0,
                Duration.ofSeconds(90),
                "the first run wrote no final row");
        String savepoint = running.stopWithSavepoint(
                        false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        System.out.printf("UniquesRescalingITCase: savepoint after %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertThat(UniquesResults.finalRowsOrMinusOne(db, flush))
                .as("stopped mid-way")
                .isLessThan(expected.size());
        List<KafkaTestBroker.Message> rest =
                new ArrayList<>(input.messages(FRAMES_TOPIC, PARTITIONS, half, input.lines.size()));
        rest.addAll(input.flushMessages(FRAMES_TOPIC, PARTITIONS));
        KAFKA.produce(rest);

        // Unbounded, as a restored Kafka job must be (FLINK-31006): each resumed run is cancelled once it is exact.
        for (int parallelism : new int[] {1, 4}) {
            Path copy = dir.resolve("p" + parallelism + ".db");
            Database resumed = ResultTables.copy(db, copy);
            String emit = parallelism == 1 ? "update" : "on-watermark";
            String lateness = parallelism == 1 ? "2m" : "1m";
            // At 4 one source subtask reads no partition of the 3: with --idle-timeout 0 it holds the watermark
            // back for good, and nothing after the savepoint became final (seen here).
            String idle = parallelism == 4 ? "2s" : "0";
            JobClient job = define(copy, "1m,1h", emit, lateness, idle, parallelism, savepoint)
                    .executeAsync("uniques resumed at " + parallelism);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            try {
                // Until exact or the deadline: then the assertions below say what differs.
                Waits.until(
                        () -> (UniquesResults.tableMatches(resumed, flush, expected, CountMode.EXACT)
                                        && UniquesResults.topicMatches(
                                                KAFKA.readCommitted(OUTPUT_TOPIC), flush, expected, CountMode.EXACT))
                                || System.nanoTime() > deadline,
                        Duration.ofSeconds(130),
                        "polling stopped");
            } finally {
                job.cancel().get();
            }
            System.out.printf(
                    "UniquesRescalingITCase: resumed at %d, exact after %d ms%n",
                    parallelism, (System.nanoTime() - started) / 1_000_000);
            Map<String, ResultTables.UniqueUsersRow> table = UniquesResults.table(resumed, flush);
            assertThat(UniquesResults.mismatch(UniquesResults.finalCounts(table), expected, CountMode.EXACT))
                    .as("the table resumed at parallelism " + parallelism)
                    .isNull();
            assertThat(table.values()).allMatch(ResultTables.UniqueUsersRow::isFinal);
            assertThat(UniquesResults.mismatch(
                            UniquesResults.finalCountsInTopic(KAFKA.readCommitted(OUTPUT_TOPIC), flush),
                            expected,
                            CountMode.EXACT))
                    .as("the output topic after the run resumed at parallelism " + parallelism)
                    .isNull();
            assertThat(ResultTables.count(resumed, "rejected_events")).isEqualTo(FRAMES / MALFORMED_EVERY);
        }

        Path otherWindows = dir.resolve("other-windows.db");
        ResultTables.copy(db, otherWindows);
        assertThatThrownBy(() -> define(otherWindows, "1m", "on-watermark", "1m", "0", 1, savepoint)
                        .executeAsync("uniques with other windows")
                        .getJobExecutionResult()
                        .get(60, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("Cannot map checkpoint/savepoint state for operator"));
        System.out.printf("UniquesRescalingITCase: refused after %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    static StreamExecutionEnvironment define(
            Path database,
            String windows,
            String emitMode,
            String lateness,
            String idleTimeout,
            int parallelism,
            String savepoint)
            throws Exception {
        UniquesOptions options = UniquesCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--frames-topic",
                FRAMES_TOPIC,
                "--group-id",
                "rescale-test",
                "--starting-offsets",
                "earliest",
                "--idle-timeout",
                idleTimeout,
                "--windows",
                windows,
                "--count",
                "exact",
                "--emit-mode",
                emitMode,
                "--update-interval",
                "100ms",
                "--allowed-lateness",
                lateness,
                "--output-topic",
                OUTPUT_TOPIC,
                "--output-delivery",
                "exactly-once",
                "--jdbc-url",
                "jdbc:sqlite:" + database);
        StreamExecutionEnvironment env = AttributionPipelines.environment(parallelism, savepoint);
        UniquesJob.build(env, options);
        return env;
    }
}
