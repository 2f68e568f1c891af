package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.AttributionTables;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The sink's upsert guard, on real SQLite: any subset of the rows the attribution function emitted,
 * applied in any order with any repetition, leaves the same table as that subset applied in emission
 * order; the whole set leaves the function's final answer.
 */
class AttributedUpsertPropertyTest {
    /** Rows of an update-mode run with disorder, late events and duplicates: many rows per page view. */
    static List<AttributedPageView> emitted;

    @BeforeAll
    static void emitRows() throws Exception {
        emitted = updateModeRows();
    }

    /** The rows of one seeded update-mode run (computed once per JVM; other database tests reuse them). */
    static synchronized List<AttributedPageView> updateModeRows() throws Exception {
        if (cachedRows != null) {
            return cachedRows;
        }
        List<AttributedPageView> emitted;
        ClickstreamGenerator generator = new ClickstreamGenerator(ClickstreamGenerator.Config.defaults()
                .withSeed(3)
                .withUsers(40)
                .withEventsPerSecond(2)
                .withClickRatio(0.4)
                .withMaxDisorderMillis(20_000)
                .withLateFraction(0.05)
                .withLateByMillis(120_000)
                .withDuplicateFraction(0.05));
        try (AttributionHarness h = new AttributionHarness(EmitMode.UPDATE)) {
            long maxSeen = Long.MIN_VALUE;
            for (int i = 0; i < 3000; i++) {
                ClickstreamGenerator.Event e = generator.next();
                if (e.click() != null) {
                    h.click(e.click().clickId, e.click().userId, e.click().campaignId, e.click().eventTime);
                    maxSeen = Math.max(maxSeen, e.click().eventTime);
                } else {
                    h.view(e.view().pageViewId, e.view().userId, e.view().eventTime);
                    maxSeen = Math.max(maxSeen, e.view().eventTime);
                }
                if (i % 10 == 0) {
                    h.watermark(maxSeen - 5_000 - 1);
                }
            }
            h.endOfInput();
            emitted = h.rows();
            assertThat(h.lateEvents()).as("the input must have late events").isNotEmpty();
        }
        long provisional = emitted.stream().filter(r -> !r.isFinal).count();
        assertThat(provisional).as("update mode must emit provisional rows").isGreaterThan(emitted.size() / 4);
        cachedRows = emitted;
        return emitted;
    }

    private static List<AttributedPageView> cachedRows;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    @Timeout(60)
    void anyOrderAndRepetitionOfAnySubsetConvergesToTheSameTable(long seed) throws Exception {
        Replay replay = Replay.of(emitted, seed);
        TreeMap<String, String> inEmissionOrder = applyToFreshTable(replay.subset());
        TreeMap<String, String> inAnyOrder = applyToFreshTable(replay.shuffled());
        assertThat(inAnyOrder).isEqualTo(inEmissionOrder);
        if (replay.everything()) {
            assertThat(inAnyOrder).isEqualTo(applyToFreshTable(finalRowsOnly()));
            assertThat(inAnyOrder.values()).allMatch(row -> row.endsWith("|1"));
        }
    }

    /**
     * The batching sink merges rows of one page view in memory before writing: merged in any order, in
     * batches of any size, the table must be the one the rows give when each is written on its own.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    @Timeout(60)
    void mergingRowsInBatchesBeforeWritingGivesTheSameTable(long seed) throws Exception {
        Replay replay = Replay.of(emitted, seed);
        TreeMap<String, String> unmerged = applyToFreshTable(replay.shuffled());
        Random random = new Random(seed);
        List<AttributedPageView> merged = new ArrayList<>();
        List<AttributedPageView> rows = replay.shuffled();
        for (int from = 0; from < rows.size(); ) {
            int to = Math.min(rows.size(), from + 1 + random.nextInt(500));
            LinkedHashMap<String, AttributedPageView> batch = new LinkedHashMap<>();
            for (AttributedPageView row : rows.subList(from, to)) {
                batch.merge(row.pageViewId, row, AttributionTables::keepAttributed);
            }
            merged.addAll(batch.values());
            from = to;
        }
        assertThat(merged.size()).as("merging removes writes").isLessThan(rows.size());
        assertThat(applyToFreshTable(merged)).isEqualTo(unmerged);
    }

    /**
     * A seeded subset of the emitted rows in emission order, and the same subset shuffled with a third
     * more redeliveries. Even seeds keep every row, odd ones 60%.
     */
    record Replay(List<AttributedPageView> subset, List<AttributedPageView> shuffled, boolean everything) {
        static Replay of(List<AttributedPageView> emitted, long seed) {
            Random random = new Random(seed);
            List<AttributedPageView> subset = new ArrayList<>();
            double keep = seed % 2 == 0 ? 1.0 : 0.6;
            for (AttributedPageView row : emitted) {
                if (random.nextDouble() < keep) {
                    subset.add(row);
                }
            }
            List<AttributedPageView> shuffled = new ArrayList<>(subset);
            for (int i = 0; i < subset.size() / 3; i++) {
                shuffled.add(subset.get(random.nextInt(subset.size()))); // redeliveries
            }
            Collections.shuffle(shuffled, random);
            return new Replay(subset, shuffled, keep == 1.0);
        }
    }

    /** The last final row the function emitted per page view: what the table must end with. */
    static List<AttributedPageView> finalRowsOnly() {
        return finalRowsOnly(emitted);
    }

    static List<AttributedPageView> finalRowsOnly(List<AttributedPageView> emitted) {
        TreeMap<String, AttributedPageView> last = new TreeMap<>();
        for (AttributedPageView row : emitted) {
            if (row.isFinal) {
                last.merge(row.pageViewId, row, (a, b) -> AttributionHarness.rank(b, a) > 0 ? b : a);
            }
        }
        return new ArrayList<>(last.values());
    }

    /** Applies rows one batch at a time through the sink's statement to a new in-memory SQLite. */
    static TreeMap<String, String> applyToFreshTable(List<AttributedPageView> rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            try (Statement s = c.createStatement()) {
                s.execute(AttributionTables.ATTRIBUTED_DDL);
            }
            return apply(c, rows);
        }
    }

    /** Applies rows in batches of 50 through the sink's statement, then reads the table back. */
    static TreeMap<String, String> apply(Connection c, List<AttributedPageView> rows) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(AttributionTables.UPSERT_ATTRIBUTED)) {
            for (int i = 0; i < rows.size(); i++) {
                AttributionTables.bindAttributed(ps, rows.get(i));
                ps.addBatch();
                if (i % 50 == 49) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
        TreeMap<String, String> table = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM attributed_page_views")) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int col = 1; col <= 7; col++) {
                    row.append(col > 1 ? "|" : "").append(rs.getString(col));
                }
                table.put(rs.getString(1), row.toString());
            }
        }
        return table;
    }
}
