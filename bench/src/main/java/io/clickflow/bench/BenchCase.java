package io.clickflow.bench;

import io.clickflow.analytics.AnalyticsCommand;
import io.clickflow.analytics.AnalyticsJob;
import io.clickflow.analytics.AnalyticsOptions;
import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.AttributionJob;
import io.clickflow.attribution.AttributionOptions;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.route.RouteCommand;
import io.clickflow.route.RouteJob;
import io.clickflow.route.RouteOptions;
import io.clickflow.runner.JobRunner;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UniquesTables;
import io.clickflow.uniques.UniquesCommand;
import io.clickflow.uniques.UniquesJob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * One measured job in its own JVM (so its peak RSS is its own): {@code attribution} or {@code sql} over
 * the pre-filled topics, bounded, timed from submission to the last row in the database; or
 * {@code serve}, the attribution job unbounded until killed, for the freshness measurement; or {@code uniques},
 * {@code uniques-sql}, {@code analytics} and {@code analytics-sql}, the counting jobs and their Flink SQL peers over a
 * bounded input ({@code analytics} without one: the hourly job unbounded behind the API servers of {@code bench api});
 * or {@code route}, {@code route-ceiling} and {@code kafka-streams}, the contenders of {@code bench router}. The
 * options after the case are {@code ./clickflow attribution}'s (or the job's named). The bounded attribution, SQL,
 * uniques and analytics cases first run once unmeasured when asked ({@link #warmUp}). Prints one
 * {@code BENCH-RESULT {json}} line.
 */
public final class BenchCase {
    static final String RESULT = "BENCH-RESULT ";
    static final String READY = "BENCH-READY";

    private BenchCase() {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        if (kind.equals("uniques") || kind.equals("uniques-sql")) {
            uniques(kind.equals("uniques-sql"), Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (kind.equals("analytics") || kind.equals("analytics-sql")) {
            analytics(kind.equals("analytics-sql"), Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (kind.equals("route")) {
            route(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (kind.equals("route-ceiling")) {
            report(CopyCeiling.run(PeerArgs.parse(Arrays.copyOfRange(args, 1, args.length))));
            return;
        }
        if (kind.equals("kafka-streams")) {
            StreamsRouter.run(PeerArgs.parse(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        String[] options = Arrays.copyOfRange(args, 1, args.length);
        JobSetup<AttributionOptions> attribution =
                setup(o -> o.runtime, kind.equals("sql") ? SqlAttribution::define : AttributionJob::build);
        if (kind.equals("serve")) {
            AttributionOptions o = AttributionCommand.parse(options);
            serve(attribution.build(o), "bench serve", o.runtime.webPort());
            return;
        }
        long coldNanos = warmUp(options, "bench " + kind, AttributionCommand::parse, attribution);
        AttributionOptions o = AttributionCommand.parse(options);
        ObjectNode result = runToEnd(attribution.build(o), "bench " + kind, o.runtime.webPort(), true);
        result.put("coldNanos", coldNanos);
        putCounts(
                result,
                o.database,
                "SELECT COUNT(*), COALESCE(SUM(is_final), 0) FROM " + AttributionTables.ATTRIBUTED.name(),
                "rows",
                "finalRows");
        report(result);
    }

    /** Builds one job on a fresh environment from its parsed options. */
    @FunctionalInterface
    interface JobSetup<O> {
        StreamExecutionEnvironment build(O options) throws Exception;
    }

    /**
     * With {@code -Dclickflow.bench.warmup=true}, a first, unmeasured run of the job over the same input (its own
     * group id, database and checkpoints: {@code -warmup} appended; its own web port) to its end, so that the
     * measured run after it finds the code compiled, as the ceiling's warm-up pass does: a cold JVM spends much of
     * a short run in the JIT (BENCHMARKS.md). Returns that first run's time from submission to its end, or -1
     * without a warm-up.
     */
    static <O> long warmUp(String[] args, String name, Function<String[], O> parse, JobSetup<O> setup)
            throws Exception {
        if (!Boolean.getBoolean("clickflow.bench.warmup")) {
            return -1;
        }
        List<String> warm = new ArrayList<>(List.of(args));
        for (String option : List.of("--group-id", "--jdbc-url", "--checkpoint-dir")) {
            int i = warm.indexOf(option);
            if (i >= 0) {
                warm.set(i + 1, warm.get(i + 1) + "-warmup");
            }
        }
        int port = warm.indexOf("--web-port");
        if (port >= 0) {
            warm.set(port + 1, Integer.toString(ChildProcesses.freePort())); // the measured run keeps its own
        }
        StreamExecutionEnvironment env = setup.build(parse.apply(warm.toArray(String[]::new)));
        JobClient client = env.executeAsync(name + " warm-up");
        long t = System.nanoTime();
        client.getJobExecutionResult().get();
        return System.nanoTime() - t;
    }

    /**
     * The analytics job as {@code ./clickflow analytics} wires it (or with {@code sql} its Flink SQL peer): over a
     * bounded input timed to its end, as {@link #uniques} does; else unbounded behind {@code ./clickflow bench api}'s
     * servers, printing {@link #READY} once every task runs, until the parent kills this JVM.
     */
    static void analytics(boolean sql, String[] args) throws Exception {
        JobSetup<AnalyticsOptions> analytics = setup(o -> o.runtime, sql ? SqlAnalytics::define : AnalyticsJob::build);
        AnalyticsOptions o = AnalyticsCommand.parse(args);
        if (!o.fileMode() && !o.kafka.bounded()) {
            serve(analytics.build(o), "bench api analytics", o.runtime.webPort());
            return;
        }
        timed(
                "bench analytics" + (sql ? " sql" : ""),
                args,
                AnalyticsCommand::parse,
                analytics,
                a -> a.runtime.webPort(),
                a -> a.database,
                AnalyticsTables.HOURLY.name());
    }

    /** A job's pipeline, added to an environment from its parsed options. */
    @FunctionalInterface
    interface Pipeline<O> {
        void add(StreamExecutionEnvironment env, O options) throws Exception;
    }

    /** A job on a fresh local environment of its runtime options, with {@code pipeline} added. */
    static <O> JobSetup<O> setup(Function<O, RuntimeOptions> runtime, Pipeline<O> pipeline) {
        return o -> {
            StreamExecutionEnvironment env = JobRunner.environment(runtime.apply(o), null, true);
            pipeline.add(env, o);
            return env;
        };
    }

    /**
     * {@code ./clickflow route} as {@link RouteJob} wires it: with {@code --bounded} timed to its end (every routed
     * record committed), else unbounded behind {@code ./clickflow bench router}'s latency producer until killed.
     */
    static void route(String[] args) throws Exception {
        RouteOptions o = RouteCommand.parse(args);
        StreamExecutionEnvironment env = JobRunner.environment(o.runtime, null, true);
        RouteJob.build(env, o);
        if (!o.kafka.bounded()) {
            serve(env, "bench router " + o.delivery, o.runtime.webPort());
            return;
        }
        report(runToEnd(env, "bench router " + o.delivery, o.runtime.webPort()));
    }

    /** Submits the job (the MiniCluster starts first), prints {@link #READY} once every task runs, runs until killed. */
    private static void serve(StreamExecutionEnvironment env, String name, int webPort) throws Exception {
        JobClient client = env.executeAsync(name);
        new CheckpointWatcher(webPort, client.getJobID().toString()).awaitAllTasksRunning();
        System.out.println(READY);
        System.out.flush();
        client.getJobExecutionResult().get(); // until the parent kills this JVM
    }

    /**
     * The uniques job (or with {@code sql} its Flink SQL peer) over its bounded input, timed from submission to the
     * end; the counts' rows read back.
     */
    static void uniques(boolean sql, String[] args) throws Exception {
        timed(
                "bench uniques",
                args,
                UniquesCommand::parse,
                setup(o -> o.runtime, sql ? SqlUniques::define : UniquesJob::build),
                o -> o.runtime.webPort(),
                o -> o.database,
                UniquesTables.UNIQUE_USERS.name());
    }

    /**
     * A counting job over its bounded input, warmed up when asked ({@link #warmUp}), then timed from submission to
     * the end, with its CPU by kind of thread over that run; the rows of its {@code table} (all, final) and of
     * late_events read back.
     */
    private static <O> void timed(
            String name,
            String[] args,
            Function<String[], O> parse,
            JobSetup<O> setup,
            ToIntFunction<O> webPort,
            Function<O, Database> database,
            String table)
            throws Exception {
        long coldNanos = warmUp(args, name, parse, setup);
        O o = parse.apply(args);
        ObjectNode result = runToEnd(setup.build(o), name, webPort.applyAsInt(o), true);
        result.put("coldNanos", coldNanos);
        putCounts(
                result,
                database.apply(o),
                "SELECT (SELECT COUNT(*) FROM " + table + "), (SELECT COALESCE(SUM(is_final), 0) FROM " + table
                        + "), (SELECT COUNT(*) FROM " + DeadLetterTables.LATE.name() + ")",
                "rows",
                "finalRows",
                "late");
        report(result);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Submits the job (the MiniCluster starts first: reported apart as startUpNanos) and waits for its end:
     * wall and CPU time from submission, peak RSS, the last completed checkpoint.
     */
    static ObjectNode runToEnd(StreamExecutionEnvironment env, String name, int webPort) throws Exception {
        return runToEnd(env, name, webPort, false);
    }

    /**
     * As {@link #runToEnd(StreamExecutionEnvironment, String, int)}, with {@code stages}: also the run's CPU time per
     * {@link #stage} (reading /proc twice a second costs a little CPU, so only where it is shown).
     */
    static ObjectNode runToEnd(StreamExecutionEnvironment env, String name, int webPort, boolean stages)
            throws Exception {
        long startUp = System.nanoTime();
        JobClient client = env.executeAsync(name);
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        StageCpu stageCpu = stages ? new StageCpu() : null;
        if (stageCpu != null) {
            stageCpu.start();
        }
        CheckpointWatcher checkpoints =
                new CheckpointWatcher(webPort, client.getJobID().toString());
        checkpoints.start();
        client.getJobExecutionResult().get();
        long nanos = System.nanoTime() - start;
        long cpuNanos = processCpuNanos() - cpuStart;
        checkpoints.stop();
        ObjectNode result = JSON.createObjectNode();
        result.put("nanos", nanos);
        result.put("cpuNanos", cpuNanos);
        if (stageCpu != null) {
            stageCpu.stop();
            result.set("stageCpuMillis", JSON.valueToTree(stageCpu.millisByStage()));
            result.set("threadCpuMillis", JSON.valueToTree(stageCpu.millisByKind()));
            System.err.println(name + ": CPU by thread over the measured run (ms): " + stageCpu.millisByThread());
        }
        result.put("startUpNanos", start - startUp);
        result.put("peakRssBytes", peakRssBytes());
        JsonNode last = checkpoints.lastCompleted();
        result.put("checkpoints", checkpoints.completed());
        if (last != null) {
            result.put(
                    "checkpointBytes",
                    last.path("checkpointed_size")
                            .asLong(last.path("state_size").asLong()));
            result.put("stateBytes", last.path("state_size").asLong());
            result.put("checkpointMillis", last.path("end_to_end_duration").asLong());
        }
        return result;
    }

    /** Puts the one row of numbers {@code sql} returns into the result, under {@code names}. */
    static void putCounts(ObjectNode result, Database db, String sql, String... names) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            for (int i = 0; i < names.length; i++) {
                result.put(names[i], rs.getLong(i + 1));
            }
        }
    }

    /** The one line the parent reads; then this JVM ends (Flink's non-daemon threads would keep it). */
    static void report(ObjectNode result) {
        System.out.println(RESULT + result);
        System.out.flush();
        System.exit(0);
    }

    private static Map<String, Long> largestFirst(Map<String, Long> millis) {
        Map<String, Long> sorted = new LinkedHashMap<>();
        millis.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** A daemon thread calling {@code poll} every {@code millis} until interrupted. */
    static Thread every(long millis, String name, Runnable poll) {
        Thread thread = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        poll.run();
                        try {
                            Thread.sleep(millis);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Thread names (Linux cuts them to 15 characters) grouped into what they do. */
    static String kind(String name) {
        if (name.startsWith("C2 Compiler") || name.startsWith("C1 Compiler")) return "JIT";
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) return "GC";
        if (name.startsWith("Source Data Fet")) return "source fetchers";
        if (name.startsWith("Source: ")) return "source tasks (decode, split, assign)";
        if (name.startsWith("count distinct") || name.startsWith("count users, cl")) return "stage 1 (per shard)";
        if (name.startsWith("count unique") || name.startsWith("count hourly st")) return "stage 2 + sinks";
        if (name.contains("WindowAgg") || name.startsWith("GroupAggregate") || name.startsWith("Calc")) {
            return "SQL aggregate";
        }
        if (name.startsWith("to unique_users") || name.startsWith("to hourly_stats")) return "SQL to rows + sinks";
        if (name.startsWith("kafka-producer")) return "Kafka producer";
        return "other";
    }

    /** The stages of an attribution job (and its SQL peer) that {@link #stage} sorts threads into, in table order. */
    static final List<String> STAGES = List.of("source", "operator", "sinks", "JIT", "GC", "other");

    /**
     * The stage a thread works for, by its name (cut to 15 characters): the Kafka source (fetchers, the
     * decoding and splitting task, the consumer's heartbeat), the attribution operator (clickflow's, or the SQL
     * peer's join and dedupe tasks), the JDBC sinks (their own tasks: SQLite takes one writer per table, so they
     * are not chained to the operator), the JIT compilers, GC, and the rest (checkpointing, the MiniCluster's RPC,
     * network and output flushers, this measurement's own threads).
     */
    static String stage(String name) {
        String kind = kind(name);
        if (kind.equals("JIT") || kind.equals("GC")) return kind;
        if (name.startsWith("Source") || name.startsWith("kafka-coordinat")) return "source";
        if (name.startsWith("attribute page")
                || name.startsWith("IntervalJoin")
                || name.startsWith("Join")
                || name.startsWith("Rank")
                || name.startsWith("Calc")
                || name.startsWith("Deduplicate")) return "operator";
        if (name.startsWith(threadName(AttributionTables.ATTRIBUTED.name()))
                || name.startsWith(threadName(DeadLetterTables.REJECTED.name()))
                || name.startsWith(threadName(DeadLetterTables.LATE.name()))
                || name.startsWith("Sink")) return "sinks";
        return "other";
    }

    /** What /proc shows of a thread named {@code name}: Linux keeps a thread's first 15 characters. */
    private static String threadName(String name) {
        return name.length() <= 15 ? name : name.substring(0, 15);
    }

    /**
     * CPU time per thread over one run, from /proc (so the JIT compiler and GC threads count too): read at
     * the start, then every {@link #EVERY_MILLIS} while the run goes on, since a thread's time leaves /proc when the
     * thread ends (a thread ending between two reads loses at most that much of its last CPU time).
     */
    static final class StageCpu {
        static final long EVERY_MILLIS = 500;
        private final Map<String, Long> start = readThreads();
        private final Map<String, Long> last = new HashMap<>(start);
        private Thread thread;

        void start() {
            thread = every(EVERY_MILLIS, "stage-cpu", this::sample);
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(2000);
            sample();
        }

        /** Reads every live thread's CPU now (the sampling thread does it every {@link #EVERY_MILLIS}). */
        synchronized void sample() {
            last.putAll(readThreads());
        }

        /** Milliseconds of CPU per thread name (numbers and subtask indexes kept), largest first. */
        synchronized Map<String, Long> millisByThread() {
            Map<String, Long> byName = new HashMap<>();
            last.forEach(
                    (key, ticks) -> byName.merge(name(key), (ticks - start.getOrDefault(key, 0L)) * 10, Long::sum));
            return largestFirst(byName);
        }

        /** The thread's name in a key of {@link #readThreads}. */
        static String name(String key) {
            return key.substring(key.indexOf('/') + 1);
        }

        /** Milliseconds of CPU per {@link #kind} of thread, largest first. */
        Map<String, Long> millisByKind() {
            Map<String, Long> byKind = new HashMap<>();
            millisByThread().forEach((name, millis) -> byKind.merge(kind(name), millis, Long::sum));
            return largestFirst(byKind);
        }

        /** Milliseconds of CPU per {@link #STAGES stage}, in their order. */
        Map<String, Long> millisByStage() {
            Map<String, Long> byStage = new LinkedHashMap<>();
            STAGES.forEach(s -> byStage.put(s, 0L));
            millisByThread().forEach((name, millis) -> byStage.merge(stage(name), millis, Long::sum));
            return byStage;
        }

        /**
         * utime + stime in ticks (USER_HZ = 100 on Linux) of every live thread, keyed by its id and start time
         * (ids are reused) and name: {@code "<tid>:<start>/<name>"}; empty where there is no /proc.
         */
        static Map<String, Long> readThreads() {
            Map<String, Long> ticks = new HashMap<>();
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks.put(
                                task.getFileName() + ":" + f[19] + "/" + name,
                                Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    } catch (Exception gone) {
                        // the thread ended meanwhile
                    }
                }
            } catch (Exception e) {
                // not Linux
            }
            return ticks;
        }
    }

    /** CPU time of this whole JVM (all threads) so far. */
    static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of another process from /proc (Linux; 0 elsewhere), in nanoseconds. */
    static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // USER_HZ = 100
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * CPU time of a JVM's JIT compiler threads (C1 and C2) from /proc/PID/task/TID/schedstat (Linux; 0 elsewhere), in
     * nanoseconds: how much a process still compiles, the sign that it is not yet warm.
     */
    static long compilerCpuNanos(long pid) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm"));
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                        String run = Files.readString(task.resolve("schedstat")).split(" ")[0];
                        sum += Long.parseLong(run.trim());
                    }
                } catch (Exception e) {
                    // the thread ended (the JVM retires idle compiler threads) or not Linux
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return sum;
    }

    /** VmHWM: the most resident memory this JVM ever had. */
    static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }

    /** Follows the job's checkpoints over the MiniCluster's REST API, keeping the last completed one. */
    static final class CheckpointWatcher {
        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();
        private final String base;
        private final AtomicReference<JsonNode> last = new AtomicReference<>();
        private volatile long completed;
        private Thread thread;

        CheckpointWatcher(int port, String jobId) {
            this.base = "http://127.0.0.1:" + port + "/jobs/" + jobId;
        }

        void start() {
            thread = every(500, "checkpoint-watcher", this::poll);
        }

        private void poll() {
            try {
                JsonNode stats = get("/checkpoints");
                JsonNode latest = stats.path("latest").path("completed");
                if (!latest.isMissingNode() && !latest.isNull()) {
                    last.set(latest);
                }
                completed = stats.path("counts").path("completed").asLong(completed);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // stopped: ends the polling loop
            } catch (Exception e) {
                // the job may be gone already; keep what we have
            }
        }

        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(2000);
        }

        JsonNode lastCompleted() {
            return last.get();
        }

        long completed() {
            return completed;
        }

        void awaitAllTasksRunning() throws Exception {
            while (true) {
                try {
                    JsonNode job = get("");
                    List<JsonNode> vertices = new ArrayList<>();
                    job.path("vertices").forEach(vertices::add);
                    if (!vertices.isEmpty()
                            && vertices.stream()
                                    .allMatch(v ->
                                            "RUNNING".equals(v.path("status").asText()))) {
                        return;
                    }
                } catch (Exception notYet) {
                    // REST not up yet
                }
                Thread.sleep(100);
            }
        }

        private JsonNode get(String path) throws Exception {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
            return json.readTree(r.body());
        }
    }
}
