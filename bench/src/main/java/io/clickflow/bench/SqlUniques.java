package io.clickflow.bench;

import io.clickflow.io.JdbcSinks;
import io.clickflow.tables.UniqueUsers;
import io.clickflow.tables.UniquesTables;
import io.clickflow.uniques.Frame;
import io.clickflow.uniques.FrameDecoder;
import io.clickflow.uniques.UniquesOptions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

import java.time.Duration;

/**
 * The uniques peer: distinct users per tumbling window in Flink SQL, {@code COUNT(DISTINCT uid)} over {@code
 * TUMBLE} per window size, final when the watermark closes the window. Everything around the rule is clickflow's
 * own (the same file or Kafka source, decoder, per-split watermarks, rejected-records sink and JDBC upsert sink),
 * so only the counting differs. Flink SQL has no distinct-count sketch and no allowed lateness for window
 * aggregations: it counts exactly and drops what arrives after the watermark, where clickflow corrects.
 */
final class SqlUniques {
    private SqlUniques() {}

    static final String QUERY = """
            SELECT window_start, window_end, COUNT(DISTINCT uid) AS users
            FROM TABLE(TUMBLE(TABLE frames, DESCRIPTOR(rowtime), INTERVAL '%d' SECOND(9)))
            GROUP BY window_start, window_end""";

    static void define(StreamExecutionEnvironment env, UniquesOptions o) throws Exception {
        o.database.createTables(UniquesTables.DDL);
        StreamTableEnvironment tables = SqlPeer.view(
                env,
                SqlPeer.source(o.framesFile, o.kafka, o.framesTopic, new FrameDecoder(), FrameDecoder.TYPE),
                Frame.class,
                o.settings.outOfOrderness(),
                o.settings.idleTimeout(),
                "frames",
                o.database);
        DataStream<UniqueUsers> counts = null;
        for (Duration size : o.windows) {
            Table counted = tables.sqlQuery(String.format(QUERY, size.toSeconds()));
            DataStream<UniqueUsers> rows = tables.toDataStream(counted)
                    .map(SqlUniques::toRow, TypeInformation.of(UniqueUsers.class))
                    .name("to unique_users rows (" + size.toSeconds() + "s)");
            counts = counts == null ? rows : counts.union(rows);
        }
        JdbcSinks.upsert(counts, UniquesTables.UNIQUE_USERS, o.database, env.getParallelism());
    }

    private static UniqueUsers toRow(Row r) {
        long start = SqlPeer.millis(r.getFieldAs("window_start"));
        long end = SqlPeer.millis(r.getFieldAs("window_end"));
        long users = r.<Long>getFieldAs("users");
        return new UniqueUsers(start, end, users, users, users, true);
    }
}
