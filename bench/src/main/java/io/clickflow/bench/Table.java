package io.clickflow.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A bench's results as an aligned table on the console and as CSV lines, from one list of columns: a column may be
 * shown, written, or both, each with its own formatting (the CSV keeps more digits).
 *
 * @param <R> one row's result
 */
final class Table<R> {
    /** One column; a null header is not shown, a null CSV name not written. */
    private record Column<R>(
            String header, int width, Function<R, String> shown, String csvName, Function<R, String> written) {}

    private final List<Column<R>> columns = new ArrayList<>();

    /**
     * A column in both: shown {@code width} characters wide (negative: left-aligned, as printf's {@code %-Ns}) and
     * written as {@code csvName}.
     */
    Table<R> column(String header, int width, Function<R, String> shown, String csvName, Function<R, String> written) {
        columns.add(new Column<>(header, width, shown, csvName, written));
        return this;
    }

    /** A column shown only. */
    Table<R> shown(String header, int width, Function<R, String> shown) {
        return column(header, width, shown, null, null);
    }

    /** A column written only. */
    Table<R> written(String csvName, Function<R, String> written) {
        return column(null, 0, null, csvName, written);
    }

    /** The header, a rule as long as it, and a line per row. */
    void print(PrintStream o, List<R> rows) {
        String header = line(columns.stream()
                .filter(c -> c.header() != null)
                .map(c -> pad(c.header(), c.width()))
                .toList());
        o.println(header);
        o.println("-".repeat(header.length()));
        for (R r : rows) {
            o.println(line(columns.stream()
                    .filter(c -> c.header() != null)
                    .map(c -> pad(c.shown().apply(r), c.width()))
                    .toList()));
        }
    }

    /** The CSV: the column names, then a line per row. */
    List<String> csv(List<R> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(csvLine(columns.stream()
                .filter(c -> c.csvName() != null)
                .map(Column::csvName)
                .toList()));
        for (R r : rows) {
            lines.add(csvLine(columns.stream()
                    .filter(c -> c.csvName() != null)
                    .map(c -> c.written().apply(r))
                    .toList()));
        }
        return lines;
    }

    /** One CSV line; a value holding a comma, a quote or a space is quoted. */
    static String csvLine(List<String> values) {
        List<String> quoted = new ArrayList<>(values.size());
        for (String v : values) {
            String s = v == null ? "" : v;
            quoted.add(s.matches(".*[\",\\s].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
        }
        return String.join(",", quoted);
    }

    /** {@code v} formatted, or empty when it was not measured (NaN). */
    static String num(String format, double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    /** {@code v} as a whole number, or empty when it was not measured (negative). */
    static String count(long v) {
        return v < 0 ? "" : Long.toString(v);
    }

    /** Bytes in MB, "?" when not measured. */
    static String mb(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%,.0f MB", bytes / 1e6);
    }

    private static String line(List<String> cells) {
        return String.join(" ", cells).stripTrailing();
    }

    private static String pad(String s, int width) {
        String v = s == null ? "" : s;
        return width < 0 ? String.format("%-" + -width + "s", v) : String.format("%" + width + "s", v);
    }
}
