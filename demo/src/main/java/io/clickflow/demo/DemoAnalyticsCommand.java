package io.clickflow.demo;

import io.clickflow.analytics.AnalyticsCommand;
import io.clickflow.analytics.AnalyticsJob;
import io.clickflow.analytics.AnalyticsOptions;
import io.clickflow.analytics.AnalyticsTraffic;
import io.clickflow.api.ApiServerProcess;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.runner.JobRunner;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.EventTimes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code ./clickflow demo analytics}: a Kafka broker, the hourly analytics job in a local MiniCluster with the Web UI,
 * {@code ./clickflow serve} processes in front of them and a generated load on those, until Ctrl-C or --duration.
 */
@Command(
        name = "analytics",
        header = "Start a Kafka broker, the hourly analytics job, two API servers and a load on them.",
        description = {
            "Starts a Kafka broker (KRaft, child process), the hourly analytics job in a local MiniCluster with the",
            "Flink Web UI, ./clickflow serve processes (child JVMs, 127.0.0.1) on --api-ports, and POSTs and GETs",
            "on them, round robin. Everything lives under output/demo-analytics/ and is started afresh on each run.",
            "Ctrl-C (or --duration) stops the load, checks every hour's GET against the POSTs answered 204, then",
            "stops the servers (they drain), the job with a savepoint and the broker."
        })
public final class DemoAnalyticsCommand implements Callable<Integer> {
    static final Path DIR = Path.of("output", "demo-analytics");
    static final int MAX_SERVERS = 8;
    /** Clicks among the generated events; the rest are impressions. */
    static final double CLICK_RATIO = 0.1;
    /** Events in the hours before the current one, which the job corrects within its allowed lateness. */
    static final double HISTORIC_FRACTION = 0.05;
    /** How far before now a current event may be: clients' clocks and queues. */
    static final int DISORDER_MILLIS = 1_000;

    static final Duration SERVER_START = Duration.ofSeconds(60);
    static final Duration SERVER_STOP = Duration.ofSeconds(30);
    static final Duration LOAD_DRAIN = Duration.ofSeconds(15);
    /** After the load stops, until every GET equals the brute force: the job's update interval, the sink, the cache. */
    static final Duration CATCH_UP = Duration.ofSeconds(30);
    /** Small and quick to start: 2 cores are shared by the job, the broker, the servers and the load. */
    static final List<String> SERVER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /** A user name as the load's generator makes them. */
    static final Pattern LOAD_USER = Pattern.compile("user-(0|[1-9][0-9]{0,8})");

    @Mixin
    DemoOptions demo;

    @Option(
            names = "--api-ports",
            paramLabel = "PORT,PORT",
            split = ",",
            defaultValue = "8080,8082",
            description = "One API server on each of these ports (1 to 8 of them; 0: any free port), on 127.0.0.1.")
    List<Integer> apiPorts;

    @Option(
            names = "--rate",
            paramLabel = "N",
            defaultValue = "500",
            description = "POSTs per second, round robin over the servers; GETs come on top, 5%% of it.")
    int rate;

    @Option(names = "--users", paramLabel = "N", defaultValue = "10000", description = "Users the load is made of.")
    int users;

    /** Where it keeps its files, and the classpath files of the broker and the API (null: the launcher's); for tests. */
    Path dir = DIR;

    Path kafkaClasspathFile;
    Path apiClasspathFile;

    /** The last run's load and final check, for a test to look at. */
    volatile ApiLoad load;

    volatile ApiLoad.Check check;
    final List<ApiServerProcess> servers = new ArrayList<>();
    volatile KafkaBroker broker;
    private String eventsTopic;

