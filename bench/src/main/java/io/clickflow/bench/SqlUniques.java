package io.clickflow.bench;

import io.clickflow.decode.Decoded;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UniqueUsers;
import io.clickflow.tables.UniquesTables;
import io.clickflow.uniques.Frame;
import io.clickflow.uniques.FrameDecoder;
import io.clickflow.uniques.UniquesOptions;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

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
        // Flink SQL's runtime is built for object reuse; each side runs with what suits it best.
        env.getConfig().enableObjectReuse();
        o.database.createTables(UniquesTables.DDL);
        int parallelism = env.getParallelism();
        Source<Decoded<Frame>, ?, ?> source = o.fileMode()
                ? Sources.file(o.framesFile, new FrameDecoder(), FrameDecoder.TYPE)
                : Sources.kafka(o.kafka, o.framesTopic, new FrameDecoder(), FrameDecoder.TYPE);
        SingleOutputStreamOperator<Frame> frames = env.fromSource(
                        source,
                        EventWatermarks.strategy(o.settings.outOfOrderness(), o.settings.idleTimeout()),
                        "frames")
                .uid("frames-source")
                .process(new SplitRejected<Frame>(), TypeInformation.of(Frame.class))
                .uid("frames-split-rejected");
        JdbcSinks.upsert(
                frames.getSideOutput(SplitRejected.REJECTED), DeadLetterTables.REJECTED, o.database, parallelism);

        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC); // window bounds come back as UTC wall-clock times
        tables.createTemporaryView(
                "frames",
                frames,
                Schema.newBuilder()
                        .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                        .watermark("rowtime", "SOURCE_WATERMARK()")
                        .build());
        DataStream<UniqueUsers> counts = null;
        for (Duration size : o.windows) {
            Table counted = tables.sqlQuery(String.format(QUERY, size.toSeconds()));
            DataStream<UniqueUsers> rows = tables.toDataStream(counted)
                    .map(SqlUniques::toRow, TypeInformation.of(UniqueUsers.class))
                    .name("to unique_users rows (" + size.toSeconds() + "s)");
            counts = counts == null ? rows : counts.union(rows);
        }
        JdbcSinks.upsert(counts, UniquesTables.UNIQUE_USERS, o.database, parallelism);
    }

    private static UniqueUsers toRow(Row r) {
        long start = millis(r.getFieldAs("window_start"));
        long end = millis(r.getFieldAs("window_end"));
        long users = r.<Long>getFieldAs("users");
        return new UniqueUsers(start, end, users, users, users, true);
    }

    /** TUMBLE's window bounds are TIMESTAMP(3) without a zone when the time column is TIMESTAMP_LTZ: UTC here. */
    private static long millis(Object t) {
        return t instanceof LocalDateTime l
                ? l.toInstant(ZoneOffset.UTC).toEpochMilli()
                : ((java.time.Instant) t).toEpochMilli();
    }
}
