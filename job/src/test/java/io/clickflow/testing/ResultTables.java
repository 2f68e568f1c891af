package io.clickflow.testing;

import io.clickflow.attribution.GeneratedInput;
import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Reads the result tables back from the real database. */
public final class ResultTables {
    private ResultTables() {}

    /** One row of {@code attributed_page_views} as stored. */
    public record Row(
            String pageViewId,
            String userId,
            String eventTime,
            String campaignId,
            String clickId,
            String clickTime,
            boolean isFinal) {}

    /** One row of {@code rejected_events} as stored. */
    public record Rejected(String source, String position, String stream, String reason, String payload) {}

    public static Map<String, Row> attributed(Database db) throws Exception {
        Map<String, Row> rows = new HashMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT page_view_id, user_id, event_time, attributed_campaign_id, "
                        + "attributed_click_id, attributed_click_time, is_final FROM attributed_page_views")) {
            while (rs.next()) {
                rows.put(
                        rs.getString(1),
                        new Row(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getInt(7) == 1));
            }
        }
        return rows;
    }

    /** One row of {@code unique_users} as stored. */
    public record UniqueUsersRow(
            long windowSeconds,
            String windowStart,
            String windowEnd,
            long uniqueUsers,
            long lowerBound,
            long upperBound,
            boolean isFinal) {}

    /** {@code window seconds + "s@" + start epoch seconds} -> the row. */
    public static Map<String, UniqueUsersRow> uniqueUsers(Database db) throws Exception {
        Map<String, UniqueUsersRow> rows = new HashMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT window_seconds, window_start, window_end, unique_users, lower_bound, "
                                + "upper_bound, is_final FROM unique_users")) {
            while (rs.next()) {
                UniqueUsersRow row = new UniqueUsersRow(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getInt(7) == 1);
                rows.put(
                        row.windowSeconds() + "s@"
                                + Instant.parse(row.windowStart()).getEpochSecond(),
                        row);
            }
        }
        return rows;
    }

    public static Map<String, Rejected> rejected(Database db) throws Exception {
        Map<String, Rejected> rows = new HashMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT source, position, stream, reason, payload FROM rejected_events")) {
            while (rs.next()) {
                rows.put(
                        rs.getString(1) + ":" + rs.getString(2),
                        new Rejected(
                                rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
            }
        }
        return rows;
    }

    /** Rows of attributed_page_views, or -1 while the database cannot be read (for polling). */
    public static long rowsOrMinusOne(Database db) {
        try {
            return count(db, "attributed_page_views");
        } catch (Exception e) {
            return -1;
        }
    }

    /** Final rows, not counting the {@code flush-} views tests add to move the watermark; -1 while unreadable. */
    public static long finalRowsOrMinusOne(Database db) {
        try {
            return attributed(db).values().stream()
                    .filter(r -> r.isFinal() && !r.pageViewId().startsWith(GeneratedInput.FLUSH_PREFIX))
                    .count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** A copy of a SQLite database as it is now, for runs that resume from the same point. */
    public static Database copy(Database db, Path to) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("VACUUM INTO '" + to + "'");
        }
        return Database.of("jdbc:sqlite:" + to);
    }

    public static long count(Database db, String table) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
