package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.Sketches;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.testing.PostgresTestServer;
import io.clickflow.testing.ResultTables;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replays generated analytics events (disorder, 5% historic events one to three hours old, malformed lines) from a
 * file through the whole pipeline on a MiniCluster (parallelism 2) into SQLite (and once into PostgreSQL), and
 * compares every hour with brute force: users exact (HLL within 3 standard errors), clicks and impressions exact,
 * every row final. The 24 h allowed lateness covers the historic events, so whichever of them arrive after their hour
 * closed must have corrected it.
 */
class AnalyticsFileReplayITCase {
    static final int EVENTS = 20_000;
    static final int MALFORMED_EVERY = 997;
    /** 00:55 on 2024-01-01: the replay crosses an hour. */
    static final long START = Instant.parse("2024-01-01T00:55:00Z").toEpochMilli();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    /** A row of hourly_stats. */
    record Row(long users, long clicks, long impressions, boolean isFinal) {}

    /** hourly_stats on PostgreSQL too: the same DDL and order-insensitive upsert, two parallel writers. */
    @RegisterExtension
    static final PostgresTestServer POSTGRES = new PostgresTestServer();

    @ParameterizedTest(name = "{0} count, {1}, {2} state, {3}")
    @CsvSource({
        "EXACT, UPDATE, hashmap, sqlite",
        "EXACT, ON_WATERMARK, rocksdb, sqlite",
        "HLL, UPDATE, rocksdb, sqlite",
        "HLL, ON_WATERMARK, hashmap, sqlite",
        "EXACT, UPDATE, rocksdb, postgresql"
    })
    @Timeout(300)
    void everyHourMatchesBruteForce(
            CountMode count, EmitMode emit, String stateBackend, String database, @TempDir Path dir) throws Exception {
        GeneratedAnalytics input = GeneratedAnalytics.generate(
                        count.ordinal() * 10 + emit.ordinal(), EVENTS, 3000, START, 50, 0.05, MALFORMED_EVERY)
                .writeFile(dir.resolve("events.jsonl.gz"));
        Database db = database.equals("postgresql")
                ? POSTGRES.newDatabase()
                : Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        db.createTables(AnalyticsTables.DDL);

        StreamExecutionEnvironment env = AttributionPipelines.environment(stateBackend);
        AnalyticsWorkflow.defineWorkflow(
                env,
                new AnalyticsWorkflow.Settings(
                        AnalyticsWorkflow.counting(count, 14, emit, Duration.ofMillis(200), Duration.ofHours(24)),
                        Duration.ofSeconds(5),
                        Duration.ZERO),
                Sources.file(input.file, new UserActionDecoder(), UserActionDecoder.TYPE),
                sinks(db));
        env.execute("analytics test");

        Map<String, AnalyticsTraffic.Hour> expected = input.perHour();
        Map<String, Row> table = hourlyStats(db);
        assertThat(table.keySet()).isEqualTo(expected.keySet());
        assertThat(expected).as("historic hours and the two current ones").hasSizeGreaterThanOrEqualTo(5);
        assertThat(table.values()).allMatch(Row::isFinal);
        double rse = Sketches.relativeStandardError(14);
        expected.forEach((hour, want) -> {
            Row row = table.get(hour);
            assertThat(row.clicks()).as(hour + " clicks").isEqualTo(want.clicks());
            assertThat(row.impressions()).as(hour + " impressions").isEqualTo(want.impressions());
            if (count == CountMode.EXACT) {
                assertThat(row.users()).as(hour + " users").isEqualTo(want.users());
            } else {
                assertThat((double) Math.abs(row.users() - want.users()))
                        .as(hour + " users")
                        .isLessThanOrEqualTo(3 * rse * want.users());
            }
        });
        assertThat(ResultTables.rejected(db).keySet())
                .isEqualTo(input.malformedPositions)
                .hasSize(EVENTS / MALFORMED_EVERY);
        assertThat(ResultTables.count(db, "late_events"))
                .as("the allowed lateness covers every historic event")
                .isZero();
    }

    static AnalyticsWorkflow.Sinks sinks(Database db) {
        int p = AttributionPipelines.PARALLELISM;
        return new AnalyticsWorkflow.Sinks(
                rows -> JdbcSinks.upsert(rows, AnalyticsTables.HOURLY, db, p),
                rejected -> JdbcSinks.upsert(rejected, DeadLetterTables.REJECTED, db, p),
                late -> JdbcSinks.upsert(late, DeadLetterTables.LATE, db, p));
    }

    /** hourly_stats by hour_start (as stored). */
    static Map<String, Row> hourlyStats(Database db) throws Exception {
        Map<String, Row> rows = new TreeMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT hour_start, unique_users, clicks, impressions, is_final FROM hourly_stats")) {
            while (rs.next()) {
                rows.put(rs.getString(1), new Row(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getInt(5) == 1));
            }
        }
        return rows;
    }
}
