package io.clickflow.bench;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.demo.ApiServerProcess;
import io.clickflow.demo.KafkaBroker;
import io.clickflow.tables.AnalyticsTables;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code ./clickflow bench api}: the analytics API on this machine, side by side in one run: the ceiling (serve's
 * HTTP setup answering a constant), {@code ./clickflow serve} against a real broker, SQLite and the analytics job,
 * and the Redis peer (PFADD/INCR, PFCOUNT/MGET). Peak req/s closed-loop, then latency open-loop at fixed rates from
 * each request's intended send time, and POST-to-visible-in-GET freshness. Every server in its own JVM.
 */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        abbreviateSynopsis = true,
        versionProvider = Cli.Version.class,
        description = {
            "Measures the analytics API on this machine in one run: the ceiling (the same HTTP server answering a",
            "constant), clickflow's POST and GET (serve + Kafka + the analytics job + SQLite), the Redis peer, and",
            "POST-to-GET freshness. Peak req/s (closed loop), then p50/p99/p99.9 at fixed rates (open loop)."
        })
public final class ApiBench implements Callable<Integer> {
    static final List<String> ALL_CASES =
            List.of("ceiling", "clickflow-post", "clickflow-get", "redis-post", "redis-get", "freshness");
    static final String TOPIC = "analytics_events";
    static final int TOPIC_PARTITIONS = 2;
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;
    /** The mixes: this share of requests asks for (or posts to) the current hour, the rest for earlier ones. */
    static final double CURRENT_HOUR_SHARE = 0.95;
    /** Earlier hours go back at most this far: within serve's default --max-age of 24h. */
    static final int EARLIEST_HOUR_BACK = 23;

    static final double CLICK_SHARE = 0.2;
    /** Every server JVM gets the launcher's default heap for serve. */
    static final String SERVER_HEAP = "-Xmx512m";

