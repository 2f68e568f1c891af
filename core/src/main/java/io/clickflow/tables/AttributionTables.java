package io.clickflow.tables;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Objects;

/**
 * The attribution job's tables and their upserts. Every upsert sets values (never increments) and
 * only moves a row forward in a fixed order, so a retried or replayed batch, in any order, leaves the
 * same table.
 */
public final class AttributionTables {
    private AttributionTables() {}

    public static final String ATTRIBUTED_DDL = "CREATE TABLE IF NOT EXISTS attributed_page_views ("
            + "page_view_id TEXT PRIMARY KEY, "
            + "user_id TEXT NOT NULL, "
            + "event_time TEXT NOT NULL, "
            + "attributed_campaign_id TEXT, "
            + "attributed_click_id TEXT, "
            + "attributed_click_time TEXT, "
            + "is_final INTEGER NOT NULL, "
            + "url TEXT)";

    /** Tables made before page views kept their URL get the column; their rows stay. */
    public static final String ADD_URL = "ALTER TABLE attributed_page_views ADD COLUMN url TEXT";

    /**
     * A row replaces the stored one only if it ranks higher by (is_final, click time, click id), with
     * "no click" lowest: final beats provisional, a better click beats a worse one, and nothing moves a
     * final row back. The table holds the maximum of whatever subset of rows was applied.
     */
    public static final String UPSERT_ATTRIBUTED =
            "INSERT INTO attributed_page_views (page_view_id, user_id, event_time, attributed_campaign_id, "
                    + "attributed_click_id, attributed_click_time, is_final, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    + "ON CONFLICT (page_view_id) DO UPDATE SET "
                    + "user_id = excluded.user_id, "
                    + "event_time = excluded.event_time, "
                    + "url = excluded.url, "
                    + "attributed_campaign_id = excluded.attributed_campaign_id, "
                    + "attributed_click_id = excluded.attributed_click_id, "
                    + "attributed_click_time = excluded.attributed_click_time, "
                    + "is_final = excluded.is_final "
                    + "WHERE (excluded.is_final, COALESCE(excluded.attributed_click_time, ''), COALESCE(excluded.attributed_click_id, '')) "
                    + "> (attributed_page_views.is_final, COALESCE(attributed_page_views.attributed_click_time, ''), "
                    + "COALESCE(attributed_page_views.attributed_click_id, ''))";

    /**
     * Of two rows of one page view, the one {@link #UPSERT_ATTRIBUTED} keeps whatever order they are applied
     * in: the higher by (is_final, click time, click id), no click lowest; on a tie, the stored one.
     */
    public static final UpsertTable<AttributedPageView> ATTRIBUTED = new UpsertTable<>(
                    "attributed_page_views",
                    ATTRIBUTED_DDL,
                    UPSERT_ATTRIBUTED,
                    AttributionTables::bindAttributed,
                    row -> row.pageViewId,
                    AttributionTables::keepAttributed)
            .agedBy("event_time");

    /** The attributed rows, then the rejected and late events every job keeps. */
    public static final List<String> DDL = DeadLetterTables.withDeadLetterTables(
            ATTRIBUTED_DDL, ADD_URL, UpsertTable.timeIndex(ATTRIBUTED.name(), ATTRIBUTED.timeColumn()));

    public static AttributedPageView keepAttributed(AttributedPageView stored, AttributedPageView incoming) {
        return rank(incoming, stored) > 0 ? incoming : stored;
    }

    private static int rank(AttributedPageView a, AttributedPageView b) {
        if (a.isFinal != b.isFinal) {
            return a.isFinal ? 1 : -1;
        }
        if (!Objects.equals(a.clickTime, b.clickTime)) {
            return a.clickTime == null ? -1 : b.clickTime == null ? 1 : Long.compare(a.clickTime, b.clickTime);
        }
        if (a.clickId == null || b.clickId == null) {
            return a.clickId == null ? (b.clickId == null ? 0 : -1) : 1;
        }
        return TextOrder.compare(a.clickId, b.clickId);
    }

    public static void bindAttributed(PreparedStatement ps, AttributedPageView row) throws SQLException {
        ps.setString(1, row.pageViewId);
        ps.setString(2, row.userId);
        ps.setString(3, EventTimes.format(row.eventTime));
        ps.setString(4, row.campaignId);
        ps.setString(5, row.clickId);
        if (row.clickTime == null) {
            ps.setNull(6, Types.VARCHAR);
        } else {
            ps.setString(6, EventTimes.format(row.clickTime));
        }
        ps.setInt(7, row.isFinal ? 1 : 0);
        ps.setString(8, row.url);
    }
}
