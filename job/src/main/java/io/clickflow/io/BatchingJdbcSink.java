package io.clickflow.io;

import io.clickflow.tables.Database;
import io.clickflow.tables.UpsertTable;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An at-least-once JDBC upsert sink that writes each batch as ONE transaction (the connector's sink
 * commits every statement on its own, which on SQLite is a commit per row), and merges rows of the same
 * key inside a batch first, keeping the one the table's upsert would keep: the table ends the same as
 * if every row had been written, with a fraction of the writes. Flushed when a batch is full, after a
 * time limit, and before every checkpoint; a failed batch is rolled back and retried on a new connection.
 * With a {@link TableRetention}, its first subtask also deletes the rows the watermark has aged out, between
 * batches, on the same connection (on SQLite the only writer of the table).
 */
public final class BatchingJdbcSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingJdbcSink.class);

    private final Database db;
    private final UpsertTable<T> table;
    private final int batchSize;
    private final long batchIntervalMillis;
    private final int maxRetries;
    private final TableRetention retention;
    private final long retentionCheckMillis;

    /** Rows of one key are merged inside a batch by the table's merge rule; a table without a key writes every row. */
    public BatchingJdbcSink(
            Database db, UpsertTable<T> table, int batchSize, long batchIntervalMillis, int maxRetries) {
        this.db = db;
        this.table = table;
        this.batchSize = batchSize;
        this.batchIntervalMillis = batchIntervalMillis;
        this.maxRetries = maxRetries;
        this.retention = null;
        this.retentionCheckMillis = 0;
    }

    /**
     * As above; rows older than {@code retention} behind the watermark are deleted at most every {@code
     * retentionCheckMillis} of processing time (null: kept).
     */
    public BatchingJdbcSink(
            Database db,
            UpsertTable<T> table,
            int batchSize,
            long batchIntervalMillis,
            int maxRetries,
            TableRetention retention,
            long retentionCheckMillis) {
        this.db = db;
        this.table = table;
        this.batchSize = batchSize;
        this.batchIntervalMillis = batchIntervalMillis;
        this.maxRetries = maxRetries;
        this.retention = retention;
        this.retentionCheckMillis = retentionCheckMillis;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        // Several subtasks deleting the same old rows would only contend for them: the first one does it.
        boolean ages = retention != null && context.getTaskInfo().getIndexOfThisSubtask() == 0;
        return new Writer(
                context.getProcessingTimeService(),
                context.metricGroup().counter("rowsWritten"),
                context.metricGroup().counter("batchesWritten"),
                ages ? context.metricGroup().counter("rowsExpired") : null);
    }

    /** Buffers, merges and writes; every method runs in the task's thread (timers through the mailbox). */
    private final class Writer implements SinkWriter<T> {
        private final ProcessingTimeService time;
        private final Counter rowsWritten;
        private final Counter batchesWritten;
        /** Null on subtasks that do not age the table. */
        private final Counter rowsExpired;

        private final Map<Object, T> byKey = new LinkedHashMap<>();
        private final List<T> unkeyed = new ArrayList<>();
        private Connection connection;
        private PreparedStatement statement;
        private boolean flushScheduled;
        private long lastRetentionRun = Long.MIN_VALUE;

        Writer(ProcessingTimeService time, Counter rowsWritten, Counter batchesWritten, Counter rowsExpired) {
            this.time = time;
            this.rowsWritten = rowsWritten;
            this.batchesWritten = batchesWritten;
            this.rowsExpired = rowsExpired;
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException {
            if (rowsExpired == null) {
                return;
            }
            long now = time.getCurrentProcessingTime();
            if (lastRetentionRun != Long.MIN_VALUE && now - lastRetentionRun < retentionCheckMillis) {
                return;
            }
            String cutoff = retention.cutoff(watermark.getTimestamp());
            if (cutoff == null) {
                return;
            }
            lastRetentionRun = now;
            // Rows still buffered may be old ones: written first, so none survives the cutoff.
            writeBatch();
            try {
                ensureConnection();
                long deleted = retention.deleteOlderThan(connection, cutoff);
                rowsExpired.inc(deleted);
                if (deleted > 0) {
                    LOG.debug("Deleted {} rows of {} before {}", deleted, retention.table(), cutoff);
                }
            } catch (SQLException e) {
                // Aging is not worth a restart: the rows stay until the next round.
                closeQuietly();
                LOG.warn(
                        "Deleting rows of {} before {} failed, retried later: {}",
                        table.name(),
                        cutoff,
                        e.getMessage());
            }
        }

        private void ensureConnection() throws SQLException {
            if (connection == null) {
                connection = db.connect();
                connection.setAutoCommit(false);
                statement = connection.prepareStatement(table.upsert());
            }
        }

        @Override
        public void write(T row, Context context) throws IOException {
            if (table.key() == null) {
                unkeyed.add(row);
            } else {
                byKey.merge(table.key().of(row), row, table.merge()::keep);
            }
            if (buffered() >= batchSize) {
                writeBatch();
            } else if (!flushScheduled && batchIntervalMillis > 0) {
                flushScheduled = true;
                time.registerTimer(time.getCurrentProcessingTime() + batchIntervalMillis, t -> {
                    flushScheduled = false;
                    writeBatch();
                });
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            writeBatch(); // before every checkpoint barrier and at the end of input: at-least-once
        }

        private int buffered() {
            return table.key() == null ? unkeyed.size() : byKey.size();
        }

        private void writeBatch() throws IOException {
            if (buffered() == 0) {
                return;
            }
            Iterable<T> rows = table.key() == null ? unkeyed : byKey.values();
            for (int attempt = 0; ; attempt++) {
                try {
                    ensureConnection();
                    for (T row : rows) {
                        table.binder().bind(statement, row);
                        statement.addBatch();
                    }
                    statement.executeBatch();
                    connection.commit();
                    break;
                } catch (SQLException e) {
                    closeQuietly();
                    if (attempt >= maxRetries) {
                        throw new IOException(
                                "writing " + buffered() + " rows to " + db.describe() + " failed " + (attempt + 1)
                                        + " times; the job restarts from its last checkpoint",
                                e);
                    }
                    LOG.warn(
                            "Writing {} rows to {} failed (attempt {} of {}), retrying: {}",
                            buffered(),
                            db.describe(),
                            attempt + 1,
                            maxRetries + 1,
                            e.getMessage());
                    try {
                        Thread.sleep(Math.min(1000L * (attempt + 1), 5000L));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while retrying a write to " + db.describe(), e);
                    }
                }
            }
            rowsWritten.inc(buffered());
            batchesWritten.inc();
            unkeyed.clear();
            byKey.clear();
        }

        private void closeQuietly() {
            try {
                if (connection != null) {
                    connection.rollback();
                }
            } catch (SQLException ignored) {
                // the connection may be what failed
            }
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (SQLException ignored) {
                // nothing left to do with it
            }
            connection = null;
            statement = null;
        }

        @Override
        public void close() {
            // Rows not flushed here were written by no checkpoint either: a restart replays them.
            closeQuietly();
        }
    }
}
