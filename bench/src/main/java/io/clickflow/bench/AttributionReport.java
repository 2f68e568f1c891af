package io.clickflow.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The attribution bench's results: each case's progress line, the table, CPU per event by stage, the CSV. */
final class AttributionReport {
    private AttributionReport() {}

    /** One case's results: a row of the table. */
    static final class Result {
        String name;
        long records;
        long nanos;
        long rows = -1;
        long finalRows = -1;
        long peakRss = -1;
        long checkpointBytes = -1;
        long checkpointMillis = -1;
        long checkpoints = -1;
        long startUpNanos = -1;
        /** The first run over the same input, in a fresh JVM (the JIT compiling meanwhile); -1 when not run. */
        long coldNanos = -1;
        /** CPU time of the measured run's JVM (the ceiling: the bench's JVM; the broker's never included). */
        long cpuNanos = -1;
        /** Of that, per {@link BenchCase#STAGES stage} (job cases only). */
        Map<String, Long> stageCpuMillis = Map.of();

        double vsSql = Double.NaN;
        /** Events/s over the ceiling's (NaN: no ceiling, or this is it, or a latency row). */
        double vsCeiling = Double.NaN;

        long p50 = -1;
        long p99 = -1;
        long max = -1;
        String note = "";

        static Result throughput(String name, long records, long nanos) {
            Result r = new Result();
            r.name = name;
            r.records = records;
            r.nanos = nanos;
            return r;
        }

        static Result job(String name, long records, JsonNode j) {
            Result r = throughput(name, records, j.path("nanos").asLong());
            r.rows = j.path("rows").asLong();
            r.finalRows = j.path("finalRows").asLong();
            r.peakRss = j.path("peakRssBytes").asLong();
            r.checkpointBytes = j.path("checkpointBytes").asLong(-1);
            r.checkpointMillis = j.path("checkpointMillis").asLong(-1);
            r.checkpoints = j.path("checkpoints").asLong(-1);
            r.startUpNanos = j.path("startUpNanos").asLong(-1);
            r.coldNanos = j.path("coldNanos").asLong(-1);
            r.cpuNanos = j.path("cpuNanos").asLong(-1);
            Map<String, Long> stages = new LinkedHashMap<>();
            j.path("stageCpuMillis")
                    .fields()
                    .forEachRemaining(e -> stages.put(e.getKey(), e.getValue().asLong()));
            r.stageCpuMillis = stages;
            return r;
        }

        double eventsPerSecond() {
            return nanos <= 0 ? Double.NaN : records / (nanos / 1e9);
        }

        double coldEventsPerSecond() {
            return coldNanos <= 0 ? Double.NaN : records / (coldNanos / 1e9);
        }

        /** Microseconds of CPU per event: the whole JVM's, or one stage's (NaN when not measured). */
        double cpuMicrosPerEvent(String stage) {
            if (stage == null) {
                return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / records;
            }
            Long millis = stageCpuMillis.get(stage);
            return millis == null ? Double.NaN : millis * 1e3 / records;
        }
    }

