package io.clickflow.bench;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.io.JdbcSinks;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.testing.LocalPostgres;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow bench sink}: the rows per second clickflow's JDBC sink writes into SQLite and PostgreSQL with
 * 1, 2, 4 writers, for new rows and for a provisional-update storm (every row written again, final: the upsert's
 * update path), through the same sink and table the attribution job uses, in a bounded Flink job per case.
 */
@Command(
        name = "sink",
        description = {
            "Measures the database sink: rows/s into SQLite and a throwaway PostgreSQL (with fsync) at 1, 2, 4",
            "writers, inserting attributed_page_views rows and then updating every one of them (final)."
        })
public final class SinkBench implements Callable<Integer> {
    @Option(names = "--rows", paramLabel = "N", defaultValue = "1000000", description = "Rows per case.")
    long rows;

    @Option(
            names = "--writers",
            paramLabel = "LIST",
            defaultValue = "1,2,4",
            description = "Sink subtasks to measure, comma-separated (SQLite always takes one: its file has one"
                    + " writer).")
    String writers;

    @Option(
            names = "--databases",
            paramLabel = "LIST",
            defaultValue = "sqlite,postgresql",
            description = "sqlite, postgresql (a PostgreSQL 17 from Maven Central, started for the run).")
    String databases;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (databases, results) goes.")
    Path out;

    /** One measured case. */
    record Result(String database, int writers, String pass, long rows, long nanos) {
        double rowsPerSecond() {
            return rows / (nanos / 1e9);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (rows < 1000 || rows > 1_000_000_000L) {
            throw new UsageException("--rows: must be between 1000 and 1000000000, not " + rows);
        }
        List<Integer> writerCounts = new ArrayList<>();
        for (String w : writers.split(",")) {
            try {
                writerCounts.add(Cli.range("--writers", Integer.parseInt(w.trim()), 1, 64));
            } catch (NumberFormatException e) {
                throw new UsageException("--writers: '" + w + "' is not a whole number");
            }
        }
        List<String> dbs = BenchOptions.databases(databases);
        try (BenchRun bench = BenchRun.start(out, "sink", "sink-results.csv")) {
            return run(bench, dbs, writerCounts);
        }
    }

    private int run(BenchRun bench, List<String> dbs, List<Integer> writerCounts) throws Exception {
        Path run = bench.folder;
        String machine = BenchRun.machine();
        System.out.printf(
                "clickflow bench sink: %,d rows per case, writers %s, %s; %s%n",
                rows, writerCounts, String.join(", ", dbs), machine);
        // Unmeasured: the JIT and Flink's first start in this JVM would otherwise land on the first case.
        System.out.println("Warm-up (not measured)...");
        long measured = rows;
        rows = Math.max(1000, rows / 5);
        measure("warm-up", 1, Database.of("jdbc:sqlite:" + run.resolve("warm-up.db")));
        rows = measured;
        List<Result> results = new ArrayList<>();
        for (String kind : dbs) {
            if (kind.equals("sqlite")) {
                results.addAll(measure(kind, 1, Database.of("jdbc:sqlite:" + run.resolve("sink-sqlite.db"))));
                continue;
            }
            try (LocalPostgres pg = LocalPostgres.start(true)) {
                for (int w : writerCounts) {
                    results.addAll(measure(kind, w, pg.newDatabase()));
                }
            }
        }
        System.out.println();
        System.out.printf("clickflow bench sink — %,d attributed_page_views rows per case%n", rows);
        System.out.println(machine);
        TABLE.print(System.out, results);
        System.out.println("Each case is a bounded Flink job (MiniCluster in this JVM) from submission to its end: "
                + "rows generated in the job, batched by the sink (5,000 rows, one transaction each).");
        if (dbs.contains("sqlite") && writerCounts.stream().anyMatch(w -> w > 1)) {
            System.out.println("SQLite was measured with one writer only: clickflow gives a SQLite file one"
                    + " writer per table (more only wait on its lock).");
        }
        bench.saveCsv(TABLE.csv(results));
        return 0;
    }

    /** The table's columns; the CSV has every number, with more digits. */
    private static final Table<Result> TABLE = new Table<Result>()
            .column("database", -12, Result::database, "database", Result::database)
            .column("writers", 8, r -> Integer.toString(r.writers()), "writers", r -> Integer.toString(r.writers()))
            .column("pass", -34, Result::pass, "pass", Result::pass)
            .written("rows", r -> Long.toString(r.rows()))
            .written("seconds", r -> Table.num("%.3f", r.nanos() / 1e9))
            .column(
                    "rows/s",
                    12,
                    r -> Table.num("%,.0f", r.rowsPerSecond()),
                    "rows_per_second",
                    r -> Table.num("%.0f", r.rowsPerSecond()))
            .shown("time", 9, r -> Table.num("%.1fs", r.nanos() / 1e9));

    /** New rows (provisional, no click), then every row again, final with a click: the upsert replaces each. */
    private List<Result> measure(String kind, int writers, Database db) throws Exception {
        db.createTables(AttributionTables.DDL);
        Result insert = write(kind, writers, db, "insert new rows (provisional)", false);
        Result update = write(kind, writers, db, "update every row (final, clicked)", true);
        long[] counts = counts(db);
        if (counts[0] != rows || counts[1] != rows) {
            throw new IllegalStateException(
                    kind + ": expected " + rows + " final rows, found " + counts[0] + " rows, " + counts[1] + " final");
        }
        return List.of(insert, update);
    }

    private Result write(String kind, int writers, Database db, String pass, boolean isFinal) throws Exception {
        System.out.printf("%s, %d writer%s: %s...%n", kind, writers, writers == 1 ? "" : "s", pass);
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(writers);
        long base = 1_709_251_200_000L; // 2024-03-01T00:00Z, a page view per millisecond
        DataStream<AttributedPageView> views = env.fromSequence(0, rows - 1)
                .map(
                        i -> new AttributedPageView(
                                String.format("pv-%012d", i),
                                "user-" + (i % 100_000),
                                base + i,
                                "https://shop.example/p/" + (i % 5000),
                                isFinal ? "campaign-" + (i % 40) : null,
                                isFinal ? "click-" + i : null,
                                isFinal ? base + i - 60_000 : null,
                                isFinal),
                        TypeInformation.of(AttributedPageView.class))
                .name("generate rows");
        JdbcSinks.upsert(views, AttributionTables.ATTRIBUTED, db, writers);
        long t0 = System.nanoTime();
        env.execute("bench sink " + kind + " " + writers + " " + (isFinal ? "update" : "insert"));
        long nanos = System.nanoTime() - t0;
        Result r = new Result(kind, writers, pass, rows, nanos);
        System.out.printf(Locale.ROOT, "  %,.0f rows/s (%.1f s)%n", r.rowsPerSecond(), nanos / 1e9);
        return r;
    }

    private static long[] counts(Database db) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*), COALESCE(SUM(is_final), 0) FROM " + AttributionTables.ATTRIBUTED.name())) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
