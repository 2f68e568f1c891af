package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UniquesTables;
import io.clickflow.testing.CheckpointGatedSource;
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
import java.util.List;
import java.util.Map;

/**
 * The uniques job stopped with a savepoint in the middle of its input at parallelism 2, resumed at 1
 * with another emit mode and a longer allowed lateness: the table equals brute force. Resumed with other
 * windows, the same savepoint is refused at submission instead of being counted as the wrong windows.
 */
class UniquesRescalingITCase {
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    @Test
    @Timeout(180)
    void aSavepointResumesAtAnotherParallelismAndIsRefusedForOtherWindows(@TempDir Path dir) throws Exception {
        GeneratedFrames input = GeneratedFrames.generate(
                        77,
                        12_000,
                        2000,
                        Instant.parse("2024-01-01T00:58:00Z").getEpochSecond(),
                        40,
                        3,
                        0,
                        Duration.ZERO,
                        1000)
                .writeFile(dir.resolve("frames.jsonl"));
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        db.createTables(UniquesTables.DDL);

        // No checkpoint comes on its own (1 h): the source holds after 4,000 frames until the savepoint.
        StreamExecutionEnvironment first =
                define(db, input, WINDOWS, EmitMode.ON_WATERMARK, Duration.ofMinutes(1), 2, null, 4_000);
        AttributionPipelines.withFileCheckpoints(first, dir.resolve("checkpoints"), Duration.ofHours(1));
        JobClient running = first.executeAsync("uniques at parallelism 2");
        Waits.until(() -> rowsOrMinusOne(db) > 0, Duration.ofSeconds(90), "the first run wrote no rows");
        String savepoint = running.stopWithSavepoint(
                        false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        long windowsAtSavepoint = rowsOrMinusOne(db);
        Map<String, Long> expected = input.distinctUsers(WINDOWS);
        assertThat(windowsAtSavepoint).as("stopped mid-way").isLessThan(expected.size());

        Database resumed = ResultTables.copy(db, dir.resolve("resumed.db"));
        define(resumed, input, WINDOWS, EmitMode.UPDATE, Duration.ofMinutes(2), 1, savepoint, Long.MAX_VALUE)
                .execute("uniques resumed at parallelism 1");
        Map<String, ResultTables.UniqueUsersRow> table = ResultTables.uniqueUsers(resumed);
        assertThat(table.keySet()).isEqualTo(expected.keySet());
        expected.forEach((window, users) ->
                assertThat(table.get(window).uniqueUsers()).as(window).isEqualTo(users));
        assertThat(table.values()).allMatch(ResultTables.UniqueUsersRow::isFinal);
        assertThat(ResultTables.rejected(resumed).keySet()).isEqualTo(input.malformedPositions);

        Database otherWindows = ResultTables.copy(db, dir.resolve("other-windows.db"));
        assertThatThrownBy(() -> define(
                                otherWindows,
                                input,
                                List.of(Duration.ofMinutes(1)),
                                EmitMode.ON_WATERMARK,
                                Duration.ofMinutes(1),
                                1,
                                savepoint,
                                Long.MAX_VALUE)
                        .execute("uniques with other windows"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("Cannot map checkpoint/savepoint state for operator"));
    }

    static StreamExecutionEnvironment define(
            Database db,
            GeneratedFrames input,
            List<Duration> windows,
            EmitMode emit,
            Duration lateness,
            int parallelism,
            String savepoint,
            long holdAfter) {
        StreamExecutionEnvironment env = AttributionPipelines.environment(parallelism, savepoint);
        CountingSettings counting = new CountingSettings(
                UniquesWorkflow.windowKeys(windows, CountMode.EXACT),
                CountMode.EXACT,
                14,
                emit,
                Duration.ofMillis(100),
                lateness);
        UniquesWorkflow.defineWorkflow(
                env,
                new UniquesWorkflow.Settings(counting, Duration.ofSeconds(5), Duration.ZERO),
                new CheckpointGatedSource<>(Sources.file(input.file, new FrameDecoder(), FrameDecoder.TYPE), holdAfter),
                new UniquesWorkflow.Sinks(
                        rows -> JdbcSinks.upsert(rows, UniquesTables.UNIQUE_USERS, db, parallelism),
                        rejected -> JdbcSinks.upsert(rejected, DeadLetterTables.REJECTED, db, parallelism),
                        late -> JdbcSinks.upsert(late, DeadLetterTables.LATE, db, parallelism)));
        return env;
    }

    static long rowsOrMinusOne(Database db) {
        try {
            return ResultTables.count(db, "unique_users");
        } catch (Exception e) {
            return -1;
        }
    }
}
