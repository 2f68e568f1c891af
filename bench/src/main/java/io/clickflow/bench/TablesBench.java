package io.clickflow.bench;

import io.clickflow.api.ResultsSql;
import io.clickflow.commandline.Cli;
import io.clickflow.io.TableRetention;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.UniquesTables;
import io.clickflow.testing.LocalPostgres;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow bench tables}: what a big attributed_page_views table costs in SQLite and in PostgreSQL, side by
 * side in one run: bytes per row, the results page's queries over the newest 15 minutes and hour with and without
 * the event_time index, one {@code --retention} batch, and the smaller tables the page and the API read.
 */
@Command(
        name = "tables",
        description = {
            "Measures big result tables in SQLite and a throwaway PostgreSQL (with fsync): bytes per row, the results",
            "page's queries with and without the event_time index, a --retention batch, and the other tables' reads."
        })
public final class TablesBench implements Callable<Integer> {
    /** 2024-03-01T00:00:00Z: the first page view's time; one more every millisecond. */
    static final long START = 1_709_251_200_000L;

    /** Rows of hourly_stats: a year of hours. */
    static final int HOURS = 365 * 24;

    /** Rows of unique_users: a year of 1-minute windows. */
    static final int MINUTES = 365 * 24 * 60;

    /** A rejected and a late event per this many page views. */
    static final int DEAD_LETTER_EVERY = 100;

    /** Runs of each query; the best counts, as the page's refreshes find the table's pages cached. */
    static final int RUNS = 3;

    private static final String PAGE_VIEWS = AttributionTables.ATTRIBUTED.name();
    private static final String TIME_INDEX = PAGE_VIEWS + "_" + AttributionTables.ATTRIBUTED.timeColumn();

    @Option(
            names = "--rows",
            paramLabel = "N",
            defaultValue = "10000000",
            description = "Rows of attributed_page_views, 1 ms of event time apart (1,000 page views per second).")
    int rows;

    @Option(
            names = "--databases",
            paramLabel = "LIST",
            defaultValue = "sqlite,postgresql",
            description = "sqlite (a file in the run folder, deleted at the end), postgresql (a PostgreSQL 17 from"
                    + " Maven Central, started for the run).")
    String databases;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (plans.txt, results.csv, the SQLite file while it runs) goes.")
    Path out;

    /** What the two databases spell differently: numbers and times made in SQL, sizes on disk, plans. */
    enum Dialect {
        SQLITE("SQLite", "SELECT sqlite_version()", "EXPLAIN QUERY PLAN "),
        POSTGRESQL("PostgreSQL", "SHOW server_version", "EXPLAIN ");

        final String label;
        final String version;
        final String explain;

        Dialect(String label, String version, String explain) {
            this.label = label;
            this.version = version;
            this.explain = explain;
        }

        /** A {@code WITH} clause naming {@code n(v)}: the whole numbers from, to. */
        String numbers(long from, long to) {
            // No generate_series in the SQLite clickflow links (it is the sqlite3 shell's extension).
            return this == SQLITE
                    ? "WITH RECURSIVE n(v) AS (SELECT " + from + " UNION ALL SELECT v + 1 FROM n WHERE v < " + to + ") "
                    : "WITH n(v) AS (SELECT * FROM generate_series(" + from + "::bigint, " + to + "::bigint)) ";
        }

        String pad(String number, int width) {
            return this == SQLITE
                    ? "printf('%0" + width + "d', " + number + ")"
                    : "lpad((" + number + ")::text, " + width + ", '0')";
        }

        /** Epoch milliseconds as the tables' time text ({@link EventTimes#format}). */
        String time(String epochMillis) {
            String seconds = "(" + epochMillis + ") / 1000";
            String text = this == SQLITE
                    ? "strftime('%Y-%m-%dT%H:%M:%S', " + seconds + ", 'unixepoch')"
                    : "to_char(to_timestamp(" + seconds + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')";
            return text + " || '.' || " + pad("(" + epochMillis + ") % 1000", 3) + " || 'Z'";
        }

