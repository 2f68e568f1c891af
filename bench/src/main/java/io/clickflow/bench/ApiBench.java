package io.clickflow.bench;

import io.clickflow.bench.ApiReport.Row;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.tables.AnalyticsTables;

import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * {@code ./clickflow bench api}: the analytics API on this machine, side by side in one run: the ceiling (serve's
 * HTTP setup answering a constant), {@code ./clickflow serve} against a real broker, SQLite and the analytics job,
 * and the Redis peer (PFADD/INCR, PFCOUNT/MGET). Peak req/s closed-loop, then latency open-loop at fixed rates from
 * each request's intended send time, and POST-to-visible-in-GET freshness. Every server in its own JVM.
 */
@Command(
        name = "api",
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
    /** Of each case's --warmup, the part run as an open loop (when the warm-up is at least twice this). */
    static final Duration OPEN_WARMUP = Duration.ofSeconds(10);
    /** The warm-up goes on while the JIT compilers of the case's JVMs used more than this share of one core. */
    static final double JIT_QUIET_SHARE = 0.02;

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
            description = "Load not measured before each case's peak, so that the servers are measured warm, as they "
                    + "run in production (the JIT of the server and of the broker and job behind it): closed loop; when "
                    + "it is 20 s or more, its last 10 s in open loop at half the rate reached, going on while the JIT "
                    + "still compiles (--warmup-max), and the same again at half the peak after it (the load "
                    + "generator's own open-loop JIT).")
    Duration warmup;

    @Option(
            names = "--warmup-max",
            paramLabel = "DURATION",
            defaultValue = "240s",
            description = "Longest warm-up: its open-loop parts go on in 10 s slices "
                    + "while the JIT compilers of the case's JVMs (server, broker, job, load generator) used more than "
                    + "2%% of a core in the last slice, up to this (the JIT of a freshly started stack competes with "
                    + "the servers on their core; BENCHMARKS.md).")
    Duration warmupMax;

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

    private Pinning pinning;
    private String freshnessFailure;
    private BenchRun run;
    private ApiServers servers;

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        BenchOptions.atLeast("--duration", duration, 1);
        if (warmup.isNegative()) {
            throw new UsageException("--warmup: must be 0 or more");
        }
        if (warmupMax.isNegative()) {
            throw new UsageException("--warmup-max: must be 0 or more");
        }
        BenchOptions.atLeast("--freshness-duration", freshnessDuration, 1);
        Cli.range("--freshness-rate", freshnessRate, 0, 1_000_000);
        connectionCounts();
        Cli.range("--client-threads", clientThreads, 1, 64);
        Cli.range("--event-loops", eventLoops, 0, 1024);
        Cli.range("--users", users, 1, 10_000_000);
        rates();
        BenchOptions.cases(cases, ALL_CASES);
        BenchOptions.checkHeap(jobHeap);
    }

    /** The load generator's connection counts, in the order given. */
    List<Integer> connectionCounts() {
        return BenchOptions.numbers("--connections", connections, "counts like 64,256", 1, 10_000);
    }

    /** The open-loop rates in percent of the peak. */
    List<Integer> rates() {
        return BenchOptions.numbers("--rates", rates, "percentages of the peak like 25,50,75", 1, 100);
    }

    @Override
    public Integer call() throws Exception {
        check();
        Set<String> cases = BenchOptions.cases(this.cases, ALL_CASES);
        String machine = BenchRun.machine();
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
        System.out.println("clickflow bench api: " + setup + "; " + machine);
        List<Row> rows = new ArrayList<>();
        ApiFreshness.Freshness fresh = null;
        try (BenchRun run = BenchRun.start(out, "api", "api-results.csv")) {
            this.run = run;
            servers = new ApiServers(run, this);
            System.out.println("Run folder: " + run.folder + "; load on the machine before: " + BenchRun.loadAverage());
            if (cases.contains("ceiling")) {
                Process p = servers.startPeer("ceiling", List.of());
                rows.addAll(measure(
                        "ceiling", "ceiling (constant, no Kafka, no DB)", servers.port(p), getMix(), p, List.of()));
                servers.stop(p);
            }
            if (cases.contains("redis-post") || cases.contains("redis-get")) {
                Path redisServer = ApiServers.onPath("redis-server");
                if (redisServer == null) {
                    System.out.println("Redis peer: skipped, redis-server is not on the PATH (Debian: apt-get install "
                            + "redis-server).");
                } else {
                    int redisPort = ChildProcesses.freePort();
                    Process redis = servers.startRedis(redisServer, redisPort);
                    Process p = servers.startPeer("redis", List.of(Integer.toString(redisPort)));
                    List<Long> backing = List.of(redis.pid());
                    if (cases.contains("redis-post")) {
                        rows.addAll(measure("redis-post", "Redis peer POST", servers.port(p), postMix(), p, backing));
                    }
                    if (cases.contains("redis-get")) {
                        rows.addAll(measure("redis-get", "Redis peer GET", servers.port(p), getMix(), p, backing));
                    }
                    servers.stop(p);
                    servers.stop(redis);
                }
            }
            if (cases.contains("clickflow-post") || cases.contains("clickflow-get") || cases.contains("freshness")) {
                try (KafkaBroker broker =
                        KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
                    String bs = broker.bootstrapServers();
                    BenchKafka.createTopics(bs, TOPIC_PARTITIONS, Map.of(), TOPIC);
                    Path db = run.resolve("analytics.db");
                    Process job = servers.startJob(bs, db);
                    Process serve = servers.startServe(bs, db);
                    List<Process> backing = List.of(job);
                    List<Long> backingPids = List.of(job.pid(), broker.pid());
                    int port = servers.port(serve);
                    Row postPeak = null;
                    if (cases.contains("clickflow-post")) {
                        List<Row> post =
                                measure("clickflow-post", "clickflow POST", port, postMix(), serve, backingPids);
                        rows.addAll(post);
                        postPeak = ApiReport.find(post, "clickflow-post", 0);
                    }
                    if (cases.contains("clickflow-get")) {
                        rows.addAll(measure("clickflow-get", "clickflow GET", port, getMix(), serve, backingPids));
                    }
                    if (cases.contains("freshness")) {
                        double background =
                                freshnessRate > 0 ? freshnessRate : postPeak != null ? postPeak.achieved / 2 : 1000;
                        pinning.pinServers(serve, backingPids);
                        try {
                            fresh = new ApiFreshness(
                                            users,
                                            freshnessDuration,
                                            clientThreads,
                                            Collections.max(connectionCounts()),
                                            postMix())
                                    .measure(port, background);
                        } catch (Exception e) {
                            // The steps already measured are kept: the table still prints, without freshness.
                            freshnessFailure = "Freshness: not measured (" + e + "); see " + run.resolve("serve.log");
                            System.out.println(freshnessFailure);
                        }
                    }
                    servers.stop(serve);
                    for (Process p : backing) {
                        servers.stop(p);
                    }
                }
            }
        }
        System.out.println();
        ApiReport.print(System.out, rows, fresh, machine, setup, pinning.clientCores());
        if (freshnessFailure != null) {
            System.out.println(freshnessFailure);
        }
        run.saveCsv(ApiReport.csv(rows, fresh));
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

    private List<Row> measure(
            String name, String label, int port, Supplier<HttpLoad.Call> mix, Process server, List<Long> backing)
            throws Exception {
        List<Integer> counts = connectionCounts();
        System.out.println(label + " (" + connections + " connections)...");
        pinning.pinServers(server, backing);
        List<Row> rows = new ArrayList<>();
        try (HttpLoad load = new HttpLoad(clientThreads, port)) {
            // When long enough, the warm-up ends in open loop until the JIT is quiet, before the peak and again
            // after it at half of it: the open loops measured next follow the generator's own switch from closed to
            // open loop (its JIT), not a peak.
            Duration open = warmup.compareTo(OPEN_WARMUP.multipliedBy(2)) >= 0 ? OPEN_WARMUP : Duration.ZERO;
            long warmed = 0;
            if (!warmup.isZero()) {
                HttpLoad.Step closed = load.closedLoop(counts.get(0), warmup.minus(open), mix);
                warmed = warmup.minus(open).toNanos();
                if (!open.isZero()) {
                    warmed = warmUntilQuiet(
                            load, counts.get(0), closed.perSecond() / 2, open, mix, server, backing, warmed);
                }
            }
            Row peak = null;
            for (int n : counts) {
                Cpu cpu = new Cpu(server, backing);
                Row r = row(name, label, "closed, " + n + " conns", -1, load.closedLoop(n, duration, mix), cpu);
                r.connections = n;
                rows.add(ApiReport.progress(clientBound(r)));
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
            if (!open.isZero()) {
                warmUntilQuiet(load, peak.connections, peak.achieved / 2, open, mix, server, backing, warmed);
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
                rows.add(ApiReport.progress(clientBound(r)));
            }
        }
        return rows;
    }

    /**
     * Open loop at {@code rate} in slices of {@code slice} (one at least) until the JIT compilers of the server, what
     * is behind it and this JVM used at most {@link #JIT_QUIET_SHARE} of a core in the last slice, or the whole warm-up
     * reached --warmup-max; returns the warm-up's time so far. A stack started a minute ago still compiles, in bursts
     * that take the servers' core for tens of milliseconds, which no long-running deployment sees.
     */
    private long warmUntilQuiet(
            HttpLoad load,
            int connections,
            double rate,
            Duration slice,
            Supplier<HttpLoad.Call> mix,
            Process server,
            List<Long> backing,
            long warmedBefore)
            throws Exception {
        long warmed = warmedBefore;
        double jitShare;
        do {
            Cpu cpu = new Cpu(server, backing);
            load.openLoop(connections, rate, slice, mix);
            jitShare = cpu.jitSeconds() / cpu.elapsedSeconds();
            warmed += slice.toNanos();
        } while (jitShare > JIT_QUIET_SHARE && warmed < warmupMax.toNanos());
        System.out.printf(
                Locale.ROOT,
                "  warm-up %.0f s in all; JIT compilers in its last %d s: %.1f%% of a core%s%n",
                warmed / 1e9,
                slice.toSeconds(),
                jitShare * 100,
                jitShare > JIT_QUIET_SHARE ? " (still compiling at --warmup-max)" : "");
        return warmed;
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
        double seconds = cpu.elapsedSeconds();
        r.serverCpu = cpu.serverSeconds() / seconds;
        r.backingCpu = cpu.backingSeconds() / seconds;
        r.clientCpu = cpu.clientSeconds() / seconds;
        r.jitMs = cpu.jitSeconds() * 1000;
        return r;
    }

    /** CPU seconds used since construction by the server, what is behind it (broker, job, Redis) and this JVM. */
    private static final class Cpu {
        private final long server;
        private final List<Long> backingPids;
        private final long backing;
        private final long client;
        private final long serverPid;
        private final long jit;
        private final long started = System.nanoTime();

        Cpu(Process server, List<Long> backingPids) {
            this.serverPid = server.pid();
            this.backingPids = backingPids;
            this.jit = jitNanos();
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

        /** The JIT compiler threads of the server, what is behind it and this JVM (the load generator). */
        double jitSeconds() {
            return (jitNanos() - jit) / 1e9;
        }

        private long jitNanos() {
            long sum = BenchCase.compilerCpuNanos(serverPid)
                    + BenchCase.compilerCpuNanos(ProcessHandle.current().pid());
            for (long pid : backingPids) {
                sum += BenchCase.compilerCpuNanos(pid);
            }
            return sum;
        }

        /** Since construction: the step's whole time (an open loop's lead-in and drain too), as the CPU counted. */
        double elapsedSeconds() {
            return (System.nanoTime() - started) / 1e9;
        }
    }
}
