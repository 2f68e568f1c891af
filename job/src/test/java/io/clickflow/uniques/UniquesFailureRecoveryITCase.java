package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UniquesTables;
import io.clickflow.testing.CheckpointGatedSource;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The uniques job failing in the middle of its input, after a checkpoint holding real state: it restarts
 * from that checkpoint (sets or sketches, pending timers, file positions) and the final table equals brute
 * force, as a failure-free run would leave it.
 */
class UniquesFailureRecoveryITCase {
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
    static final int FRAMES = 12_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    /** Decodes frames, and throws once per JVM at the n-th frame of the first attempt: the job fails there. */
    static final class FailingFrameDecoder extends JsonEventDecoder<Frame> {
        private static final long serialVersionUID = 1L;
        static final AtomicInteger THROWN = new AtomicInteger();
        private final int failAt;
        private transient int decoded;

        FailingFrameDecoder(int failAt) {
            super(FrameDecoder.STREAM, TimeField.TS, "uid"); // as FrameDecoder
            this.failAt = failAt;
        }

        @Override
        protected Frame build(String[] ids, long eventTime) {
            if (++decoded == failAt && THROWN.compareAndSet(0, 1)) {
                // An Error: the decoder turns exceptions into rejections, which is what bad input gets.
                throw new AssertionError("injected failure at frame " + decoded);
            }
            return new Frame(ids[0], eventTime);
        }
    }

    @ParameterizedTest(name = "{0} count, {1}")
    @CsvSource({"EXACT, UPDATE", "HLL, ON_WATERMARK"})
    @Timeout(180)
    void theTableAfterAFailureEqualsTheFailureFreeResult(CountMode count, EmitMode emit, @TempDir Path dir)
            throws Exception {
        GeneratedFrames input = GeneratedFrames.generate(
                        5,
                        FRAMES,
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
        CountingSettings counting = new CountingSettings(
                UniquesWorkflow.windowKeys(WINDOWS, count),
                count,
                14,
                emit,
                Duration.ofMillis(100),
                Duration.ofMinutes(1));

        StreamExecutionEnvironment env = AttributionPipelines.withFileCheckpoints(
                AttributionPipelines.withFixedDelayRestarts(
                        AttributionPipelines.environment(), 3, Duration.ofMillis(100)),
                dir.resolve("checkpoints"),
                Duration.ofMillis(100));
        FailingFrameDecoder.THROWN.set(0);
        // The source waits for a completed checkpoint after 4,000 frames; the failure comes at the 7,000th.
        UniquesWorkflow.defineWorkflow(
                env,
                new UniquesWorkflow.Settings(counting, Duration.ofSeconds(5), Duration.ZERO),
                new CheckpointGatedSource<>(
                        Sources.file(input.file, new FailingFrameDecoder(7_000), FrameDecoder.TYPE), 4_000),
                new UniquesWorkflow.Sinks(
                        rows -> JdbcSinks.upsert(
                                rows, UniquesTables.UNIQUE_USERS, db, AttributionPipelines.PARALLELISM),
                        rejected -> JdbcSinks.upsert(
                                rejected, DeadLetterTables.REJECTED, db, AttributionPipelines.PARALLELISM),
                        late -> JdbcSinks.upsert(late, DeadLetterTables.LATE, db, AttributionPipelines.PARALLELISM)));
        env.execute("uniques with an injected failure");

        assertThat(FailingFrameDecoder.THROWN.get()).as("injected failures").isEqualTo(1);
        Map<String, Long> expected = input.distinctUsers(WINDOWS);
        Map<String, ResultTables.UniqueUsersRow> table = ResultTables.uniqueUsers(db);
        assertThat(table.keySet()).isEqualTo(expected.keySet());
        assertThat(table.values()).allMatch(ResultTables.UniqueUsersRow::isFinal);
        expected.forEach((window, users) -> {
            long got = table.get(window).uniqueUsers();
            if (count == CountMode.EXACT) {
                assertThat(got).as(window).isEqualTo(users);
            } else {
                assertThat((double) Math.abs(got - users)).as(window).isLessThanOrEqualTo(0.03 * users);
            }
        });
        assertThat(ResultTables.rejected(db).keySet()).isEqualTo(input.malformedPositions);
        assertThat(ResultTables.count(db, "late_events")).isZero();
    }
}
