package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.Database;
import io.clickflow.testing.ChildJob;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A real crash: {@code clickflow attribution} runs in its own JVM, is killed with SIGKILL after at least
 * one checkpoint completed, and the same command with {@code --resume} finishes the work. The table
 * equals brute force over the whole input: nothing lost, nothing wrong.
 */
class ProcessCrashITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    static final int EVENTS = 150_000;

    static GeneratedInput input(long seed) {
        return GeneratedInput.generate(
                ClickstreamGenerator.Config.defaults()
                        .withSeed(seed)
                        .withUsers(20_000)
                        .withEventsPerSecond(100)
                        .withClickRatio(0.15)
                        .withMaxDisorderMillis(4000)
                        .withMalformedFraction(0.001)
                        .withDuplicateFraction(0.01),
                EVENTS);
    }

    @Test
    @Timeout(400)
    void killedInFileModeAndResumedGivesTheUninterruptedTable(@TempDir Path dir) throws Exception {
        GeneratedInput input = input(21).writeFiles(dir.resolve("clicks.jsonl"), dir.resolve("page_views.jsonl"));
        List<String> args = List.of(
                "attribution",
                "--clicks-file",
                input.clicksFile.toString(),
                "--page-views-file",
                input.viewsFile.toString(),
                "--emit-mode",
                "update");
        Database db = crashAndResume(dir, args);
        assertThat(ResultTables.rejected(db).keySet()).isEqualTo(input.malformedPositions);
        BruteForceAttribution.assertTableMatches(input, db);
    }

    /**
     * Unbounded, as a Kafka job runs in production (a restored bounded Kafka source never ends,
     * FLINK-31006). A last click and view per partition an hour later moves the watermark past all real
     * events; the resumed job is stopped once every page view has its final row.
     */
    @Test
    @Timeout(400)
    void killedInKafkaModeAndResumedGivesTheUninterruptedTable(@TempDir Path dir) throws Exception {
        GeneratedInput input = input(22);
        KAFKA.createTopics(3, "crash_clicks", "crash_views");
        KAFKA.produce(GeneratedInput.messages(input, "crash_clicks", "crash_views", 3));
        long expectedViews =
                input.views.stream().map(v -> v.pageViewId).distinct().count();
        List<String> args = List.of(
                "attribution",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--clicks-topic",
                "crash_clicks",
                "--page-views-topic",
                "crash_views",
                "--group-id",
                "crash-test",
                "--starting-offsets",
                "earliest",
                "--idle-timeout",
                "0",
                "--emit-mode",
                "on-watermark");
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        // The flush records arrive while the resumed job runs, as new events do in production: watermarks are not
        // in a checkpoint, so a partition read to its end before the crash has none until a new record comes.
        crashAndResume(
                dir,
                args,
                () -> KAFKA.produce(GeneratedInput.flushMessages(input, "crash_clicks", "crash_views", 3)),
                () -> ResultTables.finalRowsOrMinusOne(db) >= expectedViews);
        var rows = ResultTables.attributed(db);
        rows.keySet().removeIf(id -> id.startsWith(GeneratedInput.FLUSH_PREFIX));
        assertThat(ResultTables.count(db, "rejected_events")).isEqualTo(input.malformedCount());
        BruteForceAttribution.assertTableMatches(input, rows);
        assertThat(KAFKA.committedOffsets("crash-test"))
                .as("offsets committed to the group on checkpoints")
                .isPositive();
    }

    /** What a test does once the resumed job is started. */
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static Database crashAndResume(Path dir, List<String> jobArgs) throws Exception {
        return crashAndResume(dir, jobArgs, () -> {}, null);
    }

    /**
     * Runs the command, SIGKILLs it once rows are written and a checkpoint completed after them, runs it again with
     * --resume to the end.
     */
    static Database crashAndResume(Path dir, List<String> jobArgs, ThrowingRunnable onResumed, BooleanSupplier doneWhen)
            throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        List<String> common = new ArrayList<>(jobArgs);
        common.addAll(List.of(
                "--jdbc-url",
                "jdbc:sqlite:" + dir.resolve("clickflow.db"),
                "--checkpoint-dir",
                checkpoints.toString(),
                "--checkpoint-interval",
                "1s",
                "--progress-interval",
                "0"));

        long rowsAtCrash;
        List<String> first = new ArrayList<>(common);
        first.addAll(List.of("--web-port", Integer.toString(ChildJob.freePort())));
        try (ChildJob crashing = ChildJob.start(dir.resolve("first.log"), first)) {
            // Killed mid-way: after rows are in the table and a checkpoint completed after them, so the restored
            // state, offsets and the rows already written must agree.
            Waits.until(
                    () -> ResultTables.rowsOrMinusOne(db) > 0 || !crashing.isAlive(),
                    Duration.ofSeconds(180),
                    "no rows written");
            long beforeRows = ChildJob.newestCompletedCheckpoint(checkpoints);
            Waits.until(
                    () -> ChildJob.newestCompletedCheckpoint(checkpoints) > beforeRows || !crashing.isAlive(),
                    Duration.ofSeconds(180),
                    "no checkpoint completed after the first rows");
            assertThat(crashing.isAlive())
                    .as("the first run must still be running when it is killed")
                    .isTrue();
            assertThat(crashing.kill()).isEqualTo(137);
            rowsAtCrash = ResultTables.count(db, "attributed_page_views");
        }
        List<String> second = new ArrayList<>(common);
        second.addAll(List.of("--resume", "--web-port", Integer.toString(ChildJob.freePort())));
        try (ChildJob resumed = ChildJob.start(dir.resolve("second.log"), second)) {
            onResumed.run();
            if (doneWhen == null) {
                assertThat(resumed.waitFor(300)).as(resumed.output()).isZero();
            } else {
                Waits.until(
                        () -> doneWhen.getAsBoolean() || !resumed.isAlive(),
                        Duration.ofSeconds(300),
                        "the resumed job did not complete");
                assertThat(resumed.isAlive())
                        .as("the resumed job is still running: " + resumed.output())
                        .isTrue();
                resumed.kill();
            }
            assertThat(resumed.output()).contains("Resuming from");
            long rowsAtEnd = ResultTables.count(db, "attributed_page_views");
            System.out.println(
                    "ProcessCrashITCase: " + rowsAtCrash + " rows at the crash, " + rowsAtEnd + " at the end");
            assertThat(rowsAtCrash).as("killed mid-way").isPositive().isLessThan(rowsAtEnd);
        }
        return db;
    }
}
