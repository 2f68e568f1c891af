package io.clickflow.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The API bench's results: a row per step, the progress lines, the table, the CSV, and issue 25's targets. */
final class ApiReport {
    private ApiReport() {}

    /** One line of the table. */
    static final class Row {
        String caseName;
        String label;
        String step;
        int percent; // 0: the closed-loop peak
        double target = Double.NaN;
        double achieved;
        long ok;
        long errors;
        long unanswered;
        double p50;
        double p99;
        double p999;
        double max;
        double serverCpu;
        double backingCpu;
        double clientCpu;
        /** CPU milliseconds of the JIT compilers of every JVM of the step (server, behind it, load generator). */
        double jitMs;
        /** The load generator's connections in this step. */
        int connections;
        /** The load generator used nearly all its cores: the step measures it as much as the server. */
        boolean clientBound;
    }

    /** The line printed when a step ends. */
    static Row progress(Row r) {
        System.out.printf(
                Locale.ROOT,
                "  %-18s %,10.0f req/s%s  p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%s; CPU cores: server %.2f, "
                        + "behind it %.2f, load generator %.2f; JIT %.0f ms%n",
                r.step,
                r.achieved,
                Double.isNaN(r.target) ? "" : String.format(Locale.ROOT, " (of %,.0f)", r.target),
                r.p50,
                r.p99,
                r.p999,
                r.errors + r.unanswered > 0
                        ? String.format(Locale.ROOT, ", %d errors, %d unanswered", r.errors, r.unanswered)
                        : "",
                r.serverCpu,
                r.backingCpu,
                r.clientCpu,
                r.jitMs);
        return r;
    }

    /** The table, what its numbers mean, freshness, and the targets. */
    static void print(
            PrintStream o,
            List<Row> rows,
            ApiFreshness.Freshness fresh,
            String machine,
            String setup,
            int clientCores) {
        o.println("clickflow bench api — " + setup);
        o.println(machine + "; load average after the run: " + BenchRun.loadAverage());
        TABLE.print(o, rows);
        if (rows.stream().anyMatch(r -> r.clientBound)) {
            o.printf(
                    Locale.ROOT,
                    "* the load generator used %.0f%% or more of its %s: that step measures it as much as the server.%n",
                    ApiBench.CLIENT_BOUND_SHARE * 100,
                    clientCores == 1 ? "core" : clientCores + " cores");
        }
        o.println(
                "Closed loop (each --connections count; the best is the peak): latency from each send. Open loop: latency from each request's intended send time "
                        + "(coordinated omission corrected).");
        if (fresh != null) {
            o.printf(
                    Locale.ROOT,
                    "Freshness (POST of a new user -> a GET of its hour counts it, polled every %d ms): p50 %.0f ms, "
                            + "p99 %.0f ms, max %.0f ms; %s%n",
                    ApiFreshness.POLL_INTERVAL.toMillis(),
                    fresh.p50(),
                    fresh.p99(),
                    fresh.max(),
                    fresh.note());
            o.println(ApiFreshness.describe(fresh.freshGets()));
        }
        Targets.print(o, targets(rows, fresh));
    }

    /** {what, measured, verdict} per target; a target whose cases did not run is left out. */
    static List<String[]> targets(List<Row> rows, ApiFreshness.Freshness fresh) {
        List<String[]> t = new ArrayList<>();
        Row ceiling = find(rows, "ceiling", 0);
        Row post = find(rows, "clickflow-post", 0);
        Row get = find(rows, "clickflow-get", 0);
        Row redisPost = find(rows, "redis-post", 0);
        Row redisGet = find(rows, "redis-get", 0);
        ratio(t, "clickflow POST peak / ceiling peak", post, ceiling, 0.7);
        ratio(t, "clickflow GET peak / ceiling peak", get, ceiling, 0.7);
        ratio(t, "clickflow POST peak / Redis peer POST peak", post, redisPost, 1);
        ratio(t, "clickflow GET peak / Redis peer GET peak", get, redisGet, 2);
        latency(t, "clickflow GET p99 at half its peak", find(rows, "clickflow-get", 50), 2);
        latency(t, "clickflow POST p99 at half its peak", find(rows, "clickflow-post", 50), 10);
        if (fresh != null) {
            t.add(new String[] {
                "freshness p99 (POST -> visible in GET)",
                String.format(Locale.ROOT, "%.0f ms", fresh.p99()),
                fresh.p99() <= 1000 && fresh.seen() == fresh.probes()
                        ? "met (target <= 1000 ms)"
                        : String.format(Locale.ROOT, "MISSED by %.0f ms (target <= 1000 ms)", fresh.p99() - 1000)
            });
        }
        return t;
    }

