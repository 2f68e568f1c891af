package io.clickflow.api;

import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.HourlyStats;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.RejectedEvent;
import io.clickflow.tables.UniqueUsers;
import io.clickflow.tables.UniquesTables;
import io.clickflow.tables.UpsertTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Known rows in every table the results page reads, written as the jobs' sinks write them (their DDL, upsert and
 * binder), in event time of 2024 as a replay would leave them, spanning under a day (so the default range is all).
 */
final class ResultsScenario {
    private ResultsScenario() {}

    static final long T0 = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;

    /** camp-a: 3 final + 1 provisional; camp-b: 2 final; unattributed: 1 final + 1 provisional. */
    static final int PAGE_VIEWS = 8;

    static final int CAMP_A_FINAL = 3;
    static final int CAMP_A_PROVISIONAL = 1;
    static final int CAMP_B_FINAL = 2;

    /** One-minute windows of unique users, the last provisional, one with HLL bounds. */
    static final int MINUTE_WINDOWS = 5;

    /** The newest hour of hourly_stats: the page's current hour. */
    static final long CURRENT_HOUR = T0;

    static final long CURRENT_USERS = 7;
    static final long CURRENT_CLICKS = 3;
    static final long CURRENT_IMPRESSIONS = 11;

    /** As long as a JSON parser's reasons get: it must wrap, not widen a phone's page. */
    static final String LONG_REASON = "not valid JSON: Unexpected character ('<' (code 60)): expected a valid value "
            + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false') at line 1, column 2";

    static final String SCRIPT_PAYLOAD = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";

    static void write(Database db) throws Exception {
        List<AttributedPageView> views = new ArrayList<>();
        for (int i = 0; i < CAMP_A_FINAL + CAMP_A_PROVISIONAL; i++) {
            views.add(view("pv-a" + i, T0 + i * MINUTE, "camp-a", i < CAMP_A_FINAL));
        }
        for (int i = 0; i < CAMP_B_FINAL; i++) {
            views.add(view("pv-b" + i, T0 + (10 + i) * MINUTE, "camp-b", true));
        }
        views.add(view("pv-n0", T0 + 20 * MINUTE, null, true));
        views.add(view("pv-n1", T0 + 21 * MINUTE, null, false));
        upsert(db, AttributionTables.DDL, AttributionTables.ATTRIBUTED, views);

        List<UniqueUsers> windows = new ArrayList<>();
        for (int i = 0; i < MINUTE_WINDOWS; i++) {
            windows.add(minuteWindow(i, 10 + i, i == MINUTE_WINDOWS - 1));
        }
        windows.add(new UniqueUsers(T0, T0 + HOUR, 40, 40, 40, false));
        upsert(db, UniquesTables.DDL, UniquesTables.UNIQUE_USERS, windows);

        upsert(
                db,
                AnalyticsTables.DDL,
                AnalyticsTables.HOURLY,
                List.of(
                        new HourlyStats(T0 - 2 * HOUR, 4, 1, 6, true),
                        new HourlyStats(T0 - HOUR, 5, 2, 8, true),
                        new HourlyStats(CURRENT_HOUR, CURRENT_USERS, CURRENT_CLICKS, CURRENT_IMPRESSIONS, false)));

        upsert(
                db,
                AnalyticsTables.DDL,
                DeadLetterTables.REJECTED,
                List.of(
                        new RejectedEvent("ad_click", "ad_clicks", "0:17", LONG_REASON, SCRIPT_PAYLOAD),
                        new RejectedEvent("page_view", "page_views", "1:3", "user_id is missing", "{\"url\":\"/\"}"),
                        new RejectedEvent("page_view", "page_views", "1:4", "user_id is missing", "{}")));
        upsert(
                db,
                AnalyticsTables.DDL,
                DeadLetterTables.LATE,
                List.of(
                        new LateEvent(LateEvent.AD_CLICK, "c-9", "u1", T0 - HOUR, T0),
                        new LateEvent(LateEvent.PAGE_VIEW, "p-8", "u2", T0 - HOUR, T0),
                        new LateEvent(LateEvent.PAGE_VIEW, "p-9", "u3", T0 - HOUR, T0 + MINUTE)));
    }

    /** Window {@code i} minutes after T0; odd ones are HLL estimates with bounds. */
    static UniqueUsers minuteWindow(int i, long users, boolean provisional) {
        long start = T0 + i * MINUTE;
        long spread = i % 2 == 1 ? 2 : 0;
        return new UniqueUsers(start, start + MINUTE, users, users - spread, users + spread, !provisional);
    }

    static AttributedPageView view(String id, long time, String campaign, boolean isFinal) {
        return new AttributedPageView(
                id,
                "user-" + id,
                time,
                "/p/" + id,
                campaign,
                campaign == null ? null : "click-" + id,
                campaign == null ? null : time - MINUTE,
                isFinal);
    }

    /** Writes rows as the job's sink does: its DDL, its upsert statement and binder. */
    static <T> void upsert(Database db, List<String> ddl, UpsertTable<T> table, List<T> rows) throws Exception {
        db.createTables(ddl);
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement(table.upsert())) {
            for (T row : rows) {
                table.binder().bind(ps, row);
                ps.executeUpdate();
            }
        }
    }
}
