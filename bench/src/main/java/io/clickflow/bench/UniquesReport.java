package io.clickflow.bench;

import io.clickflow.tables.Database;
import io.clickflow.tables.UniquesTables;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The uniques bench's results: a row per case, the progress lines, the table and CSV, the SQL peer's agreement. */
final class UniquesReport {
    private UniquesReport() {}

    /** One row of the table. */
    static final class Row {
        final String name;
        final long frames;
        final long bytes;
        final long nanos;
        final Row ceiling;
        long peakRss = -1;
        long windows = -1;
        long late = -1;
        /** CPU time of the measuring JVM (not the broker's) over the case. */
        long cpuNanos = -1;
        /** The same job's first run in a fresh JVM, when warmed up; -1 otherwise. */
        long coldNanos = -1;

        Row(String name, long frames, long bytes, long nanos, Row ceiling) {
            this.name = name;
            this.frames = frames;
            this.bytes = bytes;
            this.nanos = nanos;
            this.ceiling = ceiling;
        }

        /** Frames/s over its ceiling's (NaN: no ceiling). */
        double vsCeiling() {
            return ceiling == null ? Double.NaN : framesPerSecond() / ceiling.framesPerSecond();
        }

        double cpuMicrosPerFrame() {
            return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / frames;
        }

        double framesPerSecond() {
            return frames / (nanos / 1e9);
        }

        double mbPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }
    }

    /** The line printed when a case ends; the row again, measured against {@code ceiling} when there is one. */
    static Row progress(Row r, Row ceiling) {
        Row row = ceiling == null ? r : new Row(r.name, r.frames, r.bytes, r.nanos, ceiling);
        row.peakRss = r.peakRss;
        row.windows = r.windows;
        row.late = r.late;
        row.cpuNanos = r.cpuNanos;
        row.coldNanos = r.coldNanos;
        System.out.printf(
                Locale.ROOT,
                "  %s: %,.0f frames/s, %.1f MB/s (%.1f s)%s%n",
                row.name,
                row.framesPerSecond(),
                row.mbPerSecond(),
                row.nanos / 1e9,
                ceiling == null
                        ? ""
                        : String.format(
                                Locale.ROOT, ", %.2fx the ceiling", row.framesPerSecond() / ceiling.framesPerSecond()));
        return row;
    }

    /** The table's columns; the CSV has every number, with more digits. */
    static final Table<Row> TABLE = new Table<Row>()
            .column("case", -66, r -> r.name, "case", r -> r.name)
            .written("frames", r -> Long.toString(r.frames))
            .written("bytes", r -> Long.toString(r.bytes))
            .written("seconds", r -> num("%.3f", r.nanos / 1e9))
            .column(
                    "frames/s",
                    11,
                    r -> num("%,.0f", r.framesPerSecond()),
                    "frames_per_second",
                    r -> num("%.0f", r.framesPerSecond()))
            .column("MB/s", 8, r -> num("%.1f", r.mbPerSecond()), "mb_per_second", r -> num("%.1f", r.mbPerSecond()))
            .column("/ceiling", 9, r -> num("%.2fx", r.vsCeiling()), "vs_ceiling", r -> num("%.3f", r.vsCeiling()))
            .shown("time", 7, r -> num("%.1fs", r.nanos / 1e9))
            .column(
                    "CPU us/f",
                    8,
                    r -> num("%.1f", r.cpuMicrosPerFrame()),
                    "cpu_us_per_frame",
                    r -> num("%.2f", r.cpuMicrosPerFrame()))
            .shown("cold f/s", 9, r -> num("%,.0f", r.coldNanos < 0 ? Double.NaN : r.frames / (r.coldNanos / 1e9)))
            .column(
                    "peak RSS",
                    9,
                    r -> r.peakRss < 0 ? "" : Table.mb(r.peakRss),
                    "peak_rss_bytes",
                    r -> Long.toString(r.peakRss))
            .column("windows", 8, r -> Table.count(r.windows), "windows", r -> Long.toString(r.windows))
            .column("late", 6, r -> Table.count(r.late), "late_frames", r -> Long.toString(r.late));

    private static String num(String format, double v) {
        return Table.num(format, v);
    }

    /**
     * The file cases next to the Flink SQL peer: speed ratios, and whether the peer's final counts agree with the
     * exact job's (they differ only in windows where clickflow corrected for frames later than the watermark, which
     * SQL's window aggregation drops).
     */
    static void comparePeer(List<Row> rows, Path run) throws Exception {
        Row sql = rows.stream()
                .filter(r -> r.name.contains("Flink SQL"))
                .findFirst()
                .orElse(null);
        if (sql == null) {
            return;
        }
        for (Row r : rows) {
            if (r.name.startsWith("file: clickflow")) {
                System.out.printf(
                        Locale.ROOT,
                        "%s / Flink SQL peer: %.2fx frames/s, %.2fx CPU per frame%n",
                        r.name,
                        r.framesPerSecond() / sql.framesPerSecond(),
                        (double) r.cpuNanos / sql.cpuNanos);
            }
        }
        Path exact = run.resolve("file-exact.db");
        if (!Files.exists(exact)) {
            return;
        }
        String query = "SELECT window_seconds, window_start, unique_users FROM " + UniquesTables.UNIQUE_USERS.name()
                + " WHERE is_final = 1";
        Map<String, Long> ours = finalCounts(exact, query);
        Map<String, Long> peer = finalCounts(run.resolve("file-sql.db"), query);
        long same = ours.entrySet().stream()
                .filter(e -> e.getValue().equals(peer.get(e.getKey())))
                .count();
        System.out.printf(
                "Flink SQL peer's final counts: %,d of clickflow exact's %,d windows equal (%,d windows in the peer's"
                        + " table; the others differ by frames later than the watermark: clickflow corrects, SQL"
                        + " drops them)%n",
                same, ours.size(), peer.size());
    }

    private static Map<String, Long> finalCounts(Path db, String query) throws Exception {
        Map<String, Long> counts = new HashMap<>();
        try (Connection c = Database.of("jdbc:sqlite:" + db).connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                counts.put(rs.getLong(1) + "/" + rs.getString(2), rs.getLong(3));
            }
        }
        return counts;
    }
}
