package io.clickflow.bench;

import io.clickflow.Clickflow;
import io.clickflow.attribution.ClickstreamGenerator;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.bench.AttributionReport.Result;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.tables.Database;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./clickflow bench}: one run, one machine, the same pre-filled Kafka topics for every case: the
 * decode ceiling, clickflow's attribution catch-up (heap and RocksDB state, both emit modes), the same
 * rule in Flink SQL, and update-mode freshness at a fixed rate. Prints a table, writes a CSV.
 */
@Command(
        name = "bench",
        subcommands = {
            UniquesBench.class,
            AnalyticsBench.class,
            ApiBench.class,
            RouterBench.class,
            SinkBench.class,
            TablesBench.class
        },
        description = {
            "Measures clickflow on this machine in one run: the decode ceiling, attribution catch-up throughput",
            "(heap and RocksDB, both emit modes), the same rule in Flink SQL, and update-mode freshness."
        })
public final class BenchCommand implements Callable<Integer> {
    static final List<String> ALL_CASES = List.of(
            "ceiling",
            "heap-on-watermark",
            "heap-update",
            "rocksdb-on-watermark",
            "rocksdb-update",
            "sql",
            "connector-sink",
            "freshness");
    static final String CLICKS = "bench_clicks";
    static final String VIEWS = "bench_views";

    @Option(
            names = "--events",
            paramLabel = "N",
            defaultValue = "2000000",
            description = "Events pre-filled into the two topics (clicks and page views).")
    long events;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4", description = "Partitions of each topic.")
    int partitions;

    @Option(names = "--users", paramLabel = "N", defaultValue = "100000", description = "Distinct users.")
    int users;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of every job, and consumer threads of the ceiling.")
    int parallelism;

    @Option(
            names = "--cases",
            paramLabel = "LIST",
            defaultValue = "ceiling,heap-on-watermark,heap-update,rocksdb-on-watermark,"
                    + "rocksdb-update,sql,connector-sink,freshness",
            description = "Which cases to run, comma-separated.")
    String cases;

