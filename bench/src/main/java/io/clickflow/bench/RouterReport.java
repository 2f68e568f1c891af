package io.clickflow.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The router bench's results: a row per contender, the table, the CSV, and issue 13's and 24's targets. */
final class RouterReport {
    private RouterReport() {}

    /** One contender's line of the table. */
    static final class Row {
        String name;
        String label;
        long records = -1;
        long inputBytes;
        long nanos;
        long outputs;
        double cpuSeconds = Double.NaN;
        double brokerCpuSeconds = Double.NaN;
        long peakRss = -1;
        long checkpoints = -1;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        double max = Double.NaN;
        String latencyNote = "";
        /** Records/s over the ceiling's and over Kafka Streams' (NaN: not both measured, or this is that row). */
        double vsCeiling = Double.NaN;

        double vsStreams = Double.NaN;

        double perSecond() {
            return records < 0 || nanos <= 0 ? Double.NaN : records / (nanos / 1e9);
        }

        double mbPerSecond() {
            return records < 0 || nanos <= 0 ? Double.NaN : inputBytes / 1e6 / (nanos / 1e9);
        }
    }

    /** The pre-filled input: how many records and bytes, and the copies the rule makes of them per destination. */
    record Input(long records, long bytes, Map<String, Long> expected) {
        long outputs() {
            return expected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** The table, what its numbers mean, and the targets. */
    static void print(
            PrintStream o, List<Row> rows, Input input, String machine, String setup, Duration checkpointInterval) {
        Row ceiling = find(rows, "ceiling");
        Row streams = find(rows, "kafka-streams");
        for (Row r : rows) {
            r.vsCeiling = ceiling == null || r == ceiling ? Double.NaN : r.perSecond() / ceiling.perSecond();
            r.vsStreams = streams == null || r == streams ? Double.NaN : r.perSecond() / streams.perSecond();
        }
        o.println("clickflow bench router — " + setup);
        o.println(machine + "; load average after the run: " + BenchRun.loadAverage());
        if (input != null) {
            o.printf(
                    Locale.ROOT,
                    "Input: %,d records, %s of keys and values (%.0f bytes each on average), %,d copies expected%n",
                    input.records(),
                    Table.mb(input.bytes()),
                    input.bytes() / (double) input.records(),
                    input.outputs());
        }
        TABLE.print(o, rows);
        o.println("records/s and MB/s: the input read from its start until every copy is committed (each contender's "
                + "output counted read_committed and equal to the expected copies). Latency: from the input's append "
                + "(LogAppendTime) to visible to a read_committed consumer.");
        Targets.print(o, targets(rows, checkpointInterval));
    }

    /** The table's columns; the CSV has every number, with more digits. */
    private static final Table<Row> TABLE = new Table<Row>()
            .column("contender", -48, r -> r.label, "contender", r -> r.name)
            .written("records", r -> Long.toString(r.records))
            .written("input_bytes", r -> Long.toString(r.inputBytes))
            .written("seconds", r -> num("%.3f", r.records < 0 ? Double.NaN : r.nanos / 1e9))
            .column(
                    "records/s",
                    11,
                    r -> num("%,.0f", r.perSecond()),
                    "records_per_second",
                    r -> num("%.0f", r.perSecond()))
            .column("MB/s", 7, r -> num("%.1f", r.mbPerSecond()), "mb_per_second", r -> num("%.2f", r.mbPerSecond()))
            .column("x ceiling", 9, r -> num("%.2fx", r.vsCeiling), "vs_ceiling", r -> num("%.3f", r.vsCeiling))
            .column("x Streams", 9, r -> num("%.2fx", r.vsStreams), "vs_kafka_streams", r -> num("%.3f", r.vsStreams))
            .written("outputs", r -> Long.toString(r.outputs))
            .column("p50 ms", 7, r -> num("%.0f", r.p50), null, null)
            .column("p99 ms", 7, r -> num("%.0f", r.p99), null, null)
            .column("max ms", 7, r -> num("%.0f", r.max), null, null)
            .column("CPU s", 7, r -> num("%.1f", r.cpuSeconds), "cpu_seconds", r -> num("%.2f", r.cpuSeconds))
            .column(
                    "broker s",
                    9,
                    r -> num("%.1f", r.brokerCpuSeconds),
                    "broker_cpu_seconds",
                    r -> num("%.2f", r.brokerCpuSeconds))
            .written("peak_rss_bytes", r -> Long.toString(r.peakRss))
            .written("checkpoints", r -> Long.toString(r.checkpoints))
            .written("p50_ms", r -> num("%.0f", r.p50))
            .written("p99_ms", r -> num("%.0f", r.p99))
            .written("max_ms", r -> num("%.0f", r.max))
            .written("latency_note", r -> r.latencyNote);

    /** Every row with every number. */
    static List<String> csv(List<Row> rows) {
        return TABLE.csv(rows);
    }

    private static String num(String format, double v) {
        return Table.num(format, v);
    }

    /** {what, measured, verdict} per target of issues 13 and 24; a target whose cases did not run is left out. */
    static List<String[]> targets(List<Row> rows, Duration checkpointInterval) {
        List<String[]> t = new ArrayList<>();
        Row eo = find(rows, "exactly-once");
        Row alo = find(rows, "at-least-once");
        Row ceiling = find(rows, "ceiling");
        Row streams = find(rows, "kafka-streams");
        Row eoDefaults = find(rows, "exactly-once-defaults");
        Row streamsDefaults = find(rows, "kafka-streams-defaults");
        if (eo != null && ceiling != null && eo.records >= 0 && ceiling.records >= 0) {
            t.add(Targets.ratio("exactly-once records/s / ceiling", eo.perSecond() / ceiling.perSecond(), 0.6));
        }
        if (eo != null && streams != null && eo.records >= 0 && streams.records >= 0) {
            t.add(Targets.ratio("exactly-once records/s / Kafka Streams", eo.perSecond() / streams.perSecond(), 1.5));
        }
        if (eo != null && !Double.isNaN(eo.p99)) {
            t.add(Targets.atMostMillis(
                    "exactly-once p99 append -> visible", eo.p99, checkpointInterval.toMillis() + 300));
        }
        if (eo != null && alo != null && eo.records > 0 && alo.records > 0) {
            t.add(Targets.ratioAtMost(
                    "broker CPU/record exactly-once / at-least-once",
                    (eo.brokerCpuSeconds / eo.records) / (alo.brokerCpuSeconds / alo.records),
                    1.3));
        }
        if (eoDefaults != null && !Double.isNaN(eoDefaults.p99)) {
            t.add(Targets.atMostMillis("p99 as shipped", eoDefaults.p99, 500));
            if (streamsDefaults != null && !Double.isNaN(streamsDefaults.p99)) {
                t.add(Targets.atMostMillis(
                        "p99 as shipped / Kafka Streams' at its defaults", eoDefaults.p99, streamsDefaults.p99));
            }
        }
        return t;
    }

    private static Row find(List<Row> rows, String name) {
        return rows.stream().filter(r -> r.name.equals(name)).findFirst().orElse(null);
    }
}
