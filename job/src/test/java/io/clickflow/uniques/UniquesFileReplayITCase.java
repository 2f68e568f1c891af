package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.Sketches;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UniquesTables;
import io.clickflow.testing.ResultTables;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Replays generated frames (2 KB, decoys, escapes, disorder, malformed lines, frames minutes late) from a
 * file through the whole pipeline into SQLite, and compares every window with brute force: exact counts
 * equal, HLL counts within their error. The allowed lateness covers the late frames, so whichever of them
 * arrive after their window closed must have corrected it: the final table is the same either way.
 */
class UniquesFileReplayITCase {
    static final int FRAMES = 20_000;
    static final int LATE_EVERY = 400;
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
    /** 00:55 on 2024-01-01: the replay crosses an hour. */
    static final long START_SECONDS = Instant.parse("2024-01-01T00:55:00Z").getEpochSecond();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @ParameterizedTest(name = "{0} count, {1}, {2} state (update: a folder of 5 files)")
    @CsvSource({
        "EXACT, ON_WATERMARK, hashmap",
        "EXACT, UPDATE, rocksdb",
        "HLL, ON_WATERMARK, rocksdb",
        "HLL, UPDATE, hashmap"
    })
    @Timeout(300)
    void everyWindowMatchesBruteForce(CountMode count, EmitMode emit, String stateBackend, @TempDir Path dir)
            throws Exception {
        GeneratedFrames input = GeneratedFrames.generate(
                count.ordinal() * 10 + emit.ordinal(),
                FRAMES,
                3000,
                START_SECONDS,
                50,
                4,
                LATE_EVERY,
                Duration.ofMinutes(3),
                997);
        // One file, or a folder of files read in parallel (rejections positioned in their own file).
        if (emit == EmitMode.UPDATE) {
            input.writeFolder(dir.resolve("frames"), 5);
        } else {
            input.writeFile(dir.resolve("frames.jsonl.gz"));
        }
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        db.createTables(UniquesTables.DDL);
        CountingSettings counting = new CountingSettings(
                UniquesWorkflow.windowKeys(WINDOWS, count),
                count,
                14,
                emit,
                Duration.ofMillis(200),
                Duration.ofHours(1));

        StreamExecutionEnvironment env = AttributionPipelines.environment(stateBackend);
        UniquesWorkflow.defineWorkflow(
                env,
                new UniquesWorkflow.Settings(counting, Duration.ofSeconds(5), Duration.ZERO),
                Sources.file(input.file, new FrameDecoder(), FrameDecoder.TYPE),
                new UniquesWorkflow.Sinks(
                        rows -> JdbcSinks.upsert(
                                rows, UniquesTables.UNIQUE_USERS, db, AttributionPipelines.PARALLELISM),
                        rejected -> JdbcSinks.upsert(
                                rejected, DeadLetterTables.REJECTED, db, AttributionPipelines.PARALLELISM),
                        late -> JdbcSinks.upsert(late, DeadLetterTables.LATE, db, AttributionPipelines.PARALLELISM)));
        env.execute("uniques test");

        Map<String, Long> expected = input.distinctUsers(WINDOWS);
        Map<String, ResultTables.UniqueUsersRow> table = ResultTables.uniqueUsers(db);
        assertThat(table.keySet()).isEqualTo(expected.keySet());
        assertThat(expected.keySet()).filteredOn(k -> k.startsWith("3600s")).hasSize(2);
        assertThat(table.values()).allMatch(ResultTables.UniqueUsersRow::isFinal);
        double rse = Sketches.relativeStandardError(14);
        expected.forEach((window, users) -> {
            ResultTables.UniqueUsersRow row = table.get(window);
            if (count == CountMode.EXACT) {
                assertThat(row.uniqueUsers()).as(window).isEqualTo(users);
                assertThat(row.lowerBound()).isEqualTo(users);
                assertThat(row.upperBound()).isEqualTo(users);
            } else {
                assertThat((double) Math.abs(row.uniqueUsers() - users))
                        .as(window)
                        .isLessThanOrEqualTo(3 * rse * users);
            }
        });
        assertThat(ResultTables.rejected(db).keySet())
                .isEqualTo(input.malformedPositions)
                .hasSize(FRAMES / 997);
        assertThat(ResultTables.count(db, "late_events"))
                .as("the allowed lateness covers every late frame")
                .isZero();
    }
}
