package io.clickflow.bench;

import io.clickflow.analytics.UserAction;
import io.clickflow.bench.CountReport.Row;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.Cli;
import io.clickflow.io.KafkaSender;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AnalyticsTables;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow bench analytics}: the hourly analytics job over the same generated events from a folder of
 * files and from a Kafka topic, exact and HLL, next to its Flink SQL peer on each, all in one run on this machine.
 * Prints events/s and CPU per event, and checks the counts.
 */
@Command(
        name = "analytics",
        description = {
            "Measures the hourly analytics job on this machine: events/s and CPU per event from files and from Kafka,",
            "exact and HLL, each next to its Flink SQL peer (the same count in SQL, with clickflow's source, decoder,",
            "watermarks and sink), in one run; then checks every hour's counts against the input's."
        })
public final class AnalyticsBench implements Callable<Integer> {
    static final List<String> ALL_CASES = List.of(
            "file-exact", "file-hll", "file-sql", "kafka-exact", "kafka-hll", "kafka-exact-rocksdb", "kafka-sql");
    static final String TOPIC = "bench_analytics_events";

    @Option(
            names = "--events",
            paramLabel = "N",
            defaultValue = "2000000",
            description = "Events (JSON as the API servers write them, ~70 bytes) written to the files and the topic.")
    long events;

    @Option(
            names = "--hours",
            paramLabel = "N",
            defaultValue = "6",
            description =
                    "Hours of event time the events span, from 2024-01-01T00:00Z: all but the last close in a run.")
    int hours;

    @Option(
            names = "--historic",
            paramLabel = "FRACTION",
            defaultValue = "0.05",
            description = "Events 1-3 hours older than the others (the demo's share): clickflow corrects their"
                    + " hours, the SQL peer drops them as late.")
    double historic;

    @Option(
            names = "--keyed",
            paramLabel = "FRACTION",
            defaultValue = "0.05",
            description = "Events with an idempotency key (a POST's Idempotency-Key), which clickflow keeps for its"
                    + " --dedup-window.")
    double keyed;

    @Option(
            names = "--retries",
            paramLabel = "FRACTION",
            defaultValue = "0.01",
            description =
                    "Keyed events written twice (a retried POST): clickflow counts them once, the SQL peer twice.")
    double retries;

    @Option(
            names = "--emit-mode",
            paramLabel = "MODE",
            defaultValue = "update",
            description = "The clickflow cases' --emit-mode: update (the job's default: provisional rows, then final)"
                    + " or on-watermark (final rows only, as the SQL peer writes).")
    EmitMode emitMode;

    @Option(
            names = "--cases",
            paramLabel = "LIST",
            defaultValue = "file-exact,file-hll,file-sql,kafka-exact,kafka-hll,kafka-exact-rocksdb,kafka-sql",
            description = "Which cases to run, comma-separated.")
    String cases;

