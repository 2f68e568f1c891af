package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/** The attributed table of an older clickflow (no url column) gets the column added, not recreated: its rows stay. */
class AttributionTablesTest {

    @Test
    void anExistingSqliteTableGetsTheUrlColumnAndKeepsItsRows(@TempDir Path dir) throws Exception {
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("old.db"));
        createTheTableWithoutUrl(db);
        db.createTables(AttributionTables.DDL);
        db.createTables(AttributionTables.DDL); // again: the column is there now
        assertRowKeptAndUrlWritable(db);
    }

    /** The table as clickflow made it before the url column, with one row. */
    static void createTheTableWithoutUrl(Database db) throws Exception {
        db.createTables(
                List.of("CREATE TABLE attributed_page_views (page_view_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
                        + "event_time TEXT NOT NULL, attributed_campaign_id TEXT, attributed_click_id TEXT, attributed_click_time TEXT, "
                        + "is_final INTEGER NOT NULL)"));
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.executeUpdate(
                    "INSERT INTO attributed_page_views VALUES ('old', 'u', '2024-01-01T00:00:00.000Z', NULL, NULL, NULL, 1)");
        }
    }

    static void assertRowKeptAndUrlWritable(Database db) throws Exception {
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement(AttributionTables.UPSERT_ATTRIBUTED)) {
                AttributionTables.bindAttributed(
                        ps,
                        new AttributedPageView(
                                "new", "u", 1_704_067_200_000L, "https://example.com/a", null, null, null, true));
                ps.executeUpdate();
            }
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT page_view_id, url FROM attributed_page_views ORDER BY page_view_id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("new");
                assertThat(rs.getString(2)).isEqualTo("https://example.com/a");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("old");
                assertThat(rs.getString(2)).isNull();
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
