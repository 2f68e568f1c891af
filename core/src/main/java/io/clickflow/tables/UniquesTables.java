package io.clickflow.tables;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The unique-users job's table and its upsert. A window's count only grows (a set of users only grows;
 * a correction adds users), so a row replaces the stored one only if it ranks higher by (is_final,
 * unique_users): a retried, replayed or reordered batch leaves the table at the highest row applied.
 */
public final class UniquesTables {
    private UniquesTables() {}

    public static final String UNIQUE_USERS_DDL = "CREATE TABLE IF NOT EXISTS unique_users ("
            + "window_seconds INTEGER NOT NULL, "
            + "window_start TEXT NOT NULL, "
            + "window_end TEXT NOT NULL, "
            + "unique_users BIGINT NOT NULL, "
            + "lower_bound BIGINT NOT NULL, "
            + "upper_bound BIGINT NOT NULL, "
            + "is_final INTEGER NOT NULL, "
            + "PRIMARY KEY (window_seconds, window_start))";

    public static final String UPSERT =
            "INSERT INTO unique_users (window_seconds, window_start, window_end, unique_users, lower_bound, upper_bound, is_final) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (window_seconds, window_start) DO UPDATE SET "
                    + "window_end = excluded.window_end, unique_users = excluded.unique_users, "
                    + "lower_bound = excluded.lower_bound, upper_bound = excluded.upper_bound, is_final = excluded.is_final "
                    + "WHERE (excluded.is_final, excluded.unique_users) > (unique_users.is_final, unique_users.unique_users)";

    /** Of two rows of one window, the one {@link #UPSERT} keeps whatever order they are applied in; on a tie, the stored one. */
    public static UniqueUsers keep(UniqueUsers stored, UniqueUsers incoming) {
        int c = incoming.isFinal != stored.isFinal
                ? (incoming.isFinal ? 1 : -1)
                : Long.compare(incoming.uniqueUsers, stored.uniqueUsers);
        return c > 0 ? incoming : stored;
    }

    /** The table's key of a row. */
    public static String key(UniqueUsers row) {
        return row.windowSeconds + "/" + row.windowStart;
    }

    public static void bind(PreparedStatement ps, UniqueUsers row) throws SQLException {
        ps.setLong(1, row.windowSeconds);
        ps.setString(2, EventTimes.format(row.windowStart));
        ps.setString(3, EventTimes.format(row.windowEnd));
        ps.setLong(4, row.uniqueUsers);
        ps.setLong(5, row.lowerBound);
        ps.setLong(6, row.upperBound);
        ps.setInt(7, row.isFinal ? 1 : 0);
    }

    public static final UpsertTable<UniqueUsers> UNIQUE_USERS = new UpsertTable<>(
                    "unique_users",
                    UNIQUE_USERS_DDL,
                    UPSERT,
                    UniquesTables::bind,
                    UniquesTables::key,
                    UniquesTables::keep)
            .agedBy("window_end");

    /** The counts, then the rejected and late events every job keeps. */
    public static final List<String> DDL = DeadLetterTables.withDeadLetterTables(
            UNIQUE_USERS_DDL, UpsertTable.timeIndex(UNIQUE_USERS.name(), UNIQUE_USERS.timeColumn()));
}