    /** A step whose load generator used this share of its cores or more is marked as bound by it. */
    static final double CLIENT_BOUND_SHARE = 0.9;

    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description = "How long each measured step runs (the peak and every rate of every case).")
    Duration duration;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "60s",
            description = "Closed-loop load before each case's peak, not measured: the servers are measured warm, as "
                    + "they run in production (the JIT of the server and of the broker and job behind it).")
    Duration warmup;

    @Option(
            names = "--rates",
            paramLabel = "LIST",
            defaultValue = "25,50,75",
            description = "Open-loop rates, in percent of each case's own peak, comma-separated (50 gives the "
                    + "half-peak latency the targets use).")
    String rates;

    @Option(
            names = "--connections",
            paramLabel = "LIST",
            defaultValue = "64,256",
            description = "HTTP/1.1 keep-alive connections of the load generator (one request under way on each), "
                    + "comma-separated: each case's peak is its best closed loop over these counts (a POST waits "
                    + "for Kafka, so few connections cap its rate: Little's law), and its open loops use that count.")
    String connections;

    @Option(
            names = "--client-threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "Event loops of the load generator (in this JVM).")
    int clientThreads;

    @Option(
            names = "--event-loops",
            paramLabel = "N",
            defaultValue = "0",
            description = "Event loops of every server, serve's --event-loops (0: one per core).")
    int eventLoops;

    @Option(
            names = "--users",
            paramLabel = "N",
            defaultValue = "10000",
            description = "The pool POSTs draw their users from.")
    int users;

    @Option(
            names = "--freshness-duration",
            paramLabel = "DURATION",
            defaultValue = "20s",
            description = "How long freshness probes run (one every 100 ms) under POSTs at half clickflow's POST peak "
                    + "(1,000/s when clickflow-post is not run).")
    Duration freshnessDuration;

    @Option(
            names = "--freshness-rate",
            paramLabel = "N",
            defaultValue = "0",
            description = "POSTs/s of the mix behind the freshness probes (0: half clickflow's POST peak, 1,000/s "
                    + "when clickflow-post is not run).")
    int freshnessRate;

    @Option(
            names = "--job-heap",
            paramLabel = "SIZE",
            defaultValue = "1g",
            description = "-Xmx of the analytics job's JVM.")
    String jobHeap;

    @Option(
            names = "--job-options",
            paramLabel = "'<options>'",
            defaultValue = "",
            description = "More options of the analytics job (./clickflow analytics's), space-separated, such as "
                    + "'--consumer-property fetch.max.wait.ms=20'.")
    String jobOptions;

    @Option(
            names = "--serve-options",
            paramLabel = "'<options>'",
            defaultValue = "",
            description = "More options of serve (./clickflow serve's), space-separated, such as '--linger 0'.")
    String serveOptions;

    @Option(
            names = "--pin",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Pin the load generator (this JVM) to CPU 0 and every server with what is behind it to the "
                    + "other CPUs (taskset), so ratios compare servers, not how they share the cores with the client; "
                    + "--no-pin lets every process use any core.")
    boolean pin;

    @Option(
            names = "--cases",
            paramLabel = "LIST",
            defaultValue = "ceiling,clickflow-post,clickflow-get,redis-post,redis-get,freshness",
            description = "Which cases to run, comma-separated.")
    String cases;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (broker data, database, logs, results.csv) goes.")
    Path out;

    private final List<Process> children = new ArrayList<>();
    private Pinning pinning;
    private Path run;
    private Path log;

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        BenchCommand.atLeast("--duration", duration, 1);
        if (warmup.isNegative()) {
            throw new UsageException("--warmup: must be 0 or more");
        }
        BenchCommand.atLeast("--freshness-duration", freshnessDuration, 1);
        Cli.range("--freshness-rate", freshnessRate, 0, 1_000_000);
        connectionCounts();
        Cli.range("--client-threads", clientThreads, 1, 64);
        Cli.range("--event-loops", eventLoops, 0, 1024);
        Cli.range("--users", users, 1, 10_000_000);
        rates();
        BenchCommand.cases(cases, ALL_CASES);
        BenchCommand.checkHeap(jobHeap);
    }

    /** The load generator's connection counts, in the order given. */
    List<Integer> connectionCounts() {
        return numbers("--connections", connections, "counts like 64,256", 1, 10_000);
    }

    /** The open-loop rates in percent of the peak. */
    List<Integer> rates() {
        return numbers("--rates", rates, "percentages of the peak like 25,50,75", 1, 100);
    }

    /** A comma-separated list of whole numbers in [min, max]; anything else is a one-line usage error. */
    private static List<Integer> numbers(String option, String value, String expected, int min, int max) {
        List<Integer> list = new ArrayList<>();
        for (String part : value.split(",")) {
            int n;
            try {
                n = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(option + ": " + expected + ", not '" + value + "'");
            }
            list.add(Cli.range(option, n, min, max));
        }
        return list;
    }

    @Override
    public Integer call() throws Exception {
        check();
        Set<String> cases = BenchCommand.cases(this.cases, ALL_CASES);
        run = BenchCommand.runFolder(out, "api");
        log = run.resolve("bench.log");
        Map<String, Object> machine = BenchCommand.machine();
        String setup = String.format(
                Locale.ROOT,
                "%s connections, %d client event loop(s) in the bench JVM, servers' event loops %s, %s per step, "
                        + "warm-up %s, open loop at %s%% of each peak",
                connections,
                clientThreads,
                eventLoops == 0 ? "one per core" : Integer.toString(eventLoops),
                Durations.format(duration),
                Durations.format(warmup),
                rates);
        pinning = Pinning.of(pin, Runtime.getRuntime().availableProcessors());
        setup += "; " + pinning.describe();
        pinning.pinClient();
        System.out.println("clickflow bench api: " + setup + "; " + machine.get("summary"));
        System.out.println("Run folder: " + run + "; load on the machine before: " + loadAverage());
        Thread cleanup = new Thread(this::stopChildren, "bench-api-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        List<Row> rows = new ArrayList<>();
        ApiFreshness.Freshness fresh = null;
        try {
            if (cases.contains("ceiling")) {
                Process p = startPeer("ceiling", List.of());
                rows.addAll(measure("ceiling", "ceiling (constant, no Kafka, no DB)", port(p), getMix(), p, List.of()));
                stop(p);
            }
            if (cases.contains("redis-post") || cases.contains("redis-get")) {
                Path redisServer = onPath("redis-server");
                if (redisServer == null) {
                    System.out.println("Redis peer: skipped, redis-server is not on the PATH (Debian: apt-get install "
                            + "redis-server).");
                } else {
                    int redisPort = BenchCommand.freePort();
                    Process redis = startRedis(redisServer, redisPort);
                    Process p = startPeer("redis", List.of(Integer.toString(redisPort)));
                    List<Long> backing = List.of(redis.pid());
                    if (cases.contains("redis-post")) {
                        rows.addAll(measure("redis-post", "Redis peer POST", port(p), postMix(), p, backing));
                    }
                    if (cases.contains("redis-get")) {
                        rows.addAll(measure("redis-get", "Redis peer GET", port(p), getMix(), p, backing));
                    }
                    stop(p);
                    stop(redis);
                }
            }
            if (cases.contains("clickflow-post") || cases.contains("clickflow-get") || cases.contains("freshness")) {
                try (KafkaBroker broker =
                        KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
                    String bs = broker.bootstrapServers();
                    BenchCommand.createTopics(bs, TOPIC_PARTITIONS, Map.of(), TOPIC);
                    Path db = run.resolve("analytics.db");
                    Process job = startJob(bs, db);
                    Process serve = startServe(bs, db);
                    List<Process> backing = List.of(job);
                    List<Long> backingPids = List.of(job.pid(), broker.pid());
                    int port = port(serve);
                    Row postPeak = null;
                    if (cases.contains("clickflow-post")) {
                        List<Row> post =
                                measure("clickflow-post", "clickflow POST", port, postMix(), serve, backingPids);
                        rows.addAll(post);
                        postPeak = find(post, "clickflow-post", 0);
                    }
                    if (cases.contains("clickflow-get")) {
                        rows.addAll(measure("clickflow-get", "clickflow GET", port, getMix(), serve, backingPids));
                    }
                    if (cases.contains("freshness")) {
                        double background =
                                freshnessRate > 0 ? freshnessRate : postPeak != null ? postPeak.achieved / 2 : 1000;
                        pinning.pinServers(serve, backingPids);
                        fresh = new ApiFreshness(
                                        users,
                                        freshnessDuration,
                                        clientThreads,
                                        Collections.max(connectionCounts()),
                                        postMix())
                                .measure(port, background);
                    }
                    stop(serve);
                    for (Process p : backing) {
                        stop(p);
                    }
                }
            }
        } finally {
            stopChildren();
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        System.out.println();
        report(System.out, rows, fresh, machine, setup);
        Path csv = run.resolve("results.csv");
        writeCsv(csv, rows, fresh);
        Files.createDirectories(out);
        Files.copy(csv, out.resolve("api-results.csv").toAbsolutePath(), StandardCopyOption.REPLACE_EXISTING);
        System.out.println(
                "CSV: " + csv + " (also " + out.resolve("api-results.csv").toAbsolutePath() + ")");
        return 0;
    }

    // ---- the request mixes -------------------------------------------------------------------------------------

    /** 95% current hour, the rest 1..23 hours earlier. */
    static long timestamp() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long now = System.currentTimeMillis();
        return r.nextDouble() < CURRENT_HOUR_SHARE ? now : now - (1 + r.nextInt(EARLIEST_HOUR_BACK)) * HOUR;
    }

    static Supplier<HttpLoad.Call> getMix() {
        return () -> new HttpLoad.Call(HttpMethod.GET, "/analytics?timestamp=" + timestamp());
    }

    /** Users from the pool, 20% clicks, hours as {@link #timestamp()}. */
    Supplier<HttpLoad.Call> postMix() {
        int pool = users;
        return () -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            return new HttpLoad.Call(
                    HttpMethod.POST,
                    "/analytics?timestamp=" + timestamp() + "&user=user-" + r.nextInt(pool)
                            + (r.nextDouble() < CLICK_SHARE ? "&click" : "&impression"));
        };
    }

    // ---- measuring -----------------------------------------------------------------------------------------------

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
        /** The load generator's connections in this step. */
        int connections;
        /** The load generator used nearly all its cores: the step measures it as much as the server. */
        boolean clientBound;
    }

    private List<Row> measure(
            String name, String label, int port, Supplier<HttpLoad.Call> mix, Process server, List<Long> backing)
            throws Exception {
        List<Integer> counts = connectionCounts();
        System.out.println(label + " (" + connections + " connections)...");
        pinning.pinServers(server, backing);
        List<Row> rows = new ArrayList<>();
        try (HttpLoad load = new HttpLoad(clientThreads, port)) {
            if (!warmup.isZero()) {
                load.closedLoop(counts.get(0), warmup, mix);
            }
            Row peak = null;
            for (int n : counts) {
                Cpu cpu = new Cpu(server, backing);
                Row r = row(name, label, "closed, " + n + " conns", -1, load.closedLoop(n, duration, mix), cpu);
                r.connections = n;
                rows.add(print(clientBound(r)));
                if (peak == null || r.achieved > peak.achieved) {
                    peak = r;
                }
            }
            peak.percent = 0;
            peak.step = "peak, " + peak.connections + " conns";
            if (counts.size() > 1) {
                System.out.printf(
                        Locale.ROOT, "  peak: %,.0f req/s with %d connections%n", peak.achieved, peak.connections);
            }
            for (int pct : rates()) {
                double rate = peak.achieved * pct / 100.0;
                Cpu cpu = new Cpu(server, backing);
                Row r = row(
                        name,
                        label,
                        "open loop " + pct + "%",
                        pct,
                        load.openLoop(peak.connections, rate, duration, mix),
                        cpu);
                r.target = rate;
                r.connections = peak.connections;
                rows.add(print(clientBound(r)));
            }
        }
        return rows;
    }

    /** Marks {@code r} when the load generator used at least this share of the cores it may use. */
    private Row clientBound(Row r) {
        r.clientBound = r.clientCpu >= CLIENT_BOUND_SHARE * pinning.clientCores();
        return r;
    }

    private static Row row(String name, String label, String step, int pct, HttpLoad.Step s, Cpu cpu) {
        Row r = new Row();
        r.caseName = name;
        r.label = label;
        r.step = step;
        r.percent = pct;
        r.achieved = s.perSecond();
        r.ok = s.ok();
        r.errors = s.errors();
        r.unanswered = s.unanswered();
        Histogram h = s.latencyMicros();
        r.p50 = h.getValueAtPercentile(50) / 1000.0;
        r.p99 = h.getValueAtPercentile(99) / 1000.0;
        r.p999 = h.getValueAtPercentile(99.9) / 1000.0;
        r.max = h.getMaxValue() / 1000.0;
        double seconds = s.nanos() / 1e9;
        r.serverCpu = cpu.serverSeconds() / seconds;
        r.backingCpu = cpu.backingSeconds() / seconds;
        r.clientCpu = cpu.clientSeconds() / seconds;
        return r;
    }

    private static Row print(Row r) {
        System.out.printf(
                Locale.ROOT,
                "  %-18s %,10.0f req/s%s  p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%s; CPU cores: server %.2f, "
                        + "behind it %.2f, load generator %.2f%n",
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
                r.clientCpu);
        return r;
    }

    /** CPU seconds used since construction by the server, what is behind it (broker, job, Redis) and this JVM. */
    private static final class Cpu {
        private final long server;
        private final List<Long> backingPids;
        private final long backing;
        private final long client;
        private final long serverPid;

        Cpu(Process server, List<Long> backingPids) {
            this.serverPid = server.pid();
            this.backingPids = backingPids;
            this.server = BenchCase.processCpuNanos(serverPid);
            this.backing =
                    backingPids.stream().mapToLong(BenchCase::processCpuNanos).sum();
            this.client = BenchCase.processCpuNanos();
        }

        double serverSeconds() {
            return (BenchCase.processCpuNanos(serverPid) - server) / 1e9;
        }

        double backingSeconds() {
            return (backingPids.stream().mapToLong(BenchCase::processCpuNanos).sum() - backing) / 1e9;
        }

        double clientSeconds() {
            return (BenchCase.processCpuNanos() - client) / 1e9;
        }
    }

    // ---- the processes ---------------------------------------------------------------------------------------------

    private Process startPeer(String kind, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                BenchCommand.javaBin(),
                SERVER_HEAP,
                "-cp",
                System.getProperty("java.class.path"),
                ApiPeer.class.getName(),
                kind));
        command.addAll(args);
        command.addAll(List.of(
                "--port", Integer.toString(BenchCommand.freePort()), "--event-loops", Integer.toString(eventLoops)));
        return start(kind + "-peer", command);
    }

    /** {@code ./clickflow serve} as the launcher runs it: its own JVM, the api module's jar and classpath. */
    private Process startServe(String bs, Path db) throws Exception {
        int port = BenchCommand.freePort();
        ApiServerProcess serve = ApiServerProcess.start(
                "serve",
                ApiServerProcess.classpath(ApiServerProcess.defaultClasspathFile()),
                run.resolve("serve.log"),
                List.of(SERVER_HEAP),
                withMore(
                        List.of(
                                "--port",
                                Integer.toString(port),
                                "--bootstrap-servers",
                                bs,
                                "--events-topic",
                                TOPIC,
                                "--jdbc-url",
                                "jdbc:sqlite:" + db,
                                "--event-loops",
                                Integer.toString(eventLoops)),
                        serveOptions));
        children.add(serve.process);
        ports.put(serve.process, port);
        names.put(serve.process, "serve");
        return serve.process;
    }

    private Process startJob(String bs, Path db) throws Exception {
        System.out.println("Starting the analytics job (MiniCluster, parallelism 2, update mode)...");
        Process p = BenchCommand.startServing(
                "analytics",
                withMore(
                        List.of(
                                "--bootstrap-servers",
                                bs,
                                "--events-topic",
                                TOPIC,
                                "--group-id",
                                "bench-api",
                                "--starting-offsets",
                                "earliest",
                                "--jdbc-url",
                                "jdbc:sqlite:" + db,
                                "--checkpoint-dir",
                                run.resolve("checkpoints").toString(),
                                "--web-port",
                                Integer.toString(BenchCommand.freePort())),
                        jobOptions),
                jobHeap,
                log,
                run.resolve("job.log"),
                START_TIMEOUT);
        children.add(p);
        return p;
    }

    /** {@code options} followed by the user's {@code more}, split at spaces. */
    private static List<String> withMore(List<String> options, String more) {
        List<String> all = new ArrayList<>(options);
        if (!more.isBlank()) {
            all.addAll(List.of(more.trim().split("\\s+")));
        }
        return all;
    }

    private Process startRedis(Path redisServer, int port) throws Exception {
        // Persistence off: the peer at its fastest (a snapshot or append-only file would only cost it).
        Process p = start(
                "redis",
                List.of(
                        redisServer.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        run.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start; see " + run.resolve("redis.log"));
                }
                Thread.sleep(50); // polling another process's start-up
            }
        }
    }

    /** Starts a child with its output in {@code <name>.log}; the server's port is its --port. */
    private Process start(String name, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(run.resolve(name + ".log").toFile())
                .start();
        children.add(p);
        ports.put(p, command.contains("--port") ? Integer.parseInt(command.get(command.indexOf("--port") + 1)) : -1);
        names.put(p, name);
        return p;
    }

    private final Map<Process, Integer> ports = new LinkedHashMap<>();
    private final Map<Process, String> names = new LinkedHashMap<>();

    /** The server's port once a GET of the current hour answers 200 (bounded). */
    private int port(Process p) throws Exception {
        int port = ports.get(p);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (HttpLoad load = new HttpLoad(1, port)) {
            HttpClientAgent client = load.client(1);
            while (true) {
                HttpLoad.Answer a = HttpLoad.sendAndWait(
                        client,
                        new HttpLoad.Call(HttpMethod.GET, "/analytics?timestamp=" + System.currentTimeMillis()));
                if (a.status() == 200) {
                    client.close();
                    return port;
                }
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            names.get(p) + " did not answer; see " + run.resolve(names.get(p) + ".log"));
                }
                Thread.sleep(100); // polling another process's start-up
            }
        }
    }

    /** SIGTERM (servers shut down gracefully, Redis too), then SIGKILL after 20 s. */
    private void stop(Process p) throws InterruptedException {
        BenchCommand.stop(p);
    }

    private void stopChildren() {
        BenchCommand.stopAll(children);
    }

    static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    // ---- the report
    // --------------------------------------------------------------------------------------------------

    private void report(
            PrintStream o, List<Row> rows, ApiFreshness.Freshness fresh, Map<String, Object> machine, String setup) {
        o.println("clickflow bench api — " + setup);
        o.println(machine.get("summary") + "; load average after the run: " + loadAverage());
        String header = String.format(
                Locale.ROOT,
                "%-36s %-18s %10s %10s %8s %8s %8s %8s %7s  %s",
                "case",
                "step",
                "target/s",
                "req/s",
                "p50 ms",
                "p99 ms",
                "p99.9 ms",
                "max ms",
                "errors",
                "CPU cores: server/behind/client");
        o.println(header);
        o.println("-".repeat(header.length()));
        for (Row r : rows) {
            o.printf(
                    Locale.ROOT,
                    "%-36s %-18s %10s %,10.0f %8.2f %8.2f %8.2f %8.1f %7d  %.2f/%.2f/%.2f%s%n",
                    r.label,
                    r.step,
                    Double.isNaN(r.target) ? "" : String.format(Locale.ROOT, "%,.0f", r.target),
                    r.achieved,
                    r.p50,
                    r.p99,
                    r.p999,
                    r.max,
                    r.errors + r.unanswered,
                    r.serverCpu,
                    r.backingCpu,
                    r.clientCpu,
                    r.clientBound ? " *" : "");
        }
        if (rows.stream().anyMatch(r -> r.clientBound)) {
            o.printf(
                    Locale.ROOT,
                    "* the load generator used %.0f%% or more of its %s: that step measures it as much as the server.%n",
                    CLIENT_BOUND_SHARE * 100,
                    pinning.clientCores() == 1 ? "core" : pinning.clientCores() + " cores");
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
        o.println("Targets:");
        for (String[] t : targets(rows, fresh)) {
            o.printf("  %-52s %12s   %s%n", t[0], t[1], t[2]);
        }
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

    private static Row find(List<Row> rows, String name, int percent) {
        return rows.stream()
                .filter(r -> r.caseName.equals(name) && r.percent == percent)
                .findFirst()
                .orElse(null);
    }

    private static void writeCsv(Path file, List<Row> rows, ApiFreshness.Freshness fresh) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("case,step,percent_of_peak,target_per_second,achieved_per_second,ok,errors,unanswered,p50_ms,p99_ms,"
                + "p999_ms,max_ms,server_cpu_cores,behind_cpu_cores,client_cpu_cores,connections");
        for (Row r : rows) {
            lines.add(String.join(
                    ",",
                    r.caseName,
                    "\"" + r.step + "\"",
                    Integer.toString(r.percent),
                    Double.isNaN(r.target) ? "" : String.format(Locale.ROOT, "%.0f", r.target),
                    String.format(Locale.ROOT, "%.0f", r.achieved),
                    Long.toString(r.ok),
                    Long.toString(r.errors),
                    Long.toString(r.unanswered),
                    String.format(Locale.ROOT, "%.3f", r.p50),
                    String.format(Locale.ROOT, "%.3f", r.p99),
                    String.format(Locale.ROOT, "%.3f", r.p999),
                    String.format(Locale.ROOT, "%.3f", r.max),
                    String.format(Locale.ROOT, "%.2f", r.serverCpu),
                    String.format(Locale.ROOT, "%.2f", r.backingCpu),
                    String.format(Locale.ROOT, "%.2f", r.clientCpu),
                    Integer.toString(r.connections)));
        }
        if (fresh != null) {
            lines.add(String.join(
                    ",",
                    "freshness",
                    "\"" + fresh.probes() + " probes, " + fresh.seen() + " visible\"",
                    "",
                    String.format(Locale.ROOT, "%.0f", fresh.backgroundRate()),
                    String.format(Locale.ROOT, "%.0f", fresh.backgroundRate()),
                    Integer.toString(fresh.seen()),
                    "0",
                    Integer.toString(fresh.probes() - fresh.seen()),
                    String.format(Locale.ROOT, "%.0f", fresh.p50()),
                    String.format(Locale.ROOT, "%.0f", fresh.p99()),
                    "",
                    String.format(Locale.ROOT, "%.0f", fresh.max()),
                    "",
                    "",
                    "",
                    ""));
            ApiFreshness.FreshGets g = fresh.freshGets();
            lines.add(String.join(
                    ",",
                    "fresh-get",
                    "\"" + g.answered() + " answered, " + g.missing() + " short\"",
                    "",
                    "",
                    "",
                    Integer.toString(g.answered()),
                    Integer.toString(g.failed()),
                    "0",
                    String.format(Locale.ROOT, "%.3f", g.p50()),
                    String.format(Locale.ROOT, "%.3f", g.p99()),
                    "",
                    String.format(Locale.ROOT, "%.3f", g.max()),
                    "",
                    "",
                    "",
                    ""));
        }
        Files.write(file, lines);
    }
}