        /** A user of a million, spread over the rows. */
        String user(String number) {
            return "'user-' || " + pad("(" + number + ") * 2654435761 % 1000000", 7);
        }

        /** Bytes of one table or index, as an expression. */
        String size(String relation) {
            return this == SQLITE
                    ? "(SELECT SUM(pgsize) FROM dbstat WHERE name = '" + relation + "')"
                    : "pg_relation_size('" + relation + "')";
        }

        String primaryKey(String table) {
            return this == SQLITE ? "sqlite_autoindex_" + table + "_1" : table + "_pkey";
        }

        /** Bytes of a table with its indexes (PostgreSQL: and its free space and visibility maps), an expression. */
        String totalSize(String table) {
            return this == SQLITE
                    ? "(SELECT SUM(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = '"
                            + table + "'))"
                    : "pg_total_relation_size('" + table + "')";
        }

        /**
         * What follows a fill, not timed. PostgreSQL: what autovacuum does to a table after many inserts, done now
         * rather than during the measurement (the planner's statistics, the visibility map index-only scans need,
         * hint bits). SQLite: no ANALYZE, which clickflow never runs; the WAL written back.
         */
        String afterFill(String table) {
            return this == SQLITE ? "PRAGMA wal_checkpoint(TRUNCATE)" : "VACUUM (ANALYZE) " + table;
        }
    }

    /** One timed read: what it is, its SQL and parameters. */
    record Query(String label, String sql, Object... params) {}

    /**
     * One line of the table: a measure under its section's heading, its unit, its value in each database (NaN: a
     * heading, or not run).
     */
    record Row(String section, String measure, String unit, String format, double[] values) {}

    private final Map<String, Row> measured = new LinkedHashMap<>();
    private List<String> dbs;
    private PrintWriter plans;
    private String section = "";

    /** Checks the options, as one line each, before anything starts. */
    void check() {
        Cli.range("--rows", rows, 100_000, 1_000_000_000);
        dbs = BenchOptions.databases(databases);
    }

    @Override
    public Integer call() throws Exception {
        check();
        try (BenchRun bench = BenchRun.start(out, "tables", "tables-results.csv")) {
            return run(bench);
        }
    }

    private int run(BenchRun bench) throws Exception {
        String machine = BenchRun.machine();
        long last = START + rows - 1;
        String header = String.format(
                Locale.ROOT,
                "%,d rows of %s, 1,000 rows per second of event time (%s .. %s); %,d each of %s and %s; a year of"
                        + " %s (%,d hours) and of 1-minute %s (%,d windows)",
                rows,
                PAGE_VIEWS,
                EventTimes.format(START),
                EventTimes.format(last),
                rows / DEAD_LETTER_EVERY,
                DeadLetterTables.REJECTED.name(),
                DeadLetterTables.LATE.name(),
                AnalyticsTables.HOURLY.name(),
                HOURS,
                UniquesTables.UNIQUE_USERS.name(),
                MINUTES);
        System.out.println("clickflow bench tables: " + header);
        System.out.println(machine);
        System.out.println("Run folder: " + bench.folder);
        List<String> names = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (PrintWriter p = new PrintWriter(Files.newBufferedWriter(bench.resolve("plans.txt")))) {
            plans = p;
            for (int i = 0; i < dbs.size(); i++) {
                if (dbs.get(i).equals("sqlite")) {
                    Path file = bench.resolve("tables.db");
                    try {
                        names.add(measure(Dialect.SQLITE, Database.of("jdbc:sqlite:" + file), i));
                        notes.add("SQLite: clickflow's pragmas (WAL, synchronous=NORMAL), no ANALYZE (clickflow runs"
                                + " none).");
                    } finally {
                        for (String suffix : new String[] {"", "-wal", "-shm"}) {
                            Files.deleteIfExists(bench.resolve("tables.db" + suffix));
                        }
                    }
                } else {
                    try (LocalPostgres pg = LocalPostgres.start(true)) {
                        Database db = pg.newDatabase();
                        names.add(measure(Dialect.POSTGRESQL, db, i));
                        notes.add("PostgreSQL: fsync on, stock settings (shared_buffers " + show(db, "shared_buffers")
                                + "), VACUUM (ANALYZE) after each fill, as autovacuum would.");
                    }
                }
            }
        }
        Table<Row> table = new Table<Row>()
                .written("section", Row::section)
                .column(
                        "measure",
                        -66,
                        Row::measure,
                        "measure",
                        r -> r.measure().trim())
                .column("unit", -10, Row::unit, "unit", Row::unit);
        for (int i = 0; i < dbs.size(); i++) {
            int db = i;
            table.column(
                    names.get(i),
                    17,
                    r -> Table.num(r.format(), r.values()[db]),
                    dbs.get(i),
                    r -> Table.num("%.3f", r.values()[db]));
        }
        List<Row> lines = new ArrayList<>(measured.values());
        System.out.println();
        System.out.println("clickflow bench tables — " + header);
        System.out.println(machine);
        table.print(System.out, lines);
        notes.forEach(System.out::println);
        System.out.println("Queries: the results page's SQL (ResultsSql), each the best of " + RUNS
                + " runs, every row read; their plans: " + bench.resolve("plans.txt"));
        bench.saveCsv(table.csv(lines));
        return 0;
    }

