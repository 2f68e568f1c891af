package io.clickflow.api;

/**
 * The SQL of the results page's reads ({@link ResultsQueries}), the same text for SQLite and PostgreSQL but for the
 * rejected events' insertion order; public so that {@code ./clickflow bench tables} times what serve runs.
 */
public final class ResultsSql {
    private ResultsSql() {}

    /**
     * The oldest and newest {@code column} of {@code table} ({@code where} may narrow it). Two subqueries, not
     * {@code MIN(x), MAX(x)} in one: SQLite answers a lone MIN or MAX from the column's index in a few page reads,
     * but both in one select scan the whole table.
     */
    public static String span(String table, String column, String where) {
        return "SELECT (SELECT MIN(" + column + ") FROM " + table + where + "), (SELECT MAX(" + column + ") FROM "
                + table + where + ")";
    }

    /** Page views per campaign and finality over a range (event_time from, to). */
    public static final String ATTRIBUTION_CAMPAIGNS = "SELECT attributed_campaign_id, is_final, COUNT(*) FROM "
            + ResultsQueries.ATTRIBUTED
            + " WHERE event_time >= ? AND event_time <= ? GROUP BY attributed_campaign_id, is_final";

    /** The time text's first characters that name a bucket: a minute's ({@code 2024-01-01T10:05}). */
    public static final int MINUTE_PREFIX = 16;

    /** Page views per bucket (the time text's first {@code prefix} characters), attributed and not, over a range. */
    public static String attributionSeries(int prefix) {
        return "SELECT SUBSTR(event_time, 1, " + prefix + "), "
                + "CASE WHEN attributed_campaign_id IS NULL THEN 0 ELSE 1 END, COUNT(*) FROM "
                + ResultsQueries.ATTRIBUTED + " "
                + "WHERE event_time >= ? AND event_time <= ? GROUP BY 1, 2 ORDER BY 1";
    }

    /** The newest rows of a range. */
    public static final String ATTRIBUTION_LATEST = "SELECT page_view_id, user_id, event_time, url, "
            + "attributed_campaign_id, attributed_click_id, attributed_click_time, is_final "
            + "FROM " + ResultsQueries.ATTRIBUTED + " WHERE event_time >= ? AND event_time <= ? "
            + "ORDER BY event_time DESC, page_view_id DESC LIMIT " + ResultsQueries.LATEST_ROWS;

    /** The window sizes unique_users holds. */
    public static final String UNIQUES_WINDOWS =
            "SELECT DISTINCT window_seconds FROM " + ResultsQueries.UNIQUE_USERS + " ORDER BY window_seconds";

    /** One window size's newest counts over a range (window_seconds, window_start from, to). */
    public static final String UNIQUES_POINTS =
            "SELECT window_start, window_end, unique_users, lower_bound, upper_bound, is_final FROM "
                    + ResultsQueries.UNIQUE_USERS
                    + " WHERE window_seconds = ? AND window_start >= ? AND window_start <= ? "
                    + "ORDER BY window_start DESC LIMIT " + ResultsQueries.MAX_POINTS;

    /** The hours from, to of hourly_stats. */
    public static final String HOURLY_RANGE = "SELECT hour_start, unique_users, clicks, impressions, is_final "
            + "FROM " + ResultsQueries.HOURLY + " WHERE hour_start >= ? AND hour_start <= ? ORDER BY hour_start";

    /** Rejected input per reason. */
    public static final String REJECTED_BY_REASON =
            "SELECT reason, COUNT(*) FROM " + ResultsQueries.REJECTED + " GROUP BY reason";

    /** The newest rejected payloads. */
    public static String rejectedLatest(boolean sqlite) {
        // Insertion order: SQLite's rowid, PostgreSQL's physical position (the table has no time column).
        String order = sqlite ? "rowid DESC" : "ctid DESC";
        return "SELECT stream, source, position, reason, payload " + "FROM " + ResultsQueries.REJECTED + " ORDER BY "
                + order + " LIMIT " + ResultsQueries.LATEST_PAYLOADS;
    }

    /** Late events per stream. */
    public static final String LATE_BY_STREAM =
            "SELECT stream, COUNT(*) FROM " + ResultsQueries.LATE + " GROUP BY stream";

    /** The newest late events. */
    public static final String LATE_LATEST = "SELECT stream, event_id, user_id, event_time, watermark "
            + "FROM " + ResultsQueries.LATE + " ORDER BY watermark DESC, event_id LIMIT "
            + ResultsQueries.LATEST_PAYLOADS;
}
