package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ApiServerProcess;
import io.clickflow.api.ServeCommand;
import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.testing.AnalyticsWorkload;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.Waits;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Issue 12's acceptance test, real parts only: a Kafka broker, a SQLite file, the analytics job in a MiniCluster
 * (parallelism 2, wired from its command line), and {@code ./clickflow serve} processes over loopback HTTP; a third
 * server starts and one of the first two stops (SIGTERM, its graceful shutdown) during a generated workload, and
 * every hour's GET on every live server then equals a brute-force count of the accepted POSTs.
 */
class AnalyticsEndToEndITCase {
    static final String TOPIC = "analytics_events";
    static final int PARTITIONS = 3;
    static final int EVENTS = 3_000;
    /** Wall time the workload is spread over: long enough for a server to start and another to stop under it. */
    static final Duration WORKLOAD = Duration.ofSeconds(25);
    /** POSTs in flight at once: a small client pool, as a few front ends would be. */
    static final int IN_FLIGHT = 16;
    /** Before event i: the third server starts; the second stops once it serves, not before event i. */
    static final int THIRD_STARTS_AT = EVENTS / 20;

    static final int SECOND_STOPS_AT = EVENTS / 2;
    /**
     * Events sent after the stop at least: when the third server starts slowly (a busy machine), the workload runs
     * on past {@link #EVENTS} at the same pace, so the stop always happens under load and is followed by some.
     */
    static final int EVENTS_AFTER_STOP = EVENTS / 5;
    /** The workload's ceiling: the third server did not start in time if the stop has not happened by then. */
    static final int MAX_EVENTS = 3 * EVENTS;

    static final int USERS = 400;
    static final double HISTORIC_FRACTION = 0.05;
    static final int MAX_HOURS_BACK = 3;
    /** An hour nobody posts to: every server must answer zeros for it. */
    static final int EMPTY_HOURS_BACK = MAX_HOURS_BACK + 2;

    static final Duration CACHE_REFRESH = Duration.ofMillis(200);
    static final Duration UPDATE_INTERVAL = Duration.ofMillis(200);
    static final Duration SERVER_START = Duration.ofSeconds(60);
    static final Duration SERVER_STOP = Duration.ofSeconds(30);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** From the last answered POST until every GET is exact: the job's interval, sink batching, the cache; roomy. */
    static final Duration CONVERGENCE = Duration.ofSeconds(90);