    /** Every measure of one database, in the table's order; returns the database's name and version. */
    private String measure(Dialect d, Database db, int column) throws Exception {
        db.createTables(AttributionTables.DDL);
        db.createTables(AnalyticsTables.DDL);
        db.createTables(UniquesTables.DDL);
        try (Connection c = db.connect()) {
            String name = d.label + " " + query(c, d.version);
            System.out.println(name + ":");
            fillPageViews(d, c, column);
            heading("size on disk, with the event_time index");
            long[] bytes = longs(
                    c,
                    "SELECT " + d.size(PAGE_VIEWS) + ", " + d.size(d.primaryKey(PAGE_VIEWS)) + ", " + d.size(TIME_INDEX)
                            + ", " + d.totalSize(PAGE_VIEWS));
            put(column, "table", "bytes/row", "%,.1f", bytes[0] / (double) rows);
            put(column, "primary key (page_view_id)", "bytes/row", "%,.1f", bytes[1] / (double) rows);
            put(column, "event_time index", "bytes/row", "%,.1f", bytes[2] / (double) rows);
            put(column, "in all", "bytes/row", "%,.1f", bytes[3] / (double) rows);
            put(
                    column,
                    "a year at 1,000 page views/s",
                    "TB",
                    "%,.2f",
                    bytes[3] / (double) rows * 31_536_000_000L / 1e12);
            heading("the results page, with the event_time index (as clickflow creates it)");
            time(d, c, column, pageQueries());
            retention(d, db, c, column);
            try (Statement s = c.createStatement()) {
                s.execute("DROP INDEX " + TIME_INDEX);
            }
            heading("the results page, without the event_time index");
            time(d, c, column, pageQueries());
            otherTables(d, c, column);
            return name;
        }
    }

