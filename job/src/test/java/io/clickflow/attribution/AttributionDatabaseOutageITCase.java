package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

/**
 * Another writer holds SQLite's write lock while the job runs: shorter than the busy timeout the writes
 * wait; longer, they fail, are retried and the job restarts from its checkpoint. Either way the table
 * ends exactly as brute force says: nothing lost, nothing doubled.
 */
class AttributionDatabaseOutageITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @ParameterizedTest(name = "lock held {0} s, busy timeout {1} ms")
    @CsvSource({"4, 30000", "8, 300"})
    @Timeout(300)
    void aLockedDatabaseDelaysButNeverCorruptsTheTable(int lockSeconds, int busyTimeoutMillis, @TempDir Path dir)
            throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                        ClickstreamGenerator.Config.defaults()
                                .withSeed(51 + lockSeconds)
                                .withUsers(5000)
                                .withEventsPerSecond(30)
                                .withClickRatio(0.15)
                                .withMaxDisorderMillis(4000)
                                .withMalformedFraction(0.002)
                                .withDuplicateFraction(0.01),
                        150_000)
                .writeFiles(dir.resolve("clicks.jsonl"), dir.resolve("page_views.jsonl"));
        Path file = dir.resolve("clickflow.db");
        Database db = Database.of(
                "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=" + busyTimeoutMillis);
        db.createTables(AttributionTables.DDL);

        StreamExecutionEnvironment env = AttributionPipelines.withFixedDelayRestarts(
                AttributionPipelines.environment(), 20, Duration.ofSeconds(1));
        AttributionWorkflow.defineWorkflow(
                env,
                AttributionPipelines.settings(EmitMode.UPDATE, Duration.ofSeconds(5), Duration.ZERO),
                Sources.file(input.clicksFile, new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.file(input.viewsFile, new PageViewDecoder(), PageViewDecoder.TYPE),
                AttributionJob.jdbcSinks(db, AttributionPipelines.PARALLELISM));
        JobClient job = env.executeAsync("attribution through a locked database");

        Waits.until(() -> ResultTables.rowsOrMinusOne(db) > 2000, Duration.ofSeconds(120), "no rows before the lock");
        long rowsWhenLocked;
        try (Connection other = Database.of("jdbc:sqlite:" + file).connect();
                Statement s = other.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
            rowsWhenLocked = countWith(s);
            Waits.outageOf(Duration.ofSeconds(lockSeconds));
            assertThat(countWith(s))
                    .as("nothing was written while the lock was held")
                    .isEqualTo(rowsWhenLocked);
            s.execute("COMMIT");
        }
        job.getJobExecutionResult().get();

        assertThat(rowsWhenLocked).as("locked mid-way").isLessThan(input.views.size());
        BruteForceAttribution.assertTableMatches(input, db);
        assertThat(ResultTables.rejected(db).keySet()).isEqualTo(input.malformedPositions);
    }

    static long countWith(Statement s) throws Exception {
        try (var rs = s.executeQuery("SELECT COUNT(*) FROM attributed_page_views")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
