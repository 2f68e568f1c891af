package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Stop with a savepoint at parallelism 2 in the middle of a replay, resume at 1 and at 4 (each from a
 * copy of the database as it was at the savepoint): both tables equal brute force. Operator uids and
 * keyed state redistribute; nothing is lost or doubled.
 */
class AttributionRescalingITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    @Test
    @Timeout(300)
    void aSavepointAtParallelism2ResumesAt1And4WithTheSameResult(@TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                        ClickstreamGenerator.Config.defaults()
                                .withSeed(31)
                                .withUsers(10_000)
                                .withEventsPerSecond(50)
                                .withClickRatio(0.15)
                                .withMaxDisorderMillis(4000)
                                .withMalformedFraction(0.001)
                                .withDuplicateFraction(0.01),
                        200_000)
                .writeFiles(dir.resolve("clicks.jsonl"), dir.resolve("page_views.jsonl"));
        Database db = AttributionPipelines.sqlite(dir);

        JobClient first = define(db, input, 2, null).executeAsync("attribution at parallelism 2");
        Waits.until(
                () -> ResultTables.rowsOrMinusOne(db) > 5_000, Duration.ofSeconds(120), "the first run wrote no rows");
        String savepoint = first.stopWithSavepoint(
                        false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get();
        long rowsAtSavepoint = ResultTables.rowsOrMinusOne(db);
        assertThat(rowsAtSavepoint).as("stopped mid-way").isLessThan(input.views.size() / 2);

        for (int parallelism : new int[] {1, 4}) {
            Database copy = ResultTables.copy(db, dir.resolve("p" + parallelism + ".db"));
            define(copy, input, parallelism, savepoint).execute("attribution resumed at parallelism " + parallelism);
            BruteForceAttribution.assertTableMatches(input, copy);
            assertThat(ResultTables.rejected(copy).keySet()).isEqualTo(input.malformedPositions);
        }
    }

    static StreamExecutionEnvironment define(Database db, GeneratedInput input, int parallelism, String savepoint) {
        StreamExecutionEnvironment env = AttributionPipelines.environment(parallelism, savepoint);
        AttributionWorkflow.defineWorkflow(
                env,
                AttributionPipelines.settings(EmitMode.UPDATE, Duration.ofSeconds(5), Duration.ZERO),
                Sources.file(input.clicksFile, new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.file(input.viewsFile, new PageViewDecoder(), PageViewDecoder.TYPE),
                AttributionJob.jdbcSinks(db, parallelism));
        return env;
    }
}
