package io.clickflow.tables;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * The analytics job's table, which the API servers read. Every count of an hour only grows (a set of users only
 * grows, clicks and impressions are counted, a correction adds), so a row replaces the stored one only if it ranks
 * higher by (is_final, clicks + impressions, unique_users): a retried, replayed or reordered batch leaves the
 * table at the highest row applied. Rows are keyed by the hour's start as text, like every stored time.
 */
public final class AnalyticsTables {
    private AnalyticsTables() {}

    public static final long HOUR_MILLIS = 3_600_000L;

    public static final String HOURLY_DDL = "CREATE TABLE IF NOT EXISTS hourly_stats ("
            + "hour_start TEXT PRIMARY KEY, "
            + "hour_end TEXT NOT NULL, "
            + "unique_users BIGINT NOT NULL, "
            + "clicks BIGINT NOT NULL, "
            + "impressions BIGINT NOT NULL, "
            + "is_final INTEGER NOT NULL)";

    public static final String UPSERT =
            "INSERT INTO hourly_stats (hour_start, hour_end, unique_users, clicks, impressions, is_final) "
                    + "VALUES (?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (hour_start) DO UPDATE SET "
                    + "hour_end = excluded.hour_end, unique_users = excluded.unique_users, clicks = excluded.clicks, "
                    + "impressions = excluded.impressions, is_final = excluded.is_final "
                    + "WHERE (excluded.is_final, excluded.clicks + excluded.impressions, excluded.unique_users) "
                    + "> (hourly_stats.is_final, hourly_stats.clicks + hourly_stats.impressions, hourly_stats.unique_users)";

    /** What a GET of an hour reads: one row or none (an hour without events answers zeros). */
    public static final String SELECT_HOUR =
            "SELECT unique_users, clicks, impressions, is_final FROM hourly_stats WHERE hour_start = ?";

    /** The UTC hour a timestamp falls in, as the key the table stores. */
    public static String hourKey(long timestampMillis) {
        return EventTimes.format(Math.floorDiv(timestampMillis, HOUR_MILLIS) * HOUR_MILLIS);
    }

    /** Of two rows of one hour, the one {@link #UPSERT} keeps whatever order they are applied in; on a tie, the stored one. */
    public static HourlyStats keep(HourlyStats stored, HourlyStats incoming) {
        int c = incoming.isFinal != stored.isFinal
                ? (incoming.isFinal ? 1 : -1)
                : incoming.clicks + incoming.impressions != stored.clicks + stored.impressions
                        ? Long.compare(incoming.clicks + incoming.impressions, stored.clicks + stored.impressions)
                        : Long.compare(incoming.uniqueUsers, stored.uniqueUsers);
        return c > 0 ? incoming : stored;
    }

    public static void bind(PreparedStatement ps, HourlyStats row) throws SQLException {
        ps.setString(1, EventTimes.format(row.hourStart));
        ps.setString(2, EventTimes.format(row.hourEnd));
        ps.setLong(3, row.uniqueUsers);
        ps.setLong(4, row.clicks);
        ps.setLong(5, row.impressions);
        ps.setInt(6, row.isFinal ? 1 : 0);
    }

    public static final UpsertTable<HourlyStats> HOURLY = new UpsertTable<>(
                    "hourly_stats",
                    HOURLY_DDL,
                    UPSERT,
                    AnalyticsTables::bind,
                    row -> row.hourStart,
                    AnalyticsTables::keep)
            .agedBy("hour_end");

    public static final String FRESH_DDL = "CREATE TABLE IF NOT EXISTS analytics_fresh ("
            + "fence TEXT PRIMARY KEY, "
            + "hour_start TEXT NOT NULL, "
            + "unique_users BIGINT NOT NULL, "
            + "clicks BIGINT NOT NULL, "
            + "impressions BIGINT NOT NULL, "
            + "settled INTEGER NOT NULL, "
            + "answered_at TEXT NOT NULL)";

    /** A fresh read's answer is written once (a replay after a restart writes the same counts or newer ones). */
    public static final String FRESH_UPSERT =
            "INSERT INTO analytics_fresh (fence, hour_start, unique_users, clicks, impressions, settled, answered_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (fence) DO UPDATE SET "
                    + "hour_start = excluded.hour_start, unique_users = excluded.unique_users, "
                    + "clicks = excluded.clicks, impressions = excluded.impressions, settled = excluded.settled, "
                    + "answered_at = excluded.answered_at";

    /** What a server waiting for fresh reads polls: the answers of up to {@code n} reads, by fence id. */
    public static String selectFresh(int n) {
        return "SELECT fence, unique_users, clicks, impressions, settled FROM analytics_fresh WHERE fence IN ("
                + String.join(", ", Collections.nCopies(n, "?")) + ")";
    }

    public static void bindFresh(PreparedStatement ps, FreshStats row) throws SQLException {
        ps.setString(1, row.fence);
        ps.setString(2, EventTimes.format(row.hourStart));
        ps.setLong(3, row.uniqueUsers);
        ps.setLong(4, row.clicks);
        ps.setLong(5, row.impressions);
        ps.setInt(6, row.settled ? 1 : 0);
        ps.setString(7, EventTimes.format(row.answeredAt));
    }

    /**
     * The answers to fresh reads, each read once by the server that asked; kept {@link #FRESH_RETENTION} behind the
     * watermark (by when they were answered), which the job applies whatever its {@code --retention}.
     */
    public static final UpsertTable<FreshStats> FRESH = new UpsertTable<>(
                    "analytics_fresh",
                    FRESH_DDL,
                    FRESH_UPSERT,
                    AnalyticsTables::bindFresh,
                    row -> row.fence,
                    (stored, incoming) -> incoming)
            .agedBy("answered_at");

    /** How long answers to fresh reads are kept: their servers read them within seconds. */
    public static final Duration FRESH_RETENTION = Duration.ofHours(1);

    /** The hourly counts and the fresh reads' answers, then the rejected and late events every job keeps. */
    public static final List<String> DDL = DeadLetterTables.withDeadLetterTables(
            HOURLY_DDL,
            UpsertTable.timeIndex(HOURLY.name(), HOURLY.timeColumn()),
            FRESH_DDL,
            UpsertTable.timeIndex(FRESH.name(), FRESH.timeColumn()));
}