    static final int MAX_CONNECT_RETRIES = 5;
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;
    static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    static final HttpClient HTTP = AnalyticsWorkload.HTTP;

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void everyHourOnEveryServerEqualsBruteForce() throws Exception {
        KAFKA.createTopics(PARTITIONS, TOPIC);
        Path db = dir.resolve("clickflow.db");
        JobClient job = startJob(db);
        List<ApiServerProcess> all = new CopyOnWriteArrayList<>();
        // Its own threads: the common pool has one worker on two cores, where a stop would queue behind a start.
        ExecutorService lifecycle = Executors.newCachedThreadPool();
        try {
            ApiServerProcess first = startServer(dir, "a", db, all);
            ApiServerProcess second = startServer(dir, "b", db, all);
            first.awaitListening(SERVER_START);
            second.awaitListening(SERVER_START);
            AnalyticsWorkload workload = new AnalyticsWorkload(
                    new AnalyticsWorkload.Plan(
                            EVENTS,
                            MAX_EVENTS,
                            WORKLOAD,
                            IN_FLIGHT,
                            USERS,
                            HISTORIC_FRACTION,
                            MAX_HOURS_BACK,
                            REQUEST_TIMEOUT,
                            MAX_CONNECT_RETRIES,
                            12),
                    new CopyOnWriteArrayList<>(List.of(target(first), target(second))));

            // A third server joins early, and the second leaves once it serves, half way in at the earliest (a
            // rolling replacement); the load goes on through both.
            AtomicReference<CompletableFuture<ApiServerProcess>> third = new AtomicReference<>();
            AtomicReference<String> secondMetricsBeforeStop = new AtomicReference<>();
            AtomicReference<CompletableFuture<String>> secondStopped = new AtomicReference<>();
            AtomicInteger stoppedAt = new AtomicInteger(MAX_EVENTS);
            long started = System.nanoTime();
            workload.run(i -> i >= stoppedAt.get() + EVENTS_AFTER_STOP, i -> {
                if (i == THIRD_STARTS_AT) {
                    third.set(CompletableFuture.supplyAsync(
                            () -> {
                                ApiServerProcess s = startServer(dir, "c", db, all);
                                s.awaitListening(SERVER_START);
                                workload.live.add(target(s));
                                return s;
                            },
                            lifecycle));
                } else if (i >= SECOND_STOPS_AT
                        && secondStopped.get() == null
                        && third.get().isDone()) {
                    // As a load balancer would: no new requests to it, then SIGTERM with requests still under way.
                    workload.live.remove(target(second));
                    secondMetricsBeforeStop.set(second.metrics());
                    secondStopped.set(CompletableFuture.supplyAsync(() -> second.stop(SERVER_STOP), lifecycle));
                    stoppedAt.set(i);
                }
            });
            assertThat(secondStopped.get())
                    .as("the second server stopped during the workload (the third started in time)")
                    .isNotNull();
            long workloadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            ApiServerProcess thirdServer = third.get().get(SERVER_START.toSeconds(), TimeUnit.SECONDS);
            System.out.printf(
                    "AnalyticsEndToEndITCase: servers listening after %d, %d, %d ms; workload %d ms%n",
                    first.startMillis(), second.startMillis(), thirdServer.startMillis(), workloadMillis);
            assertThat(secondStopped.get().get(SERVER_STOP.toSeconds() + 10, TimeUnit.SECONDS))
                    .as("the stopped server's exit")
                    .isEqualTo("exited");
            assertThat(workload.unexpected)
                    .as("answers other than 204, 503 or a refused connection")
                    .isEmpty();
            assertThat(workload.posted).as("POSTs answered per server").containsKeys("a", "b", "c");

            // The brute force counts every 204; an answer lost to the stop (or a 503) may or may not have reached
            // Kafka, so it counts iff its record is in the topic. Each event is unique, so the topic tells exactly.
            List<AnalyticsWorkload.Event> counted = workload.counted(KAFKA.readCommitted(TOPIC));
            assertThat(counted.size()).as("counted events").isGreaterThan(EVENTS * 9 / 10);

            Map<Long, AnalyticsWorkload.Counts> expected = AnalyticsWorkload.bruteForce(counted);
            assertThat(expected.size()).as("hours posted to").isGreaterThan(1);
            long emptyHour = AnalyticsWorkload.hourOf(System.currentTimeMillis()) - EMPTY_HOURS_BACK * HOUR;
            expected.putIfAbsent(emptyHour, new AnalyticsWorkload.Counts(0, 0, 0));
            List<ApiServerProcess> liveServers = List.of(first, thirdServer);
            AtomicReference<String> lastDifference = new AtomicReference<>();
            long convergenceStarted = System.nanoTime();
            try {
                Waits.until(
                        () -> {
                            String difference = AnalyticsWorkload.firstDifference(
                                    liveServers.stream()
                                            .map(AnalyticsEndToEndITCase::target)
                                            .toList(),
                                    expected,
                                    REQUEST_TIMEOUT);
                            lastDifference.set(difference);
                            return difference == null;
                        },
                        CONVERGENCE,
                        "GETs still differ from brute force");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + lastDifference.get() + "; hourly_stats: "
                        + AnalyticsFileReplayITCase.hourlyStats(Database.of("jdbc:sqlite:" + db)));
            }
            long convergenceMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - convergenceStarted);

