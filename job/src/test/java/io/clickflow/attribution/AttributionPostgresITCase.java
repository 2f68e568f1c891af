package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.testing.PostgresTestServer;
import io.clickflow.testing.ResultTables;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;

/**
 * PostgreSQL as the sink, on a real PostgreSQL 17 server: the same tables and the same order-insensitive
 * upsert as on SQLite, with parallel writers, on a server whose default collation is not code-point order.
 */
class AttributionPostgresITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @RegisterExtension
    static final PostgresTestServer POSTGRES = new PostgresTestServer();

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    @Timeout(180)
    void replayIntoPostgresWithParallelWritersMatchesBruteForce(EmitMode mode, @TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                        ClickstreamGenerator.Config.defaults()
                                .withSeed(11)
                                .withUsers(1500)
                                .withEventsPerSecond(25)
                                .withClickRatio(0.2)
                                .withMaxDisorderMillis(4000)
                                .withMalformedFraction(0.002)
                                .withDuplicateFraction(0.01),
                        30_000)
                .writeFiles(dir.resolve("clicks.jsonl"), dir.resolve("page_views.jsonl"));
        Database db = POSTGRES.newDatabase();
        db.createTables(AttributionTables.DDL);

        AttributionPipelines.runAttribution(
                AttributionPipelines.settings(mode, Duration.ofSeconds(5), Duration.ZERO),
                Sources.file(input.clicksFile, new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.file(input.viewsFile, new PageViewDecoder(), PageViewDecoder.TYPE),
                db);

        BruteForceAttribution.assertTableMatches(input, db);
        assertThat(ResultTables.rejected(db).keySet()).isEqualTo(input.malformedPositions);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    @Timeout(120)
    void anyOrderAndRepetitionOfAnySubsetConvergesToTheSameTable(long seed) throws Exception {
        List<AttributedPageView> emitted = AttributedUpsertPropertyTest.updateModeRows();
        AttributedUpsertPropertyTest.Replay replay = AttributedUpsertPropertyTest.Replay.of(emitted, seed);
        TreeMap<String, String> inEmissionOrder = applyToFreshDatabase(replay.subset());
        TreeMap<String, String> inAnyOrder = applyToFreshDatabase(replay.shuffled());
        assertThat(inAnyOrder).isEqualTo(inEmissionOrder);
        // Same rows, same answer as SQLite.
        assertThat(inAnyOrder).isEqualTo(AttributedUpsertPropertyTest.applyToFreshTable(replay.subset()));
        if (replay.everything()) {
            assertThat(inAnyOrder).isEqualTo(applyToFreshDatabase(AttributedUpsertPropertyTest.finalRowsOnly(emitted)));
        }
    }

    @Test
    @Timeout(60)
    void clickIdsAndTimesCompareByCodePointWhateverTheServerCollation() throws Exception {
        long viewTime = 1_704_110_400_000L;
        long clickTime = viewTime - 60_000;
        // Same click time: the greater click id wins. By code point 'a' (0x61) > 'Z' (0x5A); the server's
        // en-US collation says the opposite, so without "C" columns the guard would keep the wrong click.
        AttributedPageView lowerCase = row("pv", new AdClick("a-click", "u", "A", clickTime));
        AttributedPageView upperCase = row("pv", new AdClick("Z-click", "u", "B", clickTime));
        for (List<AttributedPageView> order : List.of(List.of(lowerCase, upperCase), List.of(upperCase, lowerCase))) {
            assertThat(applyToFreshDatabase(order).get("pv")).contains("|a-click|");
        }
        Database db = POSTGRES.newDatabase();
        db.createTables(AttributionTables.DDL);
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT DISTINCT collation_name FROM information_schema.columns WHERE data_type = 'text' AND table_schema = 'public'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("C");
            assertThat(rs.next()).as("every text column has collation C").isFalse();
        }
    }

    private static AttributedPageView row(String pageViewId, AdClick click) {
        return new AttributedPageView(
                pageViewId,
                click.userId,
                click.eventTime + 60_000,
                null,
                click.campaignId,
                click.clickId,
                click.eventTime,
                false);
    }

    /** A table made before page views kept their URL gets the column, and keeps its rows. */
    @Test
    void anExistingTableGetsTheUrlColumnAndKeepsItsRows() throws Exception {
        Database db = POSTGRES.newDatabase();
        AttributionTablesTest.createTheTableWithoutUrl(db);
        db.createTables(AttributionTables.DDL);
        db.createTables(AttributionTables.DDL); // again: the column is there now
        AttributionTablesTest.assertRowKeptAndUrlWritable(db);
    }

    private static TreeMap<String, String> applyToFreshDatabase(List<AttributedPageView> rows) throws Exception {
        Database db = POSTGRES.newDatabase();
        db.createTables(AttributionTables.DDL);
        try (Connection c = db.connect()) {
            return AttributedUpsertPropertyTest.apply(c, rows);
        }
    }
}
