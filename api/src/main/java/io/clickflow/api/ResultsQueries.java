package io.clickflow.api;

import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.UniquesTables;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results page's reads of the jobs' tables, each answering one JSON object. Times are the tables' fixed-width
 * UTC text, so ranges are text comparisons that SQLite and PostgreSQL read alike; a table the job has not created
 * yet answers {@code "exists": false} instead of failing.
 */
final class ResultsQueries {
    /** The tables the page reads, by their definitions' names. */
    static final String ATTRIBUTED = AttributionTables.ATTRIBUTED.name();

    static final String UNIQUE_USERS = UniquesTables.UNIQUE_USERS.name();
    static final String HOURLY = AnalyticsTables.HOURLY.name();
    static final String REJECTED = DeadLetterTables.REJECTED.name();
    static final String LATE = DeadLetterTables.LATE.name();

    private ResultsQueries() {}

    /** The named event-time ranges a request may ask for besides {@code all} and {@code auto}. */
    static final Map<String, Duration> RANGES = ranges();

    /** With no range asked for: all of it while the data spans less than this, else this much. */
    static final Duration AUTO_SPAN = Duration.ofDays(1);

    /** Rows listed under "latest" in a section. */
    static final int LATEST_ROWS = 20;

    /** Payloads and late events listed under data quality. */
    static final int LATEST_PAYLOADS = 5;

    /** Most points of one unique-users series (the newest ones). */
    static final int MAX_POINTS = 2000;

    /** Reasons listed one by one; the rest are summed (a reason may carry a value: there can be many). */
    static final int MAX_REASONS = 12;

    /** Longest payload sent to the page, in characters: the table keeps up to 4096, a glance needs less. */
    static final int PAYLOAD_CHARS = 1000;

    private static Map<String, Duration> ranges() {
        Map<String, Duration> r = new LinkedHashMap<>();
        r.put("15m", Duration.ofMinutes(15));
        r.put("1h", Duration.ofHours(1));
        r.put("6h", Duration.ofHours(6));
        r.put("1d", Duration.ofDays(1));
        r.put("7d", Duration.ofDays(7));
        r.put("30d", Duration.ofDays(30));
        return Collections.unmodifiableMap(r);
    }

    /** What a request asked for: {@code auto} (absent), {@code all}, or one of {@link #RANGES}. */
    static String checkRange(String range) throws BadRequest {
        if (range == null || range.equals("auto") || range.equals("all") || RANGES.containsKey(range)) {
            return range == null ? "auto" : range;
        }
        throw new BadRequest("range must be all, auto or one of " + String.join(", ", RANGES.keySet()) + ", not '"
                + Requests.shorten(range) + "'");
    }

    /** An event-time range [from, to] (inclusive, as table text) ending at the newest row. */
    record Range(String name, String from, String to) {
        JsonObject json() {
            return new JsonObject().put("name", name).put("from", from).put("to", to);
        }
    }

    /** The range asked for over data from {@code min} to {@code max} (table text, both non-null). */
    static Range resolve(String asked, String min, String max) {
        long first = Instant.parse(min).toEpochMilli();
        long last = Instant.parse(max).toEpochMilli();
        String name = asked;
        if (asked.equals("auto")) {
            name = last - first < AUTO_SPAN.toMillis() ? "all" : "1d";
        }
        if (name.equals("all")) {
            return new Range(name, min, max);
        }
        long from = Math.max(first, last - RANGES.get(name).toMillis());
        return new Range(name, EventTimes.format(from), max);
    }

    static JsonObject missing(String table) {
        return new JsonObject().put("table", table).put("exists", false);
    }

    private static JsonObject present(String table) {
        return new JsonObject().put("table", table).put("exists", true);
    }

