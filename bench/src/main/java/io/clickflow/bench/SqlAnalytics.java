package io.clickflow.bench;

import io.clickflow.analytics.AnalyticsOptions;
import io.clickflow.analytics.UserAction;
import io.clickflow.analytics.UserActionDecoder;
import io.clickflow.io.JdbcSinks;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.HourlyStats;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The analytics peer: per UTC hour the distinct users, clicks and impressions in Flink SQL, {@code COUNT(DISTINCT
 * user)} and two filtered {@code COUNT(*)} over a one-hour {@code TUMBLE}, one final row when the watermark closes
 * the hour. Everything around the rule is clickflow's own (the same file or Kafka source, decoder, per-split
 * watermarks, rejected-records sink and JDBC upsert sink into {@code hourly_stats}), so only the counting differs.
 * What the SQL does not do that the job does: it has no allowed lateness for window aggregations (an event behind
 * the watermark is dropped, where clickflow corrects its hour for --allowed-lateness), it counts an event sent twice
 * with the same idempotency key twice (clickflow once), it writes no provisional rows (clickflow's update mode), and
 * it answers no fresh reads (their fences are left out of the count, as clickflow does).
 */
final class SqlAnalytics {
    private SqlAnalytics() {}

    static final String QUERY = """
            SELECT window_start,
                COUNT(DISTINCT `user`) AS users,
                COUNT(*) FILTER (WHERE click) AS clicks,
                COUNT(*) FILTER (WHERE NOT click) AS impressions
            FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '1' HOUR))
            WHERE fencePartitions = 0
            GROUP BY window_start, window_end""";

    static void define(StreamExecutionEnvironment env, AnalyticsOptions o) throws Exception {
        o.database.createTables(AnalyticsTables.DDL);
        StreamTableEnvironment tables = SqlPeer.view(
                env,
                SqlPeer.source(o.eventsFile, o.kafka, o.eventsTopic, new UserActionDecoder(), UserActionDecoder.TYPE),
                UserAction.class,
                o.settings.outOfOrderness(),
                o.settings.idleTimeout(),
                "events",
                o.database);
        DataStream<HourlyStats> hours = tables.toDataStream(tables.sqlQuery(QUERY))
                .map(SqlAnalytics::toRow, TypeInformation.of(HourlyStats.class))
                .name("to hourly_stats rows");
        JdbcSinks.upsert(hours, AnalyticsTables.HOURLY, o.database, env.getParallelism());
    }

    private static HourlyStats toRow(Row r) {
        return new HourlyStats(
                SqlPeer.millis(r.getFieldAs("window_start")),
                r.<Long>getFieldAs("users"),
                r.<Long>getFieldAs("clicks"),
                r.<Long>getFieldAs("impressions"),
                true);
    }
}
