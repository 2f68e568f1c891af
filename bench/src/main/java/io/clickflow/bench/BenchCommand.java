package io.clickflow.bench;

import io.clickflow.Clickflow;
import io.clickflow.attribution.ClickstreamGenerator;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.demo.KafkaBroker;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.tables.Database;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * {@code ./clickflow bench}: one run, one machine, the same pre-filled Kafka topics for every case: the
 * decode ceiling, clickflow's attribution catch-up (heap and RocksDB state, both emit modes), the same
 * rule in Flink SQL, and update-mode freshness at a fixed rate. Prints a table, writes a CSV.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        abbreviateSynopsis = true,
        versionProvider = Cli.Version.class,
        subcommands = {UniquesBench.class, ApiBench.class, RouterBench.class, SinkBench.class},
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
    static boolean profile;
    private static List<String> jobJvm = List.of();
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

    /** A duration option of at least {@code minSeconds}, or the command stops with one line saying so. */
    static void atLeast(String option, Duration d, long minSeconds) {
        if (d.toMillis() < minSeconds * 1000) {
            throw new UsageException(option + ": must be at least " + minSeconds + "s, not " + Durations.format(d));
        }
    }

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        Cli.range("--partitions", partitions, 1, 64);
        Cli.range("--users", users, 1, 100_000_000);
        Cli.range("--parallelism", parallelism, 1, 64);
        Cli.range("--freshness-rate", freshnessRate, 1, 1_000_000);
        atLeast("--freshness-duration", freshnessDuration, 1);
        atLeast("--freshness-warmup", freshnessWarmup, 0);
        if (events < 1000) {
            throw new UsageException("--events: must be at least 1000, not " + events);
        }
        BenchCommand.cases(cases, ALL_CASES);
        checkHeap(jobHeap);
    }

    @Override
    public Integer call() throws Exception {
        check();
        Set<String> cases = cases(this.cases, ALL_CASES);
        double freshRate = freshnessRate;
        Duration freshFor = freshnessDuration;
        Duration freshWarmup = freshnessWarmup;
        profile = profileOption;
        jobJvm = jobJvmFlags.isBlank() ? List.of() : List.of(jobJvmFlags.trim().split("\\s+"));
        Path run = runFolder(out, "run");
        Path log = run.resolve("bench.log");
        System.setProperty("clickflow.bench.log", log.toString());

        Map<String, Object> machine = machine();
        System.out.printf(
                "clickflow bench: %,d events, %d partitions per topic, parallelism %d; %s%n",
                events, partitions, parallelism, machine.get("summary"));
        System.out.println("Run folder: " + run);
        List<Result> results = new ArrayList<>();
        try (KafkaBroker broker = KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
            String bs = broker.bootstrapServers();
            createTopics(bs, partitions, Map.of(), CLICKS, VIEWS);
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
            long records = recordCount(bs, partitions, CLICKS, VIEWS);
            double prefillSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(
                    "  %,d records in %.1f s (%,.0f records/s); topic size %s%n",
                    records, prefillSeconds, records / prefillSeconds, mb(dirSize(run.resolve("kafka"))));

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
                print(ceiling, null, null);
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
                        Integer.toString(freePort())));
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
                JsonNode r = runCase(kind, jvm, options, jobHeap, log, run.resolve(c + ".jfr"));
                Result result = Result.job(label, records, r);
                results.add(result);
                if (c.equals("sql")) {
                    sql = result;
                } else {
                    clickflow.add(result);
                }
                print(result, ceiling, null);
            }
            if (sql != null) {
                for (Result r : clickflow) {
                    r.vsSql = r.eventsPerSecond() / sql.eventsPerSecond();
                }
            }
            String agreement = agreement(databases);
            Result fresh = null;
            if (cases.contains("freshness")) {
                fresh = freshness(
                        bs, partitions, parallelism, users, freshRate, freshWarmup, freshFor, run, jobHeap, log);
                results.add(fresh);
            }
            System.out.println();
            printTable(results, ceiling, machine, events, records, partitions, parallelism, agreement);
            writeCsv(run.resolve("results.csv"), results);
            Path latest = out.resolve("results.csv").toAbsolutePath();
            Files.copy(run.resolve("results.csv"), latest, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("CSV: " + run.resolve("results.csv") + " (also " + latest + ")");
        }
        return 0;
    }

    /** One row of the table. */
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

    static JsonNode runCase(String kind, List<String> jvm, List<String> options, String heap, Path log, Path jfr)
            throws Exception {
        List<String> command =
                new ArrayList<>(List.of(javaBin(), "-Xmx" + heap, "-Xms" + heap, "-Dclickflow.bench.log=" + log));
        command.addAll(jvm);
        command.addAll(jobJvm);
        if (profile) {
            command.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchCase.class.getName(), kind));
        command.addAll(options);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        JsonNode result = null;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(BenchCase.RESULT)) {
                    result = new ObjectMapper().readTree(line.substring(BenchCase.RESULT.length()));
                } else {
                    out.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the " + kind + " case failed (exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "); output:\n" + out + "see " + log);
        }
        return result;
    }

    /**
     * Starts an unbounded case in its own JVM, as {@link #runCase} does, and returns once it printed
     * {@link BenchCase#READY} (within {@code timeout}); its output goes on into {@code out}. The caller stops it.
     */
    static Process startServing(String kind, List<String> options, String heap, Path log, Path out, Duration timeout)
            throws Exception {
        List<String> command =
                new ArrayList<>(List.of(javaBin(), "-Xmx" + heap, "-Xms" + heap, "-Dclickflow.bench.log=" + log));
        command.addAll(jobJvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchCase.class.getName(), kind));
        command.addAll(options);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                            PrintStream to =
                                    new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            to.println(line);
                            if (line.equals(BenchCase.READY)) {
                                ready.complete(true);
                            }
                        }
                    } catch (IOException e) {
                        // the case ended
                    }
                    ready.complete(false);
                },
                kind + "-output");
        reader.setDaemon(true);
        reader.start();
        boolean started;
        try {
            started = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            started = false;
        }
        if (!started) {
            p.destroyForcibly();
            throw new IllegalStateException("the " + kind + " case did not start; see " + log + " and " + out);
        }
        return p;
    }

    /** {@code --cases}: every name one of {@code all}, else one line naming it; the set in the order given. */
    static Set<String> cases(String list, List<String> all) {
        Set<String> cases = new LinkedHashSet<>();
        for (String c : list.split(",")) {
            if (!all.contains(c)) {
                throw new UsageException("--cases: unknown case '" + c + "'; cases: " + String.join(",", all));
            }
            cases.add(c);
        }
        return cases;
    }

    /** {@code --job-heap}: a size the JVM's -Xmx takes. */
    static void checkHeap(String heap) {
        if (!heap.matches("[0-9]+[mgMG]")) {
            throw new UsageException("--job-heap must be like 2g or 1536m, not '" + heap + "'");
        }
    }

    /** A new folder for one run: {@code <out>/<prefix>-<time>}. */
    static Path runFolder(Path out, String prefix) throws IOException {
        Path run = out.resolve(
                        prefix + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(run);
        return run;
    }

    /** Stops the children still alive, each as {@link #stop} does. */
    static void stopAll(List<Process> children) {
        for (Process p : children) {
            if (p.isAlive()) {
                try {
                    stop(p);
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** SIGTERM, then SIGKILL after 20 s. */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Result freshness(
            String bs,
            int partitions,
            int parallelism,
            int users,
            double rate,
            Duration warmup,
            Duration measure,
            Path run,
            String heap,
            Path log)
            throws Exception {
        System.out.printf(
                "Freshness: update mode, %,.0f events/s for %s + %s...%n",
                rate, Durations.format(warmup), Durations.format(measure));
        createTopics(bs, partitions, Map.of("message.timestamp.type", "LogAppendTime"), "fresh_clicks", "fresh_views");
        Path dbFile = run.resolve("freshness.db");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                javaBin(),
                "-Xmx" + heap,
                "-Xms" + heap,
                "-Dclickflow.bench.log=" + log,
                "-cp",
                System.getProperty("java.class.path"),
                BenchCase.class.getName(),
                "serve",
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
                run.resolve("checkpoints/freshness").toString(),
                "--web-port",
                Integer.toString(port)));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals(BenchCase.READY)) {
                // the job's start-up lines
            }
            if (line == null) {
                throw new IllegalStateException("the freshness job did not start; see " + log);
            }
            Freshness.Result f = Freshness.measure(
                    bs,
                    "fresh_clicks",
                    "fresh_views",
                    Database.of("jdbc:sqlite:" + dbFile),
                    rate,
                    warmup.toMillis(),
                    measure.toMillis(),
                    users);
            Result r = Result.throughput(
                    String.format(Locale.ROOT, "freshness, update mode at %,.0f events/s", rate), f.events(), (long)
                            (f.events() / f.achievedRate() * 1e9));
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
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
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

    private static void print(Result r, Result ceiling, Result sql) {
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
                                Locale.ROOT, ", %,d rows (%,d final), peak RSS %s", r.rows, r.finalRows, mb(r.peakRss))
                        : "",
                r.coldNanos < 0
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; cold (first) run %,.0f events/s (%.1f s)",
                                r.coldEventsPerSecond(),
                                r.coldNanos / 1e9));
    }

    private static void printTable(
            List<Result> results,
            Result ceiling,
            Map<String, Object> machine,
            long events,
            long records,
            int partitions,
            int parallelism,
            String agreement) {
        System.out.printf(
                "clickflow bench — %,d events (%,d Kafka records), %d partitions per topic, parallelism %d%n",
                events, records, partitions, parallelism);
        System.out.println(machine.get("summary"));
        String header = String.format(
                Locale.ROOT,
                "%-58s %12s %12s %9s %7s %8s %9s %12s",
                "case",
                "events/s",
                "cold ev/s",
                "/ceiling",
                "/SQL",
                "time",
                "peak RSS",
                "last chkpt");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Result r : results) {
            if (r.p50 >= 0) {
                continue;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%-58s %,12.0f %12s %9s %7s %7.1fs %9s %12s%n",
                    r.name,
                    r.eventsPerSecond(),
                    r.coldNanos < 0 ? "" : String.format(Locale.ROOT, "%,.0f", r.coldEventsPerSecond()),
                    ceiling == null || r == ceiling
                            ? ""
                            : String.format(Locale.ROOT, "%.2fx", r.eventsPerSecond() / ceiling.eventsPerSecond()),
                    Double.isNaN(r.vsSql) ? "" : String.format(Locale.ROOT, "%.2fx", r.vsSql),
                    r.nanos / 1e9,
                    r.peakRss < 0 ? "" : mb(r.peakRss),
                    r.checkpointBytes < 0 ? "" : mb(r.checkpointBytes) + "/" + r.checkpointMillis + "ms");
        }
        for (Result r : results) {
            if (r.p50 >= 0) {
                System.out.printf(
                        Locale.ROOT,
                        "%s: append -> row visible p50 %d ms, p99 %d ms, max %d ms (%s)%n",
                        r.name,
                        r.p50,
                        r.p99,
                        r.max,
                        r.note);
            }
        }
        printCpu(results);
        if (agreement != null) {
            System.out.println(agreement);
        }
        System.out.println(
                "Targets (issue 14): heap >= 0.5x the ceiling and >= 3x SQL; RocksDB >= 0.25x the ceiling; freshness p99 <= 500 ms.");
    }

    /** CPU microseconds per event of each measured run, per stage, under the table. */
    private static void printCpu(List<Result> results) {
        StringBuilder format = new StringBuilder("%-58s %9s");
        List<Object> head = new ArrayList<>(List.of("CPU us per event (measured run)", "total"));
        for (String stage : BenchCase.STAGES) {
            format.append(" %9s");
            head.add(stage);
        }
        String header = String.format(Locale.ROOT, format.toString(), head.toArray());
        System.out.println();
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        for (Result r : results) {
            if (r.p50 >= 0 || r.cpuNanos < 0) {
                continue;
            }
            List<Object> row = new ArrayList<>(List.of(r.name, micros(r.cpuMicrosPerEvent(null))));
            for (String stage : BenchCase.STAGES) {
                row.add(micros(r.cpuMicrosPerEvent(stage)));
            }
            System.out.println(String.format(Locale.ROOT, format.toString(), row.toArray()));
        }
        System.out.println("cold ev/s: the case's first run over the same input in its fresh JVM (the JIT compiling"
                + " meanwhile); every other number is the second, warm run (the ceiling's: after its warm-up pass).");
        System.out.println("CPU: the case's JVM over the measured run (the ceiling: the bench's JVM; the broker's"
                + " never), per thread from /proc: source = Kafka fetch + decode + split, operator = the attribution"
                + " (SQL: join + dedupe) tasks, sinks = the JDBC sink tasks, other = checkpoints, RPC, network and"
                + " this measurement; a thread's last < 0.5 s before it ends may be missing from its stage.");
    }

    private static String micros(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static void writeCsv(Path file, List<Result> results) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("case,records,seconds,events_per_second,vs_ceiling,vs_sql,rows,final_rows,peak_rss_bytes,"
                + "last_checkpoint_bytes,last_checkpoint_ms,checkpoints,p50_ms,p99_ms,max_ms,minicluster_start_seconds,"
                + "cold_seconds,cold_events_per_second,cpu_us_per_event"
                + BenchCase.STAGES.stream()
                        .map(s -> ",cpu_us_per_event_" + s.toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining()));
        double ceiling = results.stream()
                .filter(r -> r.name.startsWith("ceiling"))
                .mapToDouble(Result::eventsPerSecond)
                .findFirst()
                .orElse(Double.NaN);
        for (Result r : results) {
            lines.add(String.join(
                            ",",
                            "\"" + r.name + "\"",
                            Long.toString(r.records),
                            String.format(Locale.ROOT, "%.3f", r.nanos / 1e9),
                            String.format(Locale.ROOT, "%.0f", r.eventsPerSecond()),
                            Double.isNaN(ceiling) || r.p50 >= 0
                                    ? ""
                                    : String.format(Locale.ROOT, "%.3f", r.eventsPerSecond() / ceiling),
                            Double.isNaN(r.vsSql) ? "" : String.format(Locale.ROOT, "%.3f", r.vsSql),
                            Long.toString(r.rows),
                            Long.toString(r.finalRows),
                            Long.toString(r.peakRss),
                            Long.toString(r.checkpointBytes),
                            Long.toString(r.checkpointMillis),
                            Long.toString(r.checkpoints),
                            Long.toString(r.p50),
                            Long.toString(r.p99),
                            Long.toString(r.max),
                            r.startUpNanos < 0 ? "" : String.format(Locale.ROOT, "%.3f", r.startUpNanos / 1e9),
                            r.coldNanos < 0 ? "" : String.format(Locale.ROOT, "%.3f", r.coldNanos / 1e9),
                            r.coldNanos < 0 ? "" : String.format(Locale.ROOT, "%.0f", r.coldEventsPerSecond()),
                            micros(r.cpuMicrosPerEvent(null)))
                    + BenchCase.STAGES.stream()
                            .map(stage -> "," + micros(r.cpuMicrosPerEvent(stage)))
                            .collect(Collectors.joining()));
        }
        Files.write(file, lines);
    }

    static void createTopics(String bs, int partitions, Map<String, String> config, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, partitions, (short) 1).configs(config));
            }
            admin.createTopics(newTopics).all().get(60, TimeUnit.SECONDS);
            KafkaPreflight.awaitLeaders(admin, List.of(topics), Duration.ofSeconds(60));
        }
    }

    static long recordCount(String bs, int partitions, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            for (String t : topics) {
                for (int p = 0; p < partitions; p++) {
                    request.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            }
            return admin.listOffsets(request).all().get(60, TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset())
                    .sum();
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException e) {
            // not Linux
        }
        m.put(
                "summary",
                String.format(
                        Locale.ROOT,
                        "%d cores (%s), %s GB RAM, Java %s, Flink %s",
                        Runtime.getRuntime().availableProcessors(),
                        cpu,
                        memoryGb(),
                        System.getProperty("java.version"),
                        EnvironmentInformation.getVersion()));
        return m;
    }

    private static String memoryGb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return String.format(
                            Locale.ROOT, "%.0f", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "?";
    }

    static String mb(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%,.0f MB", bytes / 1e6);
    }

    static long dirSize(Path dir) throws IOException {
        return dirSize(dir, ".log"); // record data only: Kafka preallocates index files
    }

    /** Bytes of the regular files under {@code dir} whose names end with {@code suffix}. */
    static long dirSize(Path dir, String suffix) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(suffix) && Files.isRegularFile(f))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