    @Mixin
    JobCaseOptions jobs;

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        Cli.range("--hours", hours, 1, 24 * 365);
        BenchOptions.atLeast("--events", events, 1000);
        Cli.fraction("--historic", historic);
        Cli.fraction("--keyed", keyed);
        Cli.fraction("--retries", retries);
        jobs.check(cases, ALL_CASES);
    }

    @Override
    public Integer call() throws Exception {
        check();
        return jobs.start("analytics", cases, ALL_CASES, this::run);
    }

    private AnalyticsInput input() {
        return new AnalyticsInput(new AnalyticsInput.Shape(events, jobs.users, hours, historic, keyed, retries));
    }

    private int run(BenchRun bench, Set<String> cases) throws Exception {
        Path run = bench.folder;
        String machine = BenchRun.machine();
        System.out.printf(
                "clickflow bench analytics: %,d events, %,d users, %d hours, %d partitions/files, parallelism %d,"
                        + " emit mode %s; %s%n",
                events, jobs.users, hours, jobs.partitions, jobs.parallelism, Cli.name(emitMode), machine);
        System.out.println("Run folder: " + run);

        // The same events (same seed) go to the folder and to the topic.
        Path folder = run.resolve("events");
        long t0 = System.nanoTime();
        AnalyticsInput input = input();
        BenchRun.writeFolder(() -> AnalyticsInput.json(input.next()), events, folder, "events", jobs.partitions);
        long fileBytes = BenchKafka.dirSize(folder, "");
        System.out.printf(
                "Wrote %,d events to %d files, %s, in %.1f s: %,d hours, %,d events 1-3 hours old, %,d written twice%n",
                events,
                jobs.partitions,
                Table.mb(fileBytes),
                (System.nanoTime() - t0) / 1e9,
                input.counts.perHour().size(),
                input.historic.values().stream().mapToLong(Long::longValue).sum(),
                input.retries());

        List<Row> rows = new ArrayList<>();
        for (String c : List.of("file-exact", "file-hll", "file-sql")) {
            if (cases.contains(c)) {
                rows.add(job(bench, c, fileBytes, List.of("--events-file", folder.toString())));
            }
        }
        if (cases.stream().anyMatch(c -> c.startsWith("kafka"))) {
            try (KafkaBroker broker = KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
                String bs = broker.bootstrapServers();
                BenchKafka.createTopics(bs, jobs.partitions, Map.of(), TOPIC);
                System.out.printf("Pre-filling %,d events...%n", events);
                t0 = System.nanoTime();
                AnalyticsInput again = input();
                // Keyed by user and uncompressed, as the API servers write them.
                try (KafkaSender sender = new KafkaSender(bs, 512 * 1024, "none")) {
                    for (long i = 0; i < events; i++) {
                        UserAction e = again.next();
                        sender.send(TOPIC, e.user, AnalyticsInput.json(e).getBytes(StandardCharsets.UTF_8));
                    }
                }
                System.out.printf(
                        "  %,d records in %.1f s; topic size %s%n",
                        BenchKafka.recordCount(bs, jobs.partitions, TOPIC),
                        (System.nanoTime() - t0) / 1e9,
                        Table.mb(BenchKafka.logBytes(run.resolve("kafka"))));
                for (String c : List.of("kafka-exact", "kafka-hll", "kafka-exact-rocksdb", "kafka-sql")) {
                    if (cases.contains(c)) {
                        rows.add(job(bench, c, fileBytes, JobCaseOptions.kafkaInput(bs, "--events-topic", TOPIC, c)));
                    }
                }
            }
        }
        System.out.println();
        System.out.printf(
                "clickflow bench analytics — %,d events of ~%,d bytes over %d hours, %,d users, %d partitions/files,"
                        + " parallelism %d%n",
                events, fileBytes / Math.max(1, events), hours, jobs.users, jobs.partitions, jobs.parallelism);
        System.out.println(machine);
        Table<Row> table = CountReport.table(CountReport.EVENTS, false);
        table.print(System.out, rows);
        System.out.println("Job times run from submission to the job's end (MiniCluster start excluded). CPU us/e: CPU"
                + " time of the job's JVM per event (all its threads; the broker's not included).");
        System.out.println(
                "cold e/s: the same job's first run in its fresh JVM (JIT compiling meanwhile); the row's numbers are its"
                        + " second run.");
        System.out.println("hours: final rows in hourly_stats; late: events in late_events (past clickflow's"
                + " --allowed-lateness; the SQL peer drops late events without a trace).");
        CountReport.comparePeers(rows, CountReport.EVENTS, r -> "");
        for (String source : List.of("file", "kafka")) {
            check(run, source, input);
        }
        bench.saveCsv(table.csv(rows));
        return 0;
    }

    /** Case {@code c}: the job, or the SQL peer ({@code -sql}), with the options of its source; its row. */
    private Row job(BenchRun bench, String c, long fileBytes, List<String> sourceOptions) throws Exception {
        String source = c.substring(0, c.indexOf('-'));
        boolean sql = c.endsWith("-sql");
        String count = c.contains("hll") ? "hll" : "exact";
        boolean rocksdb = c.endsWith("rocksdb");
        List<String> options = new ArrayList<>(sourceOptions);
        options.addAll(List.of(
                "--count",
                count,
                "--emit-mode",
                Cli.name(emitMode),
                "--state-backend",
                rocksdb ? "rocksdb" : "hashmap",
                "--parallelism",
                Integer.toString(jobs.parallelism)));
        String name = sql
                ? source + ": Flink SQL peer, COUNT(DISTINCT) per 1-hour TUMBLE, heap"
                : source + ": clickflow analytics, " + count + ", " + (rocksdb ? "RocksDB" : "heap") + ", "
                        + Cli.name(emitMode);
        return CountReport.progress(
                jobs.run(bench, name, sql ? "analytics-sql" : "analytics", c, events, fileBytes, options),
                null,
                CountReport.EVENTS);
    }

    /**
     * The exact job's final counts against the input's (a retry counted once), and the SQL peer's against the exact
     * job's, the events it counts twice (retries) taken off: equal in the hours no event 1-3 hours old falls in; in
     * the others the peer drops the ones later than the watermark, where clickflow corrects, so it counts no more.
     */
    private static void check(Path run, String source, AnalyticsInput input) throws Exception {
        Path exact = run.resolve(source + "-exact.db");
        if (!Files.exists(exact)) {
            return;
        }
        String query = "SELECT hour_start, unique_users, clicks, impressions FROM " + AnalyticsTables.HOURLY.name()
                + " WHERE is_final = 1";
        Map<String, List<Long>> ours = CountReport.finalCounts(exact, query);
        Map<String, List<Long>> expected = input.expected();
        long right = expected.entrySet().stream()
                .filter(e -> e.getValue().equals(ours.get(e.getKey())))
                .count();
        System.out.printf(
                "clickflow exact's final counts (%s): %,d of the input's %,d hours equal (%,d hours in its table)%n",
                source, right, expected.size(), ours.size());
        Path sql = run.resolve(source + "-sql.db");
        if (!Files.exists(sql)) {
            return;
        }
        Map<String, List<Long>> peer = CountReport.finalCounts(sql, query);
        int equal = 0;
        int onTime = 0;
        int onTimeEqual = 0;
        int notMore = 0;
        for (Map.Entry<String, List<Long>> e : ours.entrySet()) {
            List<Long> theirs = peer.getOrDefault(e.getKey(), List.of(0L, 0L, 0L));
            long[] twice = input.retried.getOrDefault(e.getKey(), new long[2]);
            List<Long> once = List.of(theirs.get(0), theirs.get(1) - twice[0], theirs.get(2) - twice[1]);
            boolean same = once.equals(e.getValue());
            equal += same ? 1 : 0;
            if (input.historic.containsKey(e.getKey())) {
                boolean fewer = true;
                for (int i = 0; i < 3; i++) {
                    fewer &= once.get(i) <= e.getValue().get(i);
                }
                notMore += fewer ? 1 : 0;
            } else {
                onTime++;
                onTimeEqual += same ? 1 : 0;
            }
        }
        System.out.printf(
                "Flink SQL peer's final counts (%s): %,d of clickflow exact's %,d hours equal (its %,d events written"
                        + " twice counted once); hours without events 1-3 hours old: %,d of %,d equal; hours with"
                        + " them: %,d of %,d no higher (the peer drops those behind the watermark, clickflow"
                        + " corrects)%n",
                source, equal, ours.size(), input.retries(), onTimeEqual, onTime, notMore, ours.size() - onTime);
    }
}