    @Option(
            names = "--freshness-rate",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Events per second appended during the freshness case.")
    int freshnessRate;

    @Option(
            names = "--freshness-duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "How long freshness is measured, after --freshness-warmup.")
    Duration freshnessDuration;

    @Option(
            names = "--freshness-warmup",
            paramLabel = "DURATION",
            defaultValue = "120s",
            description = "How long events flow at --freshness-rate before freshness is measured: the job's JVM "
                    + "compiles its hot code meanwhile, as a job running for hours has long done.")
    Duration freshnessWarmup;

    @Option(names = "--job-heap", paramLabel = "SIZE", defaultValue = "2g", description = "-Xmx of each job's JVM.")
    String jobHeap;

    @Option(
            names = "--job-jvm",
            paramLabel = "FLAGS",
            defaultValue = "",
            description = "JVM flags such as -XX:+UseParallelGC added to each job's JVM, space-separated.")
    String jobJvmFlags;

    @Option(
            names = "--cold",
            description =
                    "Measure each job's first run in a fresh JVM only (default: a first run over the same input warms the JIT, as for the ceiling, and is shown as cold).")
    boolean cold;

    @Option(
            names = "--profile",
            description = "Record each job's JVM with Java Flight Recorder (<case>.jfr in the run folder).")
    boolean profileOption;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (broker data, databases, logs, results.csv) goes.")
    Path out;

    public static void main(String[] args) {
        // The broker's and Flink's non-daemon threads would keep the JVM.
        System.exit(Clickflow.execute(Cli.commandLine(new BenchCommand()), args));
    }

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        Cli.range("--partitions", partitions, 1, 64);
        Cli.range("--users", users, 1, 100_000_000);
        Cli.range("--parallelism", parallelism, 1, 64);
        Cli.range("--freshness-rate", freshnessRate, 1, 1_000_000);
        BenchOptions.atLeast("--freshness-duration", freshnessDuration, 1);
        BenchOptions.atLeast("--freshness-warmup", freshnessWarmup, 0);
        if (events < 1000) {
            throw new UsageException("--events: must be at least 1000, not " + events);
        }
        BenchOptions.cases(cases, ALL_CASES);
        BenchOptions.checkHeap(jobHeap);
    }

    @Override
    public Integer call() throws Exception {
        check();
        Set<String> cases = BenchOptions.cases(this.cases, ALL_CASES);
        ChildJvm.configure(profileOption, jobJvmFlags);
        try (BenchRun bench = BenchRun.start(out, "run", "results.csv")) {
            return run(bench, cases);
        }
    }

    private int run(BenchRun bench, Set<String> cases) throws Exception {
        Path run = bench.folder;
        Path log = bench.log;
        String machine = BenchRun.machine();
        System.out.printf(
                "clickflow bench: %,d events, %d partitions per topic, parallelism %d; %s%n",
                events, partitions, parallelism, machine);
        System.out.println("Run folder: " + run);
        List<Result> results = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
            String bs = broker.bootstrapServers();
            BenchKafka.createTopics(bs, partitions, Map.of(), CLICKS, VIEWS);
            System.out.printf("Pre-filling %,d events...%n", events);
            long t0 = System.nanoTime();
            GenerateCommand.toKafka(
                    new ClickstreamGenerator(ClickstreamGenerator.Config.defaults()
                            .withSeed(42)
                            .withUsers(users)
                            .withClickRatio(0.1)
                            .withEventsPerSecond(5000)
                            .withStartTime(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli())
                            .withMaxDisorderMillis(2000)
                            .withMalformedFraction(0.001)
                            .withDuplicateFraction(0.002)
                            .withLateFraction(0)),
                    events,
                    bs,
                    CLICKS,
                    VIEWS,
                    false,
                    5000,
                    new AtomicBoolean(),
                    null);
            long records = BenchKafka.recordCount(bs, partitions, CLICKS, VIEWS);
            double prefillSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "  %,d records in %.1f s (%,.0f records/s); topic size %s%n",
                    records,
                    prefillSeconds,
                    records / prefillSeconds,
                    Table.mb(BenchKafka.logBytes(run.resolve("kafka"))));

            Result ceiling = null;
            if (cases.contains("ceiling")) {
                System.out.println("Ceiling: plain KafkaConsumers decoding every record...");
                long coldStart = System.nanoTime();
                Ceiling.run(bs, CLICKS, VIEWS, partitions, parallelism); // warm-up: the JIT, the page cache
                long coldNanos = System.nanoTime() - coldStart;
                long cpu = BenchCase.processCpuNanos();
                Ceiling.Result c = Ceiling.run(bs, CLICKS, VIEWS, partitions, parallelism);
                if (c.records() != records) {
                    throw new IllegalStateException("the ceiling read " + c.records() + " of " + records + " records");
                }
                ceiling = Result.throughput("ceiling (decode only, " + parallelism + " consumers)", records, c.nanos());
                ceiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
                ceiling.coldNanos = coldNanos;
                results.add(ceiling);
                AttributionReport.progress(ceiling, null);
            }
            Map<String, Path> databases = new LinkedHashMap<>();
            Result sql = null;
            List<Result> clickflow = new ArrayList<>();
            for (String c : cases) {
                if (c.equals("ceiling") || c.equals("freshness")) {
                    continue;
                }
                Path db = run.resolve(c + ".db");
                databases.put(c, db);
                List<String> options = new ArrayList<>(List.of(
                        "--bootstrap-servers",
                        bs,
                        "--clicks-topic",
                        CLICKS,
                        "--page-views-topic",
                        VIEWS,
                        "--group-id",
                        "bench-" + c,
                        "--starting-offsets",
                        "earliest",
                        "--bounded",
                        "--parallelism",
                        Integer.toString(parallelism),
                        "--jdbc-url",
                        "jdbc:sqlite:" + db,
                        "--checkpoint-dir",
                        run.resolve("checkpoints/" + c).toString(),
                        "--web-port",
                        Integer.toString(ChildProcesses.freePort())));
                String kind = c.equals("sql") ? "sql" : "attribution";
                List<String> jvm = new ArrayList<>();
                if (!cold) {
                    jvm.add("-Dclickflow.bench.warmup=true");
                }
                String label;
                if (c.equals("sql")) {
                    label = "Flink SQL peer (interval join + ROW_NUMBER, heap)";
                } else if (c.equals("connector-sink")) {
                    // heap, on-watermark, but every row through the JDBC connector's sink: a commit per row
                    jvm.add("-Dclickflow.jdbc.sink=connector");
                    label = "clickflow attribution, heap, on-watermark, connector sink";
                } else {
                    String mode = c.substring(c.indexOf('-') + 1);
                    options.addAll(List.of(
                            "--state-backend", c.startsWith("heap") ? "hashmap" : "rocksdb", "--emit-mode", mode));
                    label = "clickflow attribution, " + (c.startsWith("heap") ? "heap" : "RocksDB") + ", " + mode;
                }
                System.out.println(label + "...");
                JsonNode r = ChildJvm.runCase(kind, jvm, options, jobHeap, log, run.resolve(c + ".jfr"));
                Result result = Result.job(label, records, r);
                results.add(result);
                if (c.equals("sql")) {
                    sql = result;
                } else {
                    clickflow.add(result);
                }
                AttributionReport.progress(result, ceiling);
            }
            if (sql != null) {
                for (Result r : clickflow) {
                    r.vsSql = r.eventsPerSecond() / sql.eventsPerSecond();
                }
            }
            String agreement = agreement(databases);
            Result fresh = null;
            if (cases.contains("freshness")) {
                fresh = freshness(bench, bs);
                results.add(fresh);
            }
            System.out.println();
            AttributionReport.print(
                    System.out,
                    results,
                    String.format(
                            Locale.ROOT,
                            "%,d events (%,d Kafka records), %d partitions per topic, parallelism %d",
                            events,
                            records,
                            partitions,
                            parallelism),
                    machine,
                    agreement);
            bench.saveCsv(AttributionReport.csv(results));
        }
        return 0;
    }

    /** Update mode at {@code --freshness-rate}: from each page view's append to its row in the table. */
    private Result freshness(BenchRun bench, String bs) throws Exception {
        System.out.printf(
                "Freshness: update mode, %,d events/s for %s + %s...%n",
                freshnessRate, Durations.format(freshnessWarmup), Durations.format(freshnessDuration));
        BenchKafka.createTopics(
                bs, partitions, Map.of("message.timestamp.type", "LogAppendTime"), "fresh_clicks", "fresh_views");
        Path dbFile = bench.resolve("freshness.db");
        Process p = bench.child(ChildJvm.startServing(
                "serve",
                List.of(
                        "--bootstrap-servers",
                        bs,
                        "--clicks-topic",
                        "fresh_clicks",
                        "--page-views-topic",
                        "fresh_views",
                        "--group-id",
                        "bench-freshness",
                        "--starting-offsets",
                        "earliest",
                        "--emit-mode",
                        "update",
                        "--parallelism",
                        Integer.toString(parallelism),
                        "--jdbc-url",
                        "jdbc:sqlite:" + dbFile,
                        "--checkpoint-dir",
                        bench.resolve("checkpoints/freshness").toString(),
                        "--web-port",
                        Integer.toString(ChildProcesses.freePort())),
                jobHeap,
                bench.log,
                bench.resolve("freshness-job.log"),
                Duration.ofMinutes(2)));
        try {
            Freshness.Result f = Freshness.measure(
                    bs,
                    "fresh_clicks",
                    "fresh_views",
                    Database.of("jdbc:sqlite:" + dbFile),
                    freshnessRate,
                    freshnessWarmup.toMillis(),
                    freshnessDuration.toMillis(),
                    users);
            Result r = Result.throughput(
                    String.format(Locale.ROOT, "freshness, update mode at %,d events/s", freshnessRate),
                    f.events(),
                    (long) (f.events() / f.achievedRate() * 1e9));
            r.p50 = f.percentile(50);
            r.p99 = f.percentile(99);
            r.max = f.percentile(100);
            r.rows = f.measuredViews() - f.missing();
            r.note = String.format(
                    Locale.ROOT,
                    "%,d page views measured, %d not seen within 15 s, %,.0f events/s achieved",
                    f.measuredViews(),
                    f.missing(),
                    f.achievedRate());
            System.out.printf(
                    "  append -> row visible: p50 %d ms, p99 %d ms, max %d ms (%s)%n", r.p50, r.p99, r.max, r.note);
            return r;
        } finally {
            ChildJvm.stop(p);
        }
    }

    /** How many page views the SQL peer attributed exactly as clickflow did (on-watermark, heap). */
    private static String agreement(Map<String, Path> databases) throws Exception {
        Path ours = databases.get("heap-on-watermark");
        Path peer = databases.get("sql");
        if (ours == null || peer == null) {
            return null;
        }
        try (Connection c = Database.of("jdbc:sqlite:" + ours).connect();
                Statement s = c.createStatement()) {
            s.execute("ATTACH DATABASE '" + peer.toString().replace("'", "''") + "' AS peer");
            try (ResultSet rs = s.executeQuery(
                    "SELECT COUNT(*), SUM(CASE WHEN o.attributed_click_id IS p.attributed_click_id THEN 1 ELSE 0 END) "
                            + "FROM main.attributed_page_views o JOIN peer.attributed_page_views p USING (page_view_id)")) {
                rs.next();
                return String.format(
                        Locale.ROOT,
                        "The SQL peer attributes %,d of %,d page views exactly as clickflow does.",
                        rs.getLong(2),
                        rs.getLong(1));
            }
        }
    }
}
