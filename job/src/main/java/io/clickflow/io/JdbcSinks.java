package io.clickflow.io;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Upserts a stream into a table, at-least-once, flushed on every checkpoint (the upserts make repeats
 * harmless): through {@link BatchingJdbcSink}, one transaction per batch. The JDBC connector's own sink
 * (a commit per row) stays selectable with {@code -Dclickflow.jdbc.sink=connector}, so the benchmark can
 * show what the batching buys.
 */
public final class JdbcSinks {
    private JdbcSinks() {}

    /** Rows per batch (after merging rows of one key), and the longest a row waits before its batch is written. */
    static final int BATCH_SIZE = 5000;
    static final long BATCH_INTERVAL_MS = 200;
    /** Retries of a failed batch (with reconnect) before the task fails and restarts from a checkpoint. */
    static final int MAX_RETRIES = 5;

    /**
     * @param key rows of one key are merged inside a batch by {@code merge}, which must keep the row the
     *     upsert {@code sql} would keep whatever order the two were applied in; null: no merging
     */
    public static <T> void upsert(DataStream<T> stream, Database db, String sql, JdbcStatementBuilder<T> binder,
            SerializableFunction<T, Object> key, BatchingJdbcSink.Merge<T> merge, String uid, String name, int parallelism) {
        Sink<T> sink = "connector".equals(System.getProperty("clickflow.jdbc.sink"))
                ? JdbcSink.<T>builder()
                        .withQueryStatement(sql, binder)
                        .withExecutionOptions(JdbcExecutionOptions.builder()
                                .withBatchSize(BATCH_SIZE)
                                .withBatchIntervalMs(BATCH_INTERVAL_MS)
                                .withMaxRetries(MAX_RETRIES)
                                .build())
                        .buildAtLeastOnce(connectionOptions(db))
                : new BatchingJdbcSink<>(db, sql, binder, key, merge, BATCH_SIZE, BATCH_INTERVAL_MS, MAX_RETRIES);
        // SQLite takes one writer per table at a time; more subtasks only wait on its lock.
        int p = db.isSqlite() ? 1 : parallelism;
        stream.sinkTo(sink).uid(uid).name(name).setParallelism(p);
    }

    static JdbcConnectionOptions connectionOptions(Database db) {
        var builder = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(db.url())
                .withDriverName(db.driverClass());
        if (db.user() != null) {
            builder.withUsername(db.user());
        }
        if (db.password() != null) {
            builder.withPassword(db.password());
        }
        return builder.build();
    }
}
