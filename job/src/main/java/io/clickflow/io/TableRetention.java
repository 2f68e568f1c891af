package io.clickflow.io;

import io.clickflow.tables.Database;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.UpsertTable;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * {@code --retention}: deletes a table's rows whose time column is more than the retention behind the job's
 * watermark, in small batches, each its own transaction, so the writer that runs it (the table's one sink) holds
 * the database's lock only briefly and readers keep reading. The time columns hold fixed-width UTC text, so text
 * order is time order and the column's index finds the rows.
 */
public final class TableRetention implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Rows per delete: a short transaction however large the backlog. */
    public static final int BATCH_ROWS = 1000;

    /**
     * How long one round may delete: a tenth of the sink's time at most (rounds are {@link JdbcSinks#RETENTION_CHECK}
     * apart), so a backlog is worked off over several rounds between the writes, and a steady stream of expiring rows
     * keeps up however fast the table grows.
     */
    static final long ROUND_BUDGET_NANOS = 1_000_000_000L;

    private final String table;
    private final String column;
    private final long retentionMillis;
    private final String delete;

    private TableRetention(String table, String column, Duration retention, Database db) {
        this.table = table;
        this.column = column;
        this.retentionMillis = retention.toMillis();
        // SQLite and PostgreSQL both lack DELETE ... LIMIT in their default builds; a subquery on the row's
        // physical id (rowid, ctid) bounds the batch instead.
        String rowId = db.isPostgres() ? "ctid" : "rowid";
        this.delete = "DELETE FROM " + table + " WHERE " + rowId + " IN (SELECT " + rowId + " FROM " + table + " WHERE "
                + column + " < ? LIMIT " + BATCH_ROWS + ")";
    }

    /** The retention of {@code table}, or null when there is none (no {@code --retention}, or a table kept whole). */
    public static TableRetention of(UpsertTable<?> table, Duration retention, Database db) {
        if (retention == null || table.timeColumn() == null) {
            return null;
        }
        return new TableRetention(table.name(), table.timeColumn(), retention, db);
    }

    /**
     * The oldest time kept at {@code watermark}, as the column's text; null while there is no watermark yet or at
     * the end of a bounded input (Flink's final watermark is no event time: nothing is aged by it).
     */
    public String cutoff(long watermark) {
        if (watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE || watermark < retentionMillis) {
            return null;
        }
        return EventTimes.format(watermark - retentionMillis);
    }

    /**
     * Deletes rows older than {@code cutoff} in batches, each committed on its own, until none is left or the round's
     * time is up; returns how many went. {@code connection} is in manual commit mode.
     */
    public long deleteOlderThan(Connection connection, String cutoff) throws SQLException {
        long deleted = 0;
        long deadline = System.nanoTime() + ROUND_BUDGET_NANOS;
        try (PreparedStatement statement = connection.prepareStatement(delete)) {
            while (System.nanoTime() - deadline < 0) {
                statement.setString(1, cutoff);
                int n = statement.executeUpdate();
                connection.commit();
                deleted += n;
                if (n < BATCH_ROWS) {
                    break;
                }
            }
        }
        return deleted;
    }

    /** One batch's delete, its parameter the cutoff: what {@code ./clickflow bench tables} times. */
    public String deleteStatement() {
        return delete;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }
}