            assertThat(secondMetricsBeforeStop.get()).contains(AnalyticsWorkload.posts204());
            for (ApiServerProcess s : liveServers) {
                String metrics = s.metrics();
                assertThat(AnalyticsWorkload.counter(metrics, AnalyticsWorkload.posts204()))
                        .as(s.name + " POST 204s")
                        .isPositive();
                assertThat(AnalyticsWorkload.counter(metrics, AnalyticsWorkload.series("GET", 200)))
                        .as(s.name + " GET 200s")
                        .isPositive();
            }
            System.out.printf(
                    "AnalyticsEndToEndITCase: %d POSTs in %d ms (per server %s, %d retried after a refused connection, "
                            + "%d ambiguous of which %d in the topic), %d hours exact on %d servers %d ms after%n",
                    workload.accepted.size() + workload.ambiguous.size(),
                    workloadMillis,
                    new TreeMap<>(workload.posted),
                    workload.retries.get(),
                    workload.ambiguous.size(),
                    counted.size() - workload.accepted.size(),
                    expected.size(),
                    liveServers.size(),
                    convergenceMillis);
        } finally {
            lifecycle.shutdownNow();
            for (ApiServerProcess s : all) {
                s.kill();
            }
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** Where the workload sends to reach a server. */
    static AnalyticsWorkload.Target target(ApiServerProcess s) {
        return new AnalyticsWorkload.Target(s.name, s.base());
    }

    /** The analytics job as {@code ./clickflow analytics} wires it, unbounded, in update mode (rows before the hour ends). */
    private JobClient startJob(Path db) throws Exception {
        AnalyticsOptions options = AnalyticsCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--events-topic",
                TOPIC,
                "--group-id",
                "analytics-end-to-end",
                "--starting-offsets",
                "earliest",
                "--emit-mode",
                "update",
                "--update-interval",
                UPDATE_INTERVAL.toMillis() + "ms",
                "--jdbc-url",
                "jdbc:sqlite:" + db,
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        AnalyticsJob.build(env, options);
        return env.executeAsync("analytics end to end");
    }

    /** {@code ./clickflow serve} in its own JVM, as the launcher runs it, on a free port, added to {@code all}. */
    static ApiServerProcess startServer(Path dir, String name, Path db, List<ApiServerProcess> all) {
        return startServer(
                dir,
                name,
                KAFKA.bootstrapServers(),
                TOPIC,
                db,
                all,
                "--cache-refresh",
                CACHE_REFRESH.toMillis() + "ms",
                "--shutdown-timeout",
                "10s");
    }

    /**
     * {@code ./clickflow serve} on a free port against {@code bootstrap} and {@code topic} and the SQLite file
     * {@code db}, with two event loops and {@code extra} options, added to {@code all}: every analytics IT's server.
     */
    static ApiServerProcess startServer(
            Path dir,
            String name,
            String bootstrap,
            String topic,
            Path db,
            List<ApiServerProcess> all,
            String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--port",
                "0",
                "--bootstrap-servers",
                bootstrap,
                "--events-topic",
                topic,
                "--jdbc-url",
                "jdbc:sqlite:" + db,
                "--event-loops",
                "2"));
        args.addAll(List.of(extra));
        ApiServerProcess s = ApiServerProcess.start(
                name,
                classpath(),
                dir.resolve("serve-" + name + ".log"),
                List.of(
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1", // starts faster; a test server needs no peak speed
                        "-XX:+UseSerialGC"),
                args);
        all.add(s);
        return s;
    }

    /**
     * The API module's own classpath, as the launcher runs serve (api/target/classpath.txt, written by package):
     * a sixth of the job's test classpath, so the JVM starts in seconds on a busy machine. The test's own
     * classpath when the API comes from elsewhere.
     */
    static String classpath() {
        try {
            Path api = Path.of(ServeCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path listed = api.getParent().resolve("classpath.txt");
            if (Files.isRegularFile(listed)) {
                return api + File.pathSeparator + Files.readString(listed).strip();
            }
        } catch (Exception e) {
            // fall through: the test's classpath holds the API too
        }
        return System.getProperty("java.class.path");
    }
}