    /** The line printed when a case ends. */
    static void progress(Result r, Result ceiling) {
        System.out.printf(
                Locale.ROOT,
                "  %,.0f events/s (%.1f s)%s%s%s%n",
                r.eventsPerSecond(),
                r.nanos / 1e9,
                ceiling != null && r != ceiling
                        ? String.format(
                                Locale.ROOT, ", %.2fx the ceiling", r.eventsPerSecond() / ceiling.eventsPerSecond())
                        : "",
                r.rows >= 0
                        ? String.format(
                                Locale.ROOT,
                                ", %,d rows (%,d final), peak RSS %s",
                                r.rows,
                                r.finalRows,
                                Table.mb(r.peakRss))
                        : "",
                r.coldNanos < 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; cold (first) run %,.0f events/s (%.1f s)",
                                r.coldEventsPerSecond(),
                                r.coldNanos / 1e9));
    }

    /** The table of throughput cases, the latency lines, CPU per event, the SQL peer's agreement, the targets. */
    static void print(PrintStream o, List<Result> results, String setup, String machine, String agreement) {
        o.println("clickflow bench — " + setup);
        o.println(machine);
        Result ceiling = results.stream()
                .filter(r -> r.name.startsWith("ceiling"))
                .findFirst()
                .orElse(null);
        for (Result r : results) {
            r.vsCeiling = ceiling == null || r == ceiling || r.p50 >= 0
                    ? Double.NaN
                    : r.eventsPerSecond() / ceiling.eventsPerSecond();
        }
        TABLE.print(o, results.stream().filter(r -> r.p50 < 0).toList());
        for (Result r : results) {
            if (r.p50 >= 0) {
                o.printf(
                        Locale.ROOT,
                        "%s: append -> row visible p50 %d ms, p99 %d ms, max %d ms (%s)%n",
                        r.name,
                        r.p50,
                        r.p99,
                        r.max,
                        r.note);
            }
        }
        printCpu(o, results);
        if (agreement != null) {
            o.println(agreement);
        }
        o.println("Targets (issue 14): heap >= 0.5x the ceiling and >= 3x SQL; RocksDB >= 0.25x the ceiling;"
                + " freshness p99 <= 500 ms.");
    }

    /** CPU microseconds per event of each measured run, per stage, under the table. */
    private static void printCpu(PrintStream o, List<Result> results) {
        Table<Result> cpu = new Table<Result>()
                .shown("CPU us per event (measured run)", -58, r -> r.name)
                .shown("total", 9, r -> micros(r.cpuMicrosPerEvent(null)));
        for (String stage : BenchCase.STAGES) {
            cpu.shown(stage, 9, r -> micros(r.cpuMicrosPerEvent(stage)));
        }
        o.println();
        cpu.print(o, results.stream().filter(r -> r.p50 < 0 && r.cpuNanos >= 0).toList());
        o.println("cold ev/s: the case's first run over the same input in its fresh JVM (the JIT compiling"
                + " meanwhile); every other number is the second, warm run (the ceiling's: after its warm-up pass).");
        o.println("CPU: the case's JVM over the measured run (the ceiling: the bench's JVM; the broker's"
                + " never), per thread from /proc: source = Kafka fetch + decode + split, operator = the attribution"
                + " (SQL: join + dedupe) tasks, sinks = the JDBC sink tasks, other = checkpoints, RPC, network and"
                + " this measurement; a thread's last < 0.5 s before it ends may be missing from its stage.");
    }

    private static String micros(double v) {
        return Table.num("%.2f", v);
    }

    /** Every row, the latency rows too, with every number. */
    static List<String> csv(List<Result> results) {
        return TABLE.csv(results);
    }

    /** The table's columns and the CSV's: one list, each shown, written or both. */
    private static final Table<Result> TABLE = table();

    private static Table<Result> table() {
        Table<Result> t = new Table<Result>()
                .column("case", -58, r -> r.name, "case", r -> r.name)
                .written("records", r -> Long.toString(r.records))
                .written("seconds", r -> Table.num("%.3f", r.nanos / 1e9))
                .column(
                        "events/s",
                        12,
                        r -> Table.num("%,.0f", r.eventsPerSecond()),
                        "events_per_second",
                        r -> Table.num("%.0f", r.eventsPerSecond()))
                .shown("cold ev/s", 12, r -> Table.num("%,.0f", r.coldEventsPerSecond()))
                .column(
                        "/ceiling",
                        9,
                        r -> Table.num("%.2fx", r.vsCeiling),
                        "vs_ceiling",
                        r -> Table.num("%.3f", r.vsCeiling))
                .column("/SQL", 7, r -> Table.num("%.2fx", r.vsSql), "vs_sql", r -> Table.num("%.3f", r.vsSql))
                .shown("time", 8, r -> Table.num("%.1fs", r.nanos / 1e9))
                .shown("peak RSS", 9, r -> r.peakRss < 0 ? "" : Table.mb(r.peakRss))
                .shown(
                        "last chkpt",
                        12,
                        r -> r.checkpointBytes < 0 ? "" : Table.mb(r.checkpointBytes) + "/" + r.checkpointMillis + "ms")
                .written("rows", r -> Long.toString(r.rows))
                .written("final_rows", r -> Long.toString(r.finalRows))
                .written("peak_rss_bytes", r -> Long.toString(r.peakRss))
                .written("last_checkpoint_bytes", r -> Long.toString(r.checkpointBytes))
                .written("last_checkpoint_ms", r -> Long.toString(r.checkpointMillis))
                .written("checkpoints", r -> Long.toString(r.checkpoints))
                .written("p50_ms", r -> Long.toString(r.p50))
                .written("p99_ms", r -> Long.toString(r.p99))
                .written("max_ms", r -> Long.toString(r.max))
                .written(
                        "minicluster_start_seconds",
                        r -> r.startUpNanos < 0 ? "" : Table.num("%.3f", r.startUpNanos / 1e9))
                .written("cold_seconds", r -> r.coldNanos < 0 ? "" : Table.num("%.3f", r.coldNanos / 1e9))
                .written("cold_events_per_second", r -> Table.num("%.0f", r.coldEventsPerSecond()))
                .written("cpu_us_per_event", r -> micros(r.cpuMicrosPerEvent(null)));
        for (String stage : BenchCase.STAGES) {
            t.written("cpu_us_per_event_" + stage.toLowerCase(Locale.ROOT), r -> micros(r.cpuMicrosPerEvent(stage)));
        }
        return t;
    }
}
