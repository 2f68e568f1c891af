package io.clickflow.bench;

import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The counting benches' results (uniques, analytics): a row per case, the progress lines, the table and CSV, each
 * Flink SQL peer's speed next to the clickflow cases of its source, and the final counts a case left in its database.
 */
final class CountReport {
    private CountReport() {}

    /** A bench's words for its input's records ({@code frames}, {@code frame}, {@code f}) and its windows. */
    record Unit(String plural, String singular, String letter, String windows) {}

    static final Unit FRAMES = new Unit("frames", "frame", "f", "windows");
    static final Unit EVENTS = new Unit("events", "event", "e", "hours");

    /** One row of the table. */
    static final class Row {
        final String name;
        /** The input's records: frames or events. */
        final long records;

        final long bytes;
        final long nanos;
        /** What it is measured against, or null. */
        Row ceiling;

        long peakRss = -1;
        long windows = -1;
        long late = -1;
        /** CPU time of the measuring JVM (not the broker's) over the case. */
        long cpuNanos = -1;
        /** The same job's first run in a fresh JVM, when warmed up; -1 otherwise. */
        long coldNanos = -1;

        Row(String name, long records, long bytes, long nanos) {
            this.name = name;
            this.records = records;
            this.bytes = bytes;
            this.nanos = nanos;
        }

        /** Records/s over its ceiling's (NaN: no ceiling). */
        double vsCeiling() {
            return ceiling == null ? Double.NaN : perSecond() / ceiling.perSecond();
        }

        double cpuMicrosPerRecord() {
            return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / records;
        }

        double perSecond() {
            return records / (nanos / 1e9);
        }

        double mbPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }

        /** The source it read, as its name begins: {@code "file: "} or {@code "kafka: "}. */
        String source() {
            return name.substring(0, name.indexOf(": ") + 2);
        }
    }

    /** The line printed when a case ends; the row, measured against {@code ceiling} when there is one. */
    static Row progress(Row r, Row ceiling, Unit unit) {
        Row row = r;
        row.ceiling = ceiling;
        System.out.printf(
                Locale.ROOT,
                "  %s: %,.0f %s/s, %.1f MB/s (%.1f s)%s%n",
                row.name,
                row.perSecond(),
                unit.plural(),
                row.mbPerSecond(),
                row.nanos / 1e9,
                ceiling == null ? "" : String.format(Locale.ROOT, ", %.2fx the ceiling", row.vsCeiling()));
        return row;
    }

    /**
     * The table's columns in {@code unit}'s words, with a column for the ceiling where the bench has ceilings; the
     * CSV has every number, with more digits.
     */
    static Table<Row> table(Unit unit, boolean ceilings) {
        String l = unit.letter();
        Table<Row> table = new Table<Row>()
                .column("case", -66, r -> r.name, "case", r -> r.name)
                .written(unit.plural(), r -> Long.toString(r.records))
                .written("bytes", r -> Long.toString(r.bytes))
                .written("seconds", r -> num("%.3f", r.nanos / 1e9))
                .column(
                        unit.plural() + "/s",
                        11,
                        r -> num("%,.0f", r.perSecond()),
                        unit.plural() + "_per_second",
                        r -> num("%.0f", r.perSecond()))
                .column(
                        "MB/s",
                        8,
                        r -> num("%.1f", r.mbPerSecond()),
                        "mb_per_second",
                        r -> num("%.1f", r.mbPerSecond()));
        if (ceilings) {
            table.column(
                    "/ceiling", 9, r -> num("%.2fx", r.vsCeiling()), "vs_ceiling", r -> num("%.3f", r.vsCeiling()));
        }
        return table.shown("time", 7, r -> num("%.1fs", r.nanos / 1e9))
                .column(
                        "CPU us/" + l,
                        8,
                        r -> num("%.1f", r.cpuMicrosPerRecord()),
                        "cpu_us_per_" + unit.singular(),
                        r -> num("%.2f", r.cpuMicrosPerRecord()))
                .shown(
                        "cold " + l + "/s",
                        9,
                        r -> num("%,.0f", r.coldNanos < 0 ? Double.NaN : r.records / (r.coldNanos / 1e9)))
                .column(
                        "peak RSS",
                        9,
                        r -> r.peakRss < 0 ? "" : Table.mb(r.peakRss),
                        "peak_rss_bytes",
                        r -> Long.toString(r.peakRss))
                .column(unit.windows(), 8, r -> Table.count(r.windows), unit.windows(), r -> Long.toString(r.windows))
                .column("late", 6, r -> Table.count(r.late), "late_" + unit.plural(), r -> Long.toString(r.late));
    }

    private static String num(String format, double v) {
        return Table.num(format, v);
    }

    /**
     * Each Flink SQL peer next to the clickflow cases that read the same source: their speed and CPU per record over
     * the peer's; {@code note} says what a clickflow case does beyond the peer (empty: nothing).
     */
    static void comparePeers(List<Row> rows, Unit unit, Function<Row, String> note) {
        for (Row sql : rows) {
            if (!sql.name.contains("Flink SQL")) {
                continue;
            }
            for (Row r : rows) {
                if (r.name.startsWith(sql.source() + "clickflow")) {
                    System.out.printf(
                            Locale.ROOT,
                            "%s / Flink SQL peer: %.2fx %s/s, %.2fx CPU per %s%s%n",
                            r.name,
                            r.perSecond() / sql.perSecond(),
                            unit.plural(),
                            (double) r.cpuNanos / sql.cpuNanos,
                            unit.singular(),
                            note.apply(r));
                }
            }
        }
    }

    /** The rows {@code query} returns from a case's SQLite file: the first column's text to the others' numbers. */
    static Map<String, List<Long>> finalCounts(Path db, String query) throws Exception {
        Map<String, List<Long>> counts = new HashMap<>();
        try (Connection c = Database.of("jdbc:sqlite:" + db).connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Long[] values = new Long[columns - 1];
                for (int i = 2; i <= columns; i++) {
                    values[i - 2] = rs.getLong(i);
                }
                counts.put(rs.getString(1), List.of(values));
            }
        }
        return counts;
    }
}
