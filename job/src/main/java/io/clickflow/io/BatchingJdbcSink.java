package io.clickflow.io;

import io.clickflow.tables.Database;
import io.clickflow.tables.UpsertTable;

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
 */
public final class BatchingJdbcSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(BatchingJdbcSink.class);

    private final Database db;
    private final UpsertTable<T> table;
    private final int batchSize;
    private final long batchIntervalMillis;
    private final int maxRetries;

    /** Rows of one key are merged inside a batch by the table's merge rule; a table without a key writes every row. */
    public BatchingJdbcSink(
            Database db, UpsertTable<T> table, int batchSize, long batchIntervalMillis, int maxRetries) {
        this.db = db;
        this.table = table;
        this.batchSize = batchSize;
        this.batchIntervalMillis = batchIntervalMillis;
        this.maxRetries = maxRetries;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new Writer(
                context.getProcessingTimeService(),
                context.metricGroup().counter("rowsWritten"),
                context.metricGroup().counter("batchesWritten"));
    }

    /** Buffers, merges and writes; every method runs in the task's thread (timers through the mailbox). */
    private final class Writer implements SinkWriter<T> {
        private final ProcessingTimeService time;
        private final Counter rowsWritten;
        private final Counter batchesWritten;
        private final Map<Object, T> byKey = new LinkedHashMap<>();
        private final List<T> unkeyed = new ArrayList<>();
        private Connection connection;
        private PreparedStatement statement;
        private boolean flushScheduled;

        Writer(ProcessingTimeService time, Counter rowsWritten, Counter batchesWritten) {
            this.time = time;
            this.rowsWritten = rowsWritten;
            this.batchesWritten = batchesWritten;
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
                    if (connection == null) {
                        connection = db.connect();
                        connection.setAutoCommit(false);
                        statement = connection.prepareStatement(table.upsert());
                    }
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
