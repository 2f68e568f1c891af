package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.Database;
import io.clickflow.testing.CheckpointGatedSource;
import io.clickflow.testing.InjectedFailure;
import io.clickflow.testing.ResultTables;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * Failures thrown into the running pipeline at seeded points, before and after checkpoints, twice per
 * run: the job restarts from its last checkpoint and the final table equals brute force (= a
 * failure-free run), row for row, in both emit modes.
 */
class AttributionFailureRecoveryITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @ParameterizedTest(name = "{0} mode, seed {1}, after a checkpoint: {2}")
    @CsvSource({
        "ON_WATERMARK, 1, true", "ON_WATERMARK, 2, true", "ON_WATERMARK, 3, false",
        "UPDATE, 1, true", "UPDATE, 2, true", "UPDATE, 3, false"
    })
    @Timeout(180)
    void theTableAfterInjectedFailuresEqualsTheFailureFreeResult(
            EmitMode mode, long seed, boolean afterCheckpoint, @TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                        ClickstreamGenerator.Config.defaults()
                                .withSeed(seed)
                                .withUsers(2000)
                                .withEventsPerSecond(20)
                                .withClickRatio(0.15)
                                .withMaxDisorderMillis(4000)
                                .withMalformedFraction(0.002)
                                .withDuplicateFraction(0.01),
                        40_000)
                .writeFiles(dir.resolve("clicks.jsonl"), dir.resolve("page_views.jsonl"));
        Database db = AttributionPipelines.sqlite(dir);
        long failAfter = 1_000 + new Random(seed).nextInt(5_000);

        StreamExecutionEnvironment env = AttributionPipelines.withFileCheckpoints(
                AttributionPipelines.withFixedDelayRestarts(
                        AttributionPipelines.environment(), 5, Duration.ofMillis(100)),
                dir.resolve("checkpoints"),
                Duration.ofMillis(100));
        AttributionWorkflow.Sinks jdbc = AttributionJob.jdbcSinks(db, AttributionPipelines.PARALLELISM);
        AttributionWorkflow.Sinks failing = new AttributionWorkflow.Sinks(
                rows -> jdbc.attributed()
                        .accept(rows.map(new InjectedFailure<AttributedPageView>(failAfter, 2, afterCheckpoint))
                                .returns(TypeInformation.of(AttributedPageView.class))
                                .name("injected failure")),
                jdbc.rejected(),
                jdbc.late());
        // "After a checkpoint": the sources wait for a completed checkpoint a quarter into their input,
        // so one exists (holding real state) before the failure point, however busy the machine.
        long gate = afterCheckpoint ? 5_000 : Long.MAX_VALUE;
        AttributionWorkflow.defineWorkflow(
                env,
                AttributionPipelines.settings(mode, Duration.ofSeconds(5), Duration.ZERO),
                new CheckpointGatedSource<>(
                        Sources.file(input.clicksFile, new AdClickDecoder(), AdClickDecoder.TYPE), gate / 5),
                new CheckpointGatedSource<>(
                        Sources.file(input.viewsFile, new PageViewDecoder(), PageViewDecoder.TYPE), gate),
                failing);
        InjectedFailure.THROWN.set(0);
        env.execute("attribution with injected failures");

        assertThat(InjectedFailure.THROWN.get()).as("injected failures").isBetween(1, 2);
        BruteForceAttribution.assertTableMatches(input, db);
        assertThat(ResultTables.rejected(db).keySet()).isEqualTo(input.malformedPositions);
        assertThat(ResultTables.count(db, "late_events")).isZero();
    }
}
