package io.clickflow.io;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.tables.UpsertTable;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.time.Duration;

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

    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(200);

    /** The batch interval of rows readers watch as they happen (update mode's), at the price of smaller transactions. */
    static final Duration UPDATE_MODE_BATCH_INTERVAL = Duration.ofMillis(50);
    /** How often a sink deletes the rows its table's retention has aged out (each round a few small batches). */
    static final Duration RETENTION_CHECK = Duration.ofSeconds(10);

    /** Retries of a failed batch (with reconnect) before the task fails and restarts from a checkpoint. */
    static final int MAX_RETRIES = 5;

    /** How long a row of a job in {@code mode} may wait before its batch is written. */
    public static Duration rowsBatchInterval(EmitMode mode) {
        return mode == EmitMode.UPDATE ? UPDATE_MODE_BATCH_INTERVAL : DEFAULT_BATCH_INTERVAL;
    }

    /** Upserts {@code stream} into {@code table} of {@code db}, with the sink's uid and name taken from the table. */
    public static <T> void upsert(DataStream<T> stream, UpsertTable<T> table, Database db, int parallelism) {
        upsert(stream, table, db, parallelism, DEFAULT_BATCH_INTERVAL);
    }

    /**
     * As {@link #upsert(DataStream, UpsertTable, Database, int)}, a row waiting at most {@code batchInterval} before
     * its batch is written: shorter for rows that readers watch as they happen, at the price of smaller transactions.
     */
    public static <T> void upsert(
            DataStream<T> stream, UpsertTable<T> table, Database db, int parallelism, Duration batchInterval) {
        upsert(stream, table, db, parallelism, batchInterval, null);
    }

    /**
     * As {@link #upsert(DataStream, UpsertTable, Database, int, Duration)}, deleting the table's rows more than
     * {@code retention} behind the watermark (null: none are deleted).
     */
    public static <T> void upsert(
            DataStream<T> stream,
            UpsertTable<T> table,
            Database db,
            int parallelism,
            Duration batchInterval,
            Duration retention) {
        long intervalMillis = batchInterval.toMillis();
        Sink<T> sink = "connector".equals(System.getProperty("clickflow.jdbc.sink"))
                ? JdbcSink.<T>builder()
                        .withQueryStatement(table.upsert(), table.binder()::bind)
                        .withExecutionOptions(JdbcExecutionOptions.builder()
                                .withBatchSize(BATCH_SIZE)
                                .withBatchIntervalMs(intervalMillis)
                                .withMaxRetries(MAX_RETRIES)
                                .build())
                        .buildAtLeastOnce(connectionOptions(db))
                : new BatchingJdbcSink<>(
                        db,
                        table,
                        BATCH_SIZE,
                        intervalMillis,
                        MAX_RETRIES,
                        TableRetention.of(table, retention, db),
                        RETENTION_CHECK.toMillis());
        // SQLite takes one writer per table at a time; more subtasks only wait on its lock.
        int p = db.isSqlite() ? 1 : parallelism;
        stream.sinkTo(sink).uid(table.sinkUid()).name(table.name()).setParallelism(p);
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
