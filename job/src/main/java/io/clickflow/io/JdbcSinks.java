package io.clickflow.io;

import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Upserts a stream into a table through the JDBC connector's sink (at-least-once, flushed on every
 * checkpoint; the upserts make repeats harmless).
 */
public final class JdbcSinks {
    private JdbcSinks() {}

    /** Rows per batch, and the longest a row waits before its batch is written. */
    static final int BATCH_SIZE = 2000;
    static final long BATCH_INTERVAL_MS = 200;
    /** Retries of a failed batch (with reconnect) before the task fails and restarts from a checkpoint. */
    static final int MAX_RETRIES = 5;

    public static <T> void upsert(DataStream<T> stream, Database db, String sql, JdbcStatementBuilder<T> binder,
            String uid, String name, int parallelism) {
        JdbcSink<T> sink = JdbcSink.<T>builder()
                .withQueryStatement(sql, binder)
                .withExecutionOptions(JdbcExecutionOptions.builder()
                        .withBatchSize(BATCH_SIZE)
                        .withBatchIntervalMs(BATCH_INTERVAL_MS)
                        .withMaxRetries(MAX_RETRIES)
                        .build())
                .buildAtLeastOnce(connectionOptions(db));
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