    private static void ratio(List<String[]> t, String what, Row a, Row b, double target) {
        if (a != null && b != null) {
            t.add(Targets.ratio(what, a.achieved / b.achieved, target));
        }
    }

    private static void latency(List<String[]> t, String what, Row r, double targetMs) {
        if (r != null) {
            String[] verdict = Targets.atMostMillis(what, r.p99, targetMs);
            if (r.clientBound) {
                verdict[2] += "; the load generator was saturated (*)";
            }
            t.add(verdict);
        }
    }

    static Row find(List<Row> rows, String name, int percent) {
        return rows.stream()
                .filter(r -> r.caseName.equals(name) && r.percent == percent)
                .findFirst()
                .orElse(null);
    }

    /** The table's rows and columns; the CSV has every number, with more digits. */
    private static final Table<Row> TABLE = new Table<Row>()
            .column("case", -36, r -> r.label, "case", r -> r.caseName)
            .column("step", -18, r -> r.step, "step", r -> r.step)
            .written("percent_of_peak", r -> Integer.toString(r.percent))
            .column("target/s", 10, r -> num("%,.0f", r.target), "target_per_second", r -> num("%.0f", r.target))
            .column("req/s", 10, r -> num("%,.0f", r.achieved), "achieved_per_second", r -> num("%.0f", r.achieved))
            .written("ok", r -> Long.toString(r.ok))
            .written("errors", r -> Long.toString(r.errors))
            .written("unanswered", r -> Long.toString(r.unanswered))
            .column("p50 ms", 8, r -> num("%.2f", r.p50), "p50_ms", r -> num("%.3f", r.p50))
            .column("p99 ms", 8, r -> num("%.2f", r.p99), "p99_ms", r -> num("%.3f", r.p99))
            .column("p99.9 ms", 8, r -> num("%.2f", r.p999), "p999_ms", r -> num("%.3f", r.p999))
            .column("max ms", 8, r -> num("%.1f", r.max), "max_ms", r -> num("%.3f", r.max))
            .shown("errors", 7, r -> Long.toString(r.errors + r.unanswered))
            .shown(
                    " CPU cores: server/behind/client",
                    -32,
                    r -> String.format(Locale.ROOT, " %.2f/%.2f/%.2f", r.serverCpu, r.backingCpu, r.clientCpu)
                            + (r.clientBound ? " *" : ""))
            .written("server_cpu_cores", r -> num("%.2f", r.serverCpu))
            .written("behind_cpu_cores", r -> num("%.2f", r.backingCpu))
            .written("client_cpu_cores", r -> num("%.2f", r.clientCpu))
            .column("JIT ms", 7, r -> num("%.0f", r.jitMs), "jit_cpu_ms", r -> num("%.0f", r.jitMs))
            .written("connections", r -> Integer.toString(r.connections));

    private static String num(String format, double v) {
        return Table.num(format, v);
    }

    /** The CSV: a line per step, then the freshness probes' and the fresh GETs' lines in the same columns. */
    static List<String> csv(List<Row> rows, ApiFreshness.Freshness fresh) {
        List<String> lines = TABLE.csv(rows);
        if (fresh != null) {
            lines.add(Table.csvLine(List.of(
                    "freshness",
                    fresh.probes() + " probes, " + fresh.seen() + " visible",
                    "",
                    num("%.0f", fresh.backgroundRate()),
                    num("%.0f", fresh.backgroundRate()),
                    Integer.toString(fresh.seen()),
                    "0",
                    Integer.toString(fresh.probes() - fresh.seen()),
                    num("%.0f", fresh.p50()),
                    num("%.0f", fresh.p99()),
                    "",
                    num("%.0f", fresh.max()),
                    "",
                    "",
                    "",
                    "",
                    "")));
            ApiFreshness.FreshGets g = fresh.freshGets();
            lines.add(Table.csvLine(List.of(
                    "fresh-get",
                    g.answered() + " answered, " + g.missing() + " short",
                    "",
                    "",
                    "",
                    Integer.toString(g.answered()),
                    Integer.toString(g.failed()),
                    "0",
                    num("%.3f", g.p50()),
                    num("%.3f", g.p99()),
                    "",
                    num("%.3f", g.max()),
                    "",
                    "",
                    "",
                    "",
                    "")));
        }
        return lines;
    }
}