    @Override
    public Integer call() throws Exception {
        // Everything is checked before anything starts: a mistake is one line, with nothing to clean up.
        Cli.range("--rate", rate, 1, 100_000);
        Cli.range("--users", users, 1, 10_000_000);
        checkPorts();
        demo.check();
        int brokerPort = DemoSession.brokerPort();
        AnalyticsOptions job = jobOptions(brokerPort);
        eventsTopic = job.eventsTopic;
        String apiClasspath;
        Path kafka;
        try {
            apiClasspath = ApiServerProcess.classpath(
                    apiClasspathFile != null ? apiClasspathFile : ApiServerProcess.defaultClasspathFile());
            kafka = kafkaClasspathFile != null ? kafkaClasspathFile : KafkaBroker.defaultRuntimeClasspath();
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }

        DemoSession session = DemoSession.start(dir, kafka, brokerPort);
        broker = session.broker();
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicBoolean fed = new AtomicBoolean();
        Runnable stopFeeding = () -> {
            if (fed.compareAndSet(false, true)) {
                stopFeeding();
            }
        };
        try {
            session.createTopics(demo.partitions, job.eventsTopic);
            for (int port : apiPorts) {
                servers.add(ApiServerProcess.start(
                        "serve-" + (servers.size() + 1),
                        apiClasspath,
                        dir.resolve("serve-" + (servers.size() + 1) + ".log"),
                        SERVER_JVM,
                        ResultsPageServer.serveArgs(
                                port,
                                broker.bootstrapServers(),
                                job.eventsTopic,
                                demo.webPort,
                                job.database.sqliteFile())));
            }
            System.out.println("Starting " + servers.size() + " API servers (./clickflow serve, logs in "
                    + dir.resolve("serve-*.log") + ") and the hourly analytics job (" + job.database.describe()
                    + ")...");
            JobRunner.run(
                    "clickflow demo analytics",
                    job.runtime,
                    env -> AnalyticsJob.build(env, job),
                    AnalyticsCommand.progress(job).alongside(() -> load == null ? null : load.line()),
                    stop -> {
                        try {
                            for (ApiServerProcess s : servers) {
                                s.awaitListening(SERVER_START);
                            }
                            load = new ApiLoad(
                                    servers,
                                    new AnalyticsTraffic(
                                            System.nanoTime(), users, CLICK_RATIO, HISTORIC_FRACTION, DISORDER_MILLIS),
                                    rate,
                                    ApiLoad.WARM_UP);
                            printAddresses(job);
                            load.start();
                            session.stopAfter(demo.duration, stop);
                        } catch (RuntimeException e) {
                            failure.set(e);
                            session.execute(stop); // not on this thread: the job has yet to be watched
                        }
                    },
                    stopFeeding);
        } finally {
            stopFeeding.run();
            if (load != null) {
                load.close();
            }
            for (ApiServerProcess s : servers) {
                s.kill(); // only those a failure left running: the stop above waited for the others
            }
            session.close();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        DemoSession.printQueries(
                job.database.sqliteFile(), "SELECT * FROM " + AnalyticsTables.HOURLY.name() + " ORDER BY hour_start");
        return 0;
    }

    private void checkPorts() {
        Cli.range("--api-ports: the number of ports", apiPorts.size(), 1, MAX_SERVERS);
        Set<Integer> seen = new HashSet<>();
        for (int port : apiPorts) {
            Cli.range("--api-ports", port, 0, 65535);
            if (port != 0 && (!seen.add(port) || port == demo.webPort)) {
                throw new UsageException("--api-ports: port " + port + " is given twice (or is the --web-port)");
            }
        }
        for (int port : apiPorts) {
            DemoOptions.ensureFree(port, "an API server", "--api-ports");
        }
    }

    AnalyticsOptions jobOptions(int brokerPort) {
        return AnalyticsCommand.parse(demo.jobArgs(
                brokerPort,
                "clickflow-demo-analytics",
                dir,
                "--emit-mode",
                "update",
                "--jdbc-url",
                DemoOptions.sqliteUrl(dir)));
    }

    private void printAddresses(AnalyticsOptions job) {
        String first = servers.get(0).base();
        String last = servers.get(servers.size() - 1).base();
        System.out.println("API servers: "
                + servers.stream().map(ApiServerProcess::base).collect(Collectors.joining(" and "))
                + " (listening after "
                + servers.stream()
                        .map(s -> String.format("%.1f s", s.startMillis() / 1000.0))
                        .collect(Collectors.joining(", "))
                + "), all writing to " + job.eventsTopic + " and reading hourly_stats.");
        System.out.printf(
                "Load: %,d POSTs/s round robin (%,d users, %.0f%% clicks, %.0f%% in the %d hours before this one) "
                        + "and %,.0f GETs/s; the first %d s warm up (the JIT) and are not measured.%n",
                rate,
                users,
                100 * CLICK_RATIO,
                100 * HISTORIC_FRACTION,
                AnalyticsTraffic.HISTORIC_HOURS,
                load.getsPerSecond(),
                ApiLoad.WARM_UP.toSeconds());
        System.out.println("Results page (refreshes itself): " + first + "/");
        System.out.println("Try it:");
        System.out.println("  curl -i -X POST \"" + first + "/analytics?timestamp=$(date +%s000)&user=alice&click\"");
        // One click POSTed to both servers with one key (a retry elsewhere) counts once.
        System.out.println(
                "  T=$(date +%s000); for s in " + first + " " + last
                        + "; do curl -i -X POST -H 'Idempotency-Key: demo-'$T \"$s/analytics?timestamp=$T&user=bob&click\"; done");
        System.out.println("  curl \"" + last + "/analytics?timestamp=$(date +%s000)\"");
        // A fresh read waits until the job has counted every POST acknowledged before it, by any server.
        System.out.println("  curl \"" + last + "/analytics?timestamp=$(date +%s000)&fresh\"");
        System.out.println("  curl " + first + "/metrics");
        System.out.println("Ctrl-C stops it all: the load, the API servers (they drain), the job (savepoint), Kafka.");
    }

    /** The load first, the check of what it got, then the servers: all before the job's savepoint. */
    private void stopFeeding() {
        ApiLoad l = load;
        if (l != null) {
            l.stop(LOAD_DRAIN);
            System.out.printf(
                    "%nLoad stopped: %,d POSTs (204: %s), %,d GETs, %,d answers other than 2xx%s%s.%n",
                    l.posts(),
                    l.accepted204().stream().map(n -> String.format("%,d", n)).collect(Collectors.joining(" + ")),
                    l.gets(),
                    l.non2xx(),
                    l.non2xx() == 0 ? "" : " " + l.failures(),
                    l.skipped() == 0
                            ? ""
                            : String.format(
                                            ", %,d requests skipped (more than 1 s behind the schedule of --rate)",
                                            l.skipped())
                                    + (l.warmUpSkipped() == 0
                                            ? ""
                                            : String.format(", %,d skipped while warming up", l.warmUpSkipped())));
            System.out.println("Waiting for every hour's GET on every server to equal the brute force: the load's POSTs"
                    + " answered 204, plus any events others POSTed (users other than " + loadUsers() + ", read back"
                    + " from " + eventsTopic + ")...");
            try (OutsideEvents outside = new OutsideEvents(broker.bootstrapServers(), eventsTopic, this::isLoadUser)) {
                check = l.awaitExact(CATCH_UP, outside);
            }
            printCheck(check, l);
        }
        if (!servers.isEmpty()) {
            System.out.println("Stopping the API servers (SIGTERM: they finish the requests under way)...");
            for (ApiServerProcess s : servers) {
                s.process.destroy(); // all at once, then wait for each
            }
            for (ApiServerProcess s : servers) {
                String outcome = s.stop(SERVER_STOP);
                if (!outcome.equals("exited")) {
                    System.out.println(s.name + ": " + outcome);
                }
            }
        }
    }

    /** The load's users, as AnalyticsTraffic names them: user-0 ... user-(N-1). */
    private String loadUsers() {
        return "user-0 ... user-" + (users - 1);
    }

    /** Whether {@code user} is one of the load's, as its generator spells them (the rest were POSTed by others). */
    boolean isLoadUser(String user) {
        Matcher m = LOAD_USER.matcher(user);
        return m.matches() && Long.parseLong(m.group(1)) < users;
    }

    private void printCheck(ApiLoad.Check c, ApiLoad l) {
        String compared = "the brute force over the load's 204s"
                + (c.outsideCompared() == 0
                        ? ""
                        : String.format(
                                " and %,d event%s others POSTed",
                                c.outsideCompared(), c.outsideCompared() == 1 ? "" : "s"));
        if (c.exact()) {
            System.out.printf(
                    "Every server answers every hour exactly as %s (%.1f s after the load):%n",
                    compared, c.millis() / 1000.0);
        } else {
            System.out.printf(
                    "After %.1f s the GETs still differ from %s (%,d POSTs had no 204, "
                            + "their events may count or not): %s%n",
                    c.millis() / 1000.0, compared, l.unsure(), c.difference());
        }
        if (c.outsideNotCompared() > 0) {
            System.out.printf(
                    "  (%,d event%s others POSTed fall in hours the load did not post to: not compared)%n",
                    c.outsideNotCompared(), c.outsideNotCompared() == 1 ? "" : "s");
        }
        for (Map.Entry<Long, AnalyticsTraffic.Hour> e : c.expected().entrySet()) {
            AnalyticsTraffic.Hour h = e.getValue();
            System.out.printf(
                    "  hour %s: %,d users, %,d clicks, %,d impressions%n",
                    EventTimes.format(e.getKey()), h.users(), h.clicks(), h.impressions());
        }
    }
}