    private void fillPageViews(Dialect d, Connection c, int column) throws SQLException {
        String click = "CASE WHEN v % 3 = 0 THEN NULL ELSE ";
        // Ten statements or fewer, each its own transaction, as a job's batches are.
        long chunk = Math.max(1_000_000, (rows + 9) / 10);
        long t0 = System.nanoTime();
        for (long from = 0; from < rows; from += chunk) {
            long to = Math.min(rows, from + chunk) - 1;
            execute(
                    c,
                    d.numbers(from, to) + "INSERT INTO " + PAGE_VIEWS + " (page_view_id, user_id, event_time,"
                            + " attributed_campaign_id, attributed_click_id, attributed_click_time, is_final, url)"
                            + " SELECT 'pv-' || " + d.pad("v", 12) + ", " + d.user("v") + ", "
                            + d.time(START + " + v") + ", "
                            + click + "'campaign-' || " + d.pad("v % 40", 2) + " END, "
                            + click + "'click-' || " + d.pad("v", 12) + " END, "
                            + click + d.time((START - 60_000) + " + v") + " END, "
                            + "1, 'https://shop.example/p/' || (v % 5000) FROM n");
            System.out.printf(Locale.ROOT, "  %,d rows (%.1f s)%n", to + 1, (System.nanoTime() - t0) / 1e9);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        execute(c, d.afterFill(PAGE_VIEWS));
        System.out.printf(Locale.ROOT, "  %s (%.1f s)%n", d.afterFill(PAGE_VIEWS), (System.nanoTime() - t1) / 1e9);
        String[] check = strings(c, "SELECT COUNT(*), MIN(event_time), MAX(event_time) FROM " + PAGE_VIEWS);
        String[] expected = {Long.toString(rows), EventTimes.format(START), EventTimes.format(START + rows - 1)};
        if (!Arrays.equals(check, expected)) {
            throw new IllegalStateException(
                    "the fill made " + Arrays.toString(check) + ", not " + Arrays.toString(expected));
        }
        heading("fill: INSERT ... SELECT, up to 10 statements, with the table's indexes");
        put(column, "time", "s", "%,.1f", seconds);
        put(column, "rate", "rows/s", "%,.0f", rows / seconds);
    }

    /** What the results page runs for its attribution section over the newest 15 minutes and the newest hour. */
    private List<Query> pageQueries() {
        List<Query> queries = new ArrayList<>(List.of(
                new Query(
                        "span: MIN and MAX as two subqueries (what serve runs)",
                        ResultsSql.span(PAGE_VIEWS, "event_time", "")),
                new Query(
                        "span: MIN(event_time), MAX(event_time) in one select",
                        "SELECT MIN(event_time), MAX(event_time) FROM " + PAGE_VIEWS)));
        addRange(queries, "last 15 min", Duration.ofMinutes(15));
        addRange(queries, "last hour", Duration.ofHours(1));
        return queries;
    }

    /** The page's three reads of a range ending at the newest row, its series by the minute (a range of 3 h or less). */
    private void addRange(List<Query> queries, String name, Duration range) {
        String newest = EventTimes.format(START + rows - 1);
        String from = EventTimes.format(START + rows - 1 - range.toMillis());
        queries.add(new Query(name + ": per campaign", ResultsSql.ATTRIBUTION_CAMPAIGNS, from, newest));
        queries.add(
                new Query(name + ": per minute", ResultsSql.attributionSeries(ResultsSql.MINUTE_PREFIX), from, newest));
        queries.add(new Query(name + ": newest 20", ResultsSql.ATTRIBUTION_LATEST, from, newest));
    }

    /** One batch of the job's retention delete on a backlog (the oldest tenth of the rows), each committed. */
    private void retention(Dialect d, Database db, Connection c, int column) throws SQLException {
        TableRetention retention = TableRetention.of(AttributionTables.ATTRIBUTED, Duration.ofDays(1), db);
        String cutoff = EventTimes.format(START + rows / 10);
        explain(d, c, "--retention", retention.deleteStatement(), cutoff);
        double best = Double.MAX_VALUE;
        try (Connection writer = db.connect()) {
            writer.setAutoCommit(false);
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                try (PreparedStatement ps = writer.prepareStatement(retention.deleteStatement())) {
                    ps.setString(1, cutoff);
                    int deleted = ps.executeUpdate();
                    writer.commit();
                    if (deleted != TableRetention.BATCH_ROWS) {
                        throw new IllegalStateException("a retention batch deleted " + deleted + " rows");
                    }
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
        }
        String label = String.format(
                Locale.ROOT, "--retention: one batch of %,d old rows, committed", TableRetention.BATCH_ROWS);
        put(column, label, "ms", "%,.2f", best);
    }

    /** The tables that grow by the hour, the window or a share of the events: filled, then read as serve reads them. */
    private void otherTables(Dialect d, Connection c, int column) throws SQLException {
        String hourly = AnalyticsTables.HOURLY.name();
        fill(
                d,
                c,
                hourly,
                HOURS,
                "INSERT INTO " + hourly + " (hour_start, hour_end, unique_users, clicks, impressions,"
                        + " is_final) SELECT " + d.time(START + " + v * 3600000") + ", "
                        + d.time((START + 3_600_000) + " + v * 3600000")
                        + ", 1000 + v % 500, 200 + v % 100, 3000 + v % 700, 1 FROM n");
        String newestHour = EventTimes.format(START + (HOURS - 1) * AnalyticsTables.HOUR_MILLIS);
        heading(String.format(Locale.ROOT, "%s, %,d rows (a year of hours)", hourly, HOURS));
        time(
                d,
                c,
                column,
                List.of(
                        new Query(
                                "the API's GET of an hour",
                                AnalyticsTables.SELECT_HOUR,
                                AnalyticsTables.hourKey(START + HOURS / 2 * AnalyticsTables.HOUR_MILLIS)),
                        new Query("the results page: span", ResultsSql.span(hourly, "hour_start", "")),
                        new Query(
                                "the results page: its 24 hours",
                                ResultsSql.HOURLY_RANGE,
                                EventTimes.format(START + (HOURS - 24) * AnalyticsTables.HOUR_MILLIS),
                                newestHour)));

        String uniques = UniquesTables.UNIQUE_USERS.name();
        fill(
                d,
                c,
                uniques,
                MINUTES,
                "INSERT INTO " + uniques + " (window_seconds, window_start, window_end,"
                        + " unique_users, lower_bound, upper_bound, is_final) SELECT 60, "
                        + d.time(START + " + v * 60000") + ", "
                        + d.time((START + 60_000) + " + v * 60000")
                        + ", 500 + v % 300, 500 + v % 300, 500 + v % 300, 1 FROM n");
        long newestWindow = START + (MINUTES - 1) * 60_000L;
        heading(String.format(Locale.ROOT, "%s, %,d rows (a year of 1-minute windows)", uniques, MINUTES));
        time(
                d,
                c,
                column,
                List.of(
                        new Query("the results page: window sizes", ResultsSql.UNIQUES_WINDOWS),
                        new Query(
                                "the results page: span of one size",
                                ResultsSql.span(uniques, "window_start", " WHERE window_seconds = 60")),
                        new Query(
                                "the results page: its newest day",
                                ResultsSql.UNIQUES_POINTS,
                                60L,
                                EventTimes.format(
                                        newestWindow - Duration.ofDays(1).toMillis()),
                                EventTimes.format(newestWindow))));

        int deadLetters = rows / DEAD_LETTER_EVERY;
        String stream = "CASE WHEN v % 2 = 0 THEN 'page_views' ELSE 'ad_clicks' END";
        String rejected = DeadLetterTables.REJECTED.name();
        fill(
                d,
                c,
                rejected,
                deadLetters,
                "INSERT INTO " + rejected + " (source, position, stream, reason, payload)"
                        + " SELECT " + stream + ", (v % 4) || ':' || (v / 4), " + stream
                        + ", CASE v % 5 WHEN 0 THEN 'malformed"
                        + " JSON' WHEN 1 THEN 'missing user_id' WHEN 2 THEN 'ts is not a number' WHEN 3 THEN 'missing"
                        + " event_id' ELSE 'unknown event type' END, '{\"event_id\":\"pv-' || " + d.pad("v", 12)
                        + " || '\",\"user_id\":\"' || " + d.user("v")
                        + " || '\",\"ts\":\"soon\",\"url\":\"https://shop.example/p/'"
                        + " || (v % 5000) || '\"}' FROM n");
        heading(String.format(
                Locale.ROOT,
                "%s, %,d rows (one per %d page views, kept whole)",
                rejected,
                deadLetters,
                DEAD_LETTER_EVERY));
        time(
                d,
                c,
                column,
                List.of(
                        new Query("the results page: per reason", ResultsSql.REJECTED_BY_REASON),
                        new Query("the results page: newest 5", ResultsSql.rejectedLatest(d == Dialect.SQLITE))));

        String late = DeadLetterTables.LATE.name();
        fill(
                d,
                c,
                late,
                deadLetters,
                "INSERT INTO " + late + " (stream, event_id, user_id, event_time, watermark)"
                        + " SELECT " + stream + ", 'late-' || " + d.pad("v", 12) + ", " + d.user("v") + ", "
                        + d.time((START - 120_000) + " + v * " + DEAD_LETTER_EVERY) + ", "
                        + d.time(START + " + v * " + DEAD_LETTER_EVERY) + " FROM n");
        heading(String.format(
                Locale.ROOT, "%s, %,d rows (one per %d page views)", late, deadLetters, DEAD_LETTER_EVERY));
        time(
                d,
                c,
                column,
                List.of(
                        new Query("the results page: per stream", ResultsSql.LATE_BY_STREAM),
                        new Query("the results page: newest 5", ResultsSql.LATE_LATEST)));
    }

    private static void fill(Dialect d, Connection c, String table, long n, String insert) throws SQLException {
        execute(c, d.numbers(0, n - 1) + insert);
        execute(c, d.afterFill(table));
        System.out.printf(Locale.ROOT, "  %s: %,d rows%n", table, n);
    }

    /** Each query's best of {@link #RUNS}, every row read, as serve reads them. */
    private void time(Dialect d, Connection c, int column, List<Query> queries) throws SQLException {
        for (Query q : queries) {
            explain(d, c, q.label(), q.sql(), q.params());
            double best = Double.MAX_VALUE;
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                try (PreparedStatement ps = c.prepareStatement(q.sql())) {
                    bind(ps, q.params());
                    try (ResultSet rs = ps.executeQuery()) {
                        int columns = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            for (int k = 1; k <= columns; k++) {
                                rs.getObject(k);
                            }
                        }
                    }
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
            put(column, q.label(), "ms", "%,.2f", best);
        }
    }

    private void explain(Dialect d, Connection c, String label, String sql, Object... params) throws SQLException {
        plans.printf("== %s, %s: %s%n%s%n", d.label, section, label, sql);
        try (PreparedStatement ps = c.prepareStatement(d.explain + sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                int detail = rs.getMetaData().getColumnCount(); // SQLite's plan line is its last column
                while (rs.next()) {
                    plans.println("  " + rs.getString(detail));
                }
            }
        }
        plans.println();
        plans.flush();
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    /** A line that names what the lines after it measure (the same measure may stand under two). */
    private void heading(String text) {
        section = text;
        measured.computeIfAbsent(text, k -> row(k, "", ""));
    }

    private void put(int column, String measure, String unit, String format, double value) {
        measured.computeIfAbsent(section + "\n" + measure, k -> row("  " + measure, unit, format))
                .values()[column] = value;
        System.out.printf(Locale.ROOT, "  %s: %s %s%n", measure, Table.num(format, value), unit);
    }

    private Row row(String measure, String unit, String format) {
        double[] values = new double[dbs.size()];
        Arrays.fill(values, Double.NaN);
        return new Row(section, measure, unit, format, values);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        return strings(c, sql)[0];
    }

    private static String show(Database db, String setting) throws SQLException {
        try (Connection c = db.connect()) {
            return query(c, "SHOW " + setting);
        }
    }

    private static String[] strings(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            String[] values = new String[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = rs.getString(i + 1);
            }
            return values;
        }
    }

    private static long[] longs(Connection c, String sql) throws SQLException {
        return Arrays.stream(strings(c, sql)).mapToLong(Long::parseLong).toArray();
    }
}
