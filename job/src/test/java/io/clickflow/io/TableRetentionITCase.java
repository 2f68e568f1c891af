package io.clickflow.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.HourlyStats;
import io.clickflow.testing.PostgresTestServer;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --retention} on a real database: the sink deletes exactly the rows whose time column is more than the
 * retention behind the watermark, leaves every newer row alone (the boundary row included), works off a backlog
 * in batches, and never ages rows by the final watermark of a bounded input.
 */
class TableRetentionITCase {
    static final long DAY_ONE = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    static final long HOUR = 3_600_000L;
    static final int DAYS = 3;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @RegisterExtension
    static final PostgresTestServer POSTGRES = new PostgresTestServer();

    /** Each row's watermark is its hour's end: the sink sees the watermark move an hour per row. */
    static final class HourEndWatermarks implements WatermarkGenerator<HourlyStats> {
        @Override
        public void onEvent(HourlyStats row, long eventTimestamp, WatermarkOutput output) {
            output.emitWatermark(new Watermark(row.hourEnd));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    @Timeout(180)
    void deletesRowsOlderThanTheRetentionBehindTheWatermarkAndNothingNewer(String database, @TempDir Path dir)
            throws Exception {
        Database db = database(database, dir);
        List<HourlyStats> rows = new ArrayList<>();
        for (int h = 0; h < DAYS * 24; h++) {
            rows.add(new HourlyStats(DAY_ONE + h * HOUR, h, h, h, true));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        var stream = env.fromData(TypeInformation.of(HourlyStats.class), rows.toArray(HourlyStats[]::new))
                .assignTimestampsAndWatermarks(WatermarkStrategy.<HourlyStats>forGenerator(c -> new HourEndWatermarks())
                        .withTimestampAssigner((row, t) -> row.hourStart))
                .setParallelism(1); // one watermark sequence, so the last one before the end of input is known

        Duration retention = Duration.ofDays(1);
        stream.sinkTo(new BatchingJdbcSink<>(
                        db,
                        AnalyticsTables.HOURLY,
                        JdbcSinks.BATCH_SIZE,
                        50,
                        0,
                        TableRetention.of(AnalyticsTables.HOURLY, retention, db),
                        0))
                .setParallelism(1);
        env.execute("retention");

        // The last watermark before the end of input is the last hour's end: 2024-03-04T00:00. Kept: every hour
        // ending at or after 2024-03-03T00:00, the row ending exactly there included; the final watermark of the
        // bounded input ages nothing.
        long lastWatermark = DAY_ONE + DAYS * 24 * HOUR;
        long cutoff = lastWatermark - retention.toMillis();
        List<String> expected = new ArrayList<>();
        for (HourlyStats row : rows) {
            if (row.hourEnd >= cutoff) {
                expected.add(EventTimes.format(row.hourStart));
            }
        }
        assertThat(expected).hasSize(25).first().isEqualTo("2024-03-02T23:00:00.000Z");
        assertThat(hourStarts(db)).containsExactlyElementsOf(expected);
    }

    @Test
    @Timeout(60)
    void worksOffABacklogInBatchesAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Database db = database("sqlite", dir);
        int old = TableRetention.BATCH_ROWS * 2 + 500;
        int young = 300;
        try (Connection c = db.connect();
                PreparedStatement insert = c.prepareStatement(AnalyticsTables.HOURLY.upsert())) {
            c.setAutoCommit(false);
            for (int i = 0; i < old + young; i++) {
                // Millisecond-apart "hours" are enough for aging: only hour_end is compared.
                HourlyStats row = new HourlyStats(DAY_ONE + i, 1, 1, 1, true);
                row.hourEnd = DAY_ONE + i;
                AnalyticsTables.HOURLY.binder().bind(insert, row);
                insert.addBatch();
            }
            insert.executeBatch();
            c.commit();
            TableRetention retention = TableRetention.of(AnalyticsTables.HOURLY, Duration.ofMinutes(1), db);
            String cutoff =
                    retention.cutoff(DAY_ONE + old + Duration.ofMinutes(1).toMillis());
            assertThat(cutoff).isEqualTo(EventTimes.format(DAY_ONE + old));
            assertThat(retention.deleteOlderThan(c, cutoff)).isEqualTo(old);
            assertThat(retention.deleteOlderThan(c, cutoff)).isZero();
            assertThat(retention.cutoff(Long.MAX_VALUE)).isNull();
            assertThat(retention.cutoff(Long.MIN_VALUE)).isNull();
        }
        assertThat(hourStarts(db)).hasSize(young).first().isEqualTo(EventTimes.format(DAY_ONE + old));
    }

    @Test
    void tablesWithoutATimeColumnOrWithoutRetentionAreKeptWhole() {
        Database db = Database.of("jdbc:sqlite::memory:");
        assertThat(TableRetention.of(io.clickflow.tables.DeadLetterTables.REJECTED, Duration.ofDays(1), db))
                .isNull();
        assertThat(TableRetention.of(AnalyticsTables.HOURLY, null, db)).isNull();
    }

    private static Database database(String kind, Path dir) throws Exception {
        Database db = kind.equals("postgresql")
                ? POSTGRES.newDatabase()
                : Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        db.createTables(AnalyticsTables.DDL);
        return db;
    }

    private static List<String> hourStarts(Database db) throws Exception {
        List<String> starts = new ArrayList<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT hour_start FROM hourly_stats ORDER BY hour_start")) {
            while (rs.next()) {
                starts.add(rs.getString(1));
            }
        }
        return starts;
    }
}