    /**
     * Attributed page views per campaign (final and provisional), the unattributed ones, a time series of both, and
     * the newest rows, over the range.
     */
    static JsonObject attribution(Connection c, int timeout, String asked) throws SQLException {
        String table = ATTRIBUTED;
        String[] span = span(c, timeout, table, "event_time", "");
        JsonObject out = present(table);
        if (span == null) {
            return out.put("range", null)
                    .put("pageViews", 0)
                    .put("unattributed", counts(0, 0))
                    .put("unattributedShare", null)
                    .put("campaigns", new JsonArray())
                    .put("series", new JsonObject().put("bucket", "minute").put("points", new JsonArray()))
                    .put("latest", new JsonArray());
        }
        Range range = resolve(asked, span[0], span[1]);
        Map<String, long[]> campaigns = new LinkedHashMap<>();
        long[] unattributed = new long[2];
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.ATTRIBUTION_CAMPAIGNS)) {
            bindRange(ps, timeout, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String campaign = rs.getString(1);
                    long[] n = campaign == null ? unattributed : campaigns.computeIfAbsent(campaign, k -> new long[2]);
                    n[rs.getInt(2) != 0 ? 0 : 1] += rs.getLong(3);
                }
            }
        }
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(campaigns.entrySet());
        sorted.sort((a, b) -> {
            int byCount = Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]);
            return byCount != 0 ? byCount : a.getKey().compareTo(b.getKey());
        });
        JsonArray rows = new JsonArray();
        long total = unattributed[0] + unattributed[1];
        for (Map.Entry<String, long[]> e : sorted) {
            long[] n = e.getValue();
            total += n[0] + n[1];
            rows.add(counts(n[0], n[1]).put("campaign", e.getKey()));
        }
        out.put("range", range.json())
                .put("pageViews", total)
                .put("unattributed", counts(unattributed[0], unattributed[1]))
                .put("unattributedShare", total == 0 ? null : (double) (unattributed[0] + unattributed[1]) / total)
                .put("campaigns", rows)
                .put("series", attributionSeries(c, timeout, range))
                .put("latest", latestAttributed(c, timeout, range));
        return out;
    }

    private static JsonObject counts(long finalRows, long provisional) {
        return new JsonObject()
                .put("final", finalRows)
                .put("provisional", provisional)
                .put("total", finalRows + provisional);
    }

    /** Page views per minute, hour or day (whichever keeps the points few), attributed and not. */
    private static JsonObject attributionSeries(Connection c, int timeout, Range range) throws SQLException {
        long span = Instant.parse(range.to()).toEpochMilli()
                - Instant.parse(range.from()).toEpochMilli();
        String bucket;
        int prefix;
        String pad;
        if (span <= Duration.ofHours(3).toMillis()) {
            bucket = "minute";
            prefix = ResultsSql.MINUTE_PREFIX;
            pad = ":00.000Z";
        } else if (span <= Duration.ofDays(4).toMillis()) {
            bucket = "hour";
            prefix = 13;
            pad = ":00:00.000Z";
        } else {
            bucket = "day";
            prefix = 10;
            pad = "T00:00:00.000Z";
        }
        Map<String, long[]> byBucket = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.attributionSeries(prefix))) {
            bindRange(ps, timeout, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byBucket.computeIfAbsent(rs.getString(1), k -> new long[2])[rs.getInt(2)] += rs.getLong(3);
                }
            }
        }
        JsonArray points = new JsonArray();
        byBucket.forEach((start, n) -> points.add(new JsonObject()
                .put("start", start + pad)
                .put("attributed", n[1])
                .put("unattributed", n[0])));
        return new JsonObject().put("bucket", bucket).put("points", points);
    }

    private static JsonArray latestAttributed(Connection c, int timeout, Range range) throws SQLException {
        JsonArray latest = new JsonArray();
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.ATTRIBUTION_LATEST)) {
            bindRange(ps, timeout, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    latest.add(new JsonObject()
                            .put("pageView", rs.getString(1))
                            .put("user", rs.getString(2))
                            .put("time", rs.getString(3))
                            .put("url", rs.getString(4))
                            .put("campaign", rs.getString(5))
                            .put("click", rs.getString(6))
                            .put("clickTime", rs.getString(7))
                            .put("final", rs.getInt(8) != 0));
                }
            }
        }
        return latest;
    }

    /**
     * One window size's unique-user counts over the range, oldest first, each marked final or provisional with its
     * bounds; {@code window} null picks the smallest size in the table.
     */
    static JsonObject uniques(Connection c, int timeout, String asked, Long window) throws SQLException {
        String table = UNIQUE_USERS;
        JsonArray windows = new JsonArray();
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.UNIQUES_WINDOWS)) {
            ps.setQueryTimeout(timeout);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    windows.add(rs.getLong(1));
                }
            }
        }
        JsonObject out = present(table).put("windows", windows);
        Long seconds = window != null ? window : windows.isEmpty() ? null : windows.getLong(0);
        out.put("window", seconds);
        String[] span =
                seconds == null ? null : span(c, timeout, table, "window_start", " WHERE window_seconds = " + seconds);
        if (span == null) {
            return out.put("range", null).put("bounds", false).put("points", new JsonArray());
        }
        Range range = resolve(asked, span[0], span[1]);
        List<JsonObject> points = new ArrayList<>();
        boolean bounds = false;
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.UNIQUES_POINTS)) {
            ps.setQueryTimeout(timeout);
            ps.setLong(1, seconds);
            ps.setString(2, range.from());
            ps.setString(3, range.to());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long lower = rs.getLong(4);
                    long upper = rs.getLong(5);
                    bounds |= lower != upper;
                    points.add(new JsonObject()
                            .put("start", rs.getString(1))
                            .put("end", rs.getString(2))
                            .put("users", rs.getLong(3))
                            .put("lower", lower)
                            .put("upper", upper)
                            .put("final", rs.getInt(6) != 0));
                }
            }
        }
        Collections.reverse(points);
        return out.put("range", range.json()).put("bounds", bounds).put("points", new JsonArray(points));
    }

    /** The newest hour in hourly_stats (the current one while the job runs live) and the 24 hours up to it. */
    static JsonObject hourly(Connection c, int timeout) throws SQLException {
        String table = HOURLY;
        String[] span = span(c, timeout, table, "hour_start", "");
        JsonObject out = present(table);
        if (span == null) {
            return out.put("current", null).put("hours", new JsonArray());
        }
        long newest = Instant.parse(span[1]).toEpochMilli();
        String from = EventTimes.format(newest - 23 * AnalyticsTables.HOUR_MILLIS);
        JsonArray hours = new JsonArray();
        JsonObject current = null;
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.HOURLY_RANGE)) {
            ps.setQueryTimeout(timeout);
            ps.setString(1, from);
            ps.setString(2, span[1]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    current = new JsonObject()
                            .put("hour", rs.getString(1))
                            .put("users", rs.getLong(2))
                            .put("clicks", rs.getLong(3))
                            .put("impressions", rs.getLong(4))
                            .put("final", rs.getInt(5) != 0);
                    hours.add(current);
                }
            }
        }
        return out.put("range", new Range("24h", from, span[1]).json())
                .put("current", current)
                .put("hours", hours);
    }

    /** Rejected input by reason with the newest payloads, and late events by stream with the newest of them. */
    static JsonObject rejected(Connection c, int timeout, boolean sqlite) throws SQLException {
        JsonObject out = present(REJECTED);
        JsonArray reasons = grouped(c, timeout, ResultsSql.REJECTED_BY_REASON);
        long others = 0;
        int cut = 0;
        while (reasons.size() > MAX_REASONS) {
            others += reasons.getJsonObject(reasons.size() - 1).getLong("count");
            reasons.remove(reasons.size() - 1);
            cut++;
        }
        out.put("byReason", reasons)
                .put("otherReasons", new JsonObject().put("reasons", cut).put("count", others));
        JsonArray latest = new JsonArray();
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.rejectedLatest(sqlite))) {
            ps.setQueryTimeout(timeout);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String payload = rs.getString(5);
                    latest.add(new JsonObject()
                            .put("stream", rs.getString(1))
                            .put("source", rs.getString(2))
                            .put("position", rs.getString(3))
                            .put("reason", rs.getString(4))
                            .put("payload", payload == null ? null : shorten(payload)));
                }
            }
        }
        return out.put("latest", latest);
    }

    static JsonObject late(Connection c, int timeout) throws SQLException {
        JsonObject out = present(LATE);
        out.put("byStream", grouped(c, timeout, ResultsSql.LATE_BY_STREAM));
        JsonArray latest = new JsonArray();
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.LATE_LATEST)) {
            ps.setQueryTimeout(timeout);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    latest.add(new JsonObject()
                            .put("stream", rs.getString(1))
                            .put("event", rs.getString(2))
                            .put("user", rs.getString(3))
                            .put("time", rs.getString(4))
                            .put("watermark", rs.getString(5)));
                }
            }
        }
        return out.put("latest", latest);
    }

    private static String shorten(String payload) {
        return payload.length() <= PAYLOAD_CHARS ? payload : payload.substring(0, PAYLOAD_CHARS) + "…";
    }

    /** Name and count pairs, largest first. */
    private static JsonArray grouped(Connection c, int timeout, String sql) throws SQLException {
        List<JsonObject> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(timeout);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new JsonObject().put("name", rs.getString(1)).put("count", rs.getLong(2)));
                }
            }
        }
        rows.sort((a, b) -> {
            int byCount = Long.compare(b.getLong("count"), a.getLong("count"));
            return byCount != 0 ? byCount : a.getString("name").compareTo(b.getString("name"));
        });
        return new JsonArray(rows);
    }

    /** The oldest and newest {@code column} of {@code table} ({@link ResultsSql#span}); null when it has no rows. */
    private static String[] span(Connection c, int timeout, String table, String column, String where)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ResultsSql.span(table, column, where))) {
            ps.setQueryTimeout(timeout);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return null;
                }
                return new String[] {rs.getString(1), rs.getString(2)};
            }
        }
    }

    private static void bindRange(PreparedStatement ps, int timeout, Range range) throws SQLException {
        ps.setQueryTimeout(timeout);
        ps.setString(1, range.from());
        ps.setString(2, range.to());
    }
}
