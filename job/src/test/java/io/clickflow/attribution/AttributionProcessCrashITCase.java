package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ProcessCrash;
import io.clickflow.testing.ResultTables;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * A real crash: {@code clickflow attribution} runs in its own JVM, is killed with SIGKILL after at least
 * one checkpoint completed, and the same command with {@code --resume} finishes the work. The table
 * equals brute force over the whole input: nothing lost, nothing wrong.
 */
class AttributionProcessCrashITCase {
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
        Database db = ProcessCrash.of(dir, args, "attributed_page_views").run();
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
        ProcessCrash crash = ProcessCrash.of(dir, args, "attributed_page_views");
        Database db = crash.database();
        // The flush records arrive while the resumed job runs, as new events do in production: watermarks are not
        // in a checkpoint, so a partition read to its end before the crash has none until a new record comes.
        crash.onResumed(() -> KAFKA.produce(GeneratedInput.flushMessages(input, "crash_clicks", "crash_views", 3)))
                // Offsets are committed after a checkpoint completes, asynchronously: the first run may be killed
                // between the two, so the resumed run is done once its own checkpoint committed them too.
                .doneWhen(() -> ResultTables.finalRowsOrMinusOne(db) >= expectedViews
                        && KAFKA.committedOffsetsOrMinusOne("crash-test") > 0)
                .run();
        var rows = ResultTables.attributed(db);
        rows.keySet().removeIf(id -> id.startsWith(GeneratedInput.FLUSH_PREFIX));
        assertThat(ResultTables.count(db, "rejected_events")).isEqualTo(input.malformedCount());
        BruteForceAttribution.assertTableMatches(input, rows);
        assertThat(KAFKA.committedOffsets("crash-test"))
                .as("offsets committed to the group on checkpoints")
                .isPositive();
    }
}
