package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ServeCommand;
import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.demo.ApiServerProcess;
import io.clickflow.tables.AnalyticsEvent;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
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
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

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
    static final double CLICK_RATIO = 0.25;
    static final int MAX_HOURS_BACK = AnalyticsTraffic.HISTORIC_HOURS;
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

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    Path dir;

    /** The record a server writes for a POSTed event. */
    static String json(UserAction e) {
        return AnalyticsEvent.json(e.user, e.eventTime, e.click);
    }

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
            Workload workload = new Workload(new CopyOnWriteArrayList<>(List.of(first, second)));

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
                                workload.live.add(s);
                                return s;
                            },
                            lifecycle));
                } else if (i >= SECOND_STOPS_AT
                        && secondStopped.get() == null
                        && third.get().isDone()) {
                    // As a load balancer would: no new requests to it, then SIGTERM with requests still under way.
                    workload.live.remove(second);
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
            Map<String, Integer> inTopic = new HashMap<>();
            for (KafkaTestBroker.Read r : KAFKA.readCommitted(TOPIC)) {
                inTopic.merge(r.value(), 1, Integer::sum);
            }
            List<UserAction> counted = new ArrayList<>(workload.accepted);
            for (UserAction e : workload.ambiguous) {
                if (inTopic.containsKey(json(e))) {
                    counted.add(e);
                }
            }
            Map<String, Integer> expectedInTopic = new HashMap<>();
            counted.forEach(e -> expectedInTopic.merge(json(e), 1, Integer::sum));
            assertThat(inTopic)
                    .as("the topic: each counted event exactly once, nothing else")
                    .isEqualTo(expectedInTopic);
            assertThat(counted.size()).as("counted events").isGreaterThan(EVENTS * 9 / 10);

            AnalyticsTraffic.Tally tally = new AnalyticsTraffic.Tally();
            counted.forEach(tally::add);
            Map<Long, AnalyticsTraffic.Hour> expected = tally.perHour();
            assertThat(expected.size()).as("hours posted to").isGreaterThan(1);
            long emptyHour = hourOf(System.currentTimeMillis()) - EMPTY_HOURS_BACK * HOUR;
            expected.putIfAbsent(emptyHour, AnalyticsTraffic.Hour.EMPTY);
            List<ApiServerProcess> liveServers = List.of(first, thirdServer);
            AtomicReference<String> lastDifference = new AtomicReference<>();
            long convergenceStarted = System.nanoTime();
            try {
                Waits.until(
                        () -> {
                            String difference = firstDifference(liveServers, expected);
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

            assertThat(secondMetricsBeforeStop.get()).contains(posts204());
            for (ApiServerProcess s : liveServers) {
                String metrics = s.metrics();
                assertThat(counter(metrics, posts204()))
                        .as(s.name + " POST 204s")
                        .isPositive();
                assertThat(counter(
                                metrics,
                                "clickflow_api_requests_total{route=\"/analytics\",method=\"GET\","
                                        + "status=\"200\"}"))
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

    static long hourOf(long millis) {
        return AnalyticsTraffic.hourOf(millis);
    }

    /** The first GET that differs from brute force, or null when all agree. */
    static String firstDifference(List<ApiServerProcess> servers, Map<Long, AnalyticsTraffic.Hour> expected) {
        for (ApiServerProcess s : servers) {
            for (Map.Entry<Long, AnalyticsTraffic.Hour> e : expected.entrySet()) {
                String want = e.getValue().body();
                HttpResponse<String> r;
                try {
                    r = s.get("/analytics?timestamp=" + e.getKey());
                } catch (IOException x) {
                    return s.name + ": " + x;
                }
                if (r.statusCode() != 200 || !r.body().equals(want)) {
                    return s.name + " hour " + AnalyticsTables.hourKey(e.getKey()) + ": " + r.statusCode() + " "
                            + r.body().replace('\n', ' ') + "instead of " + want.replace('\n', ' ');
                }
            }
        }
        return null;
    }

    static String posts204() {
        return "clickflow_api_requests_total{route=\"/analytics\",method=\"POST\",status=\"204\"}";
    }

    static long counter(String metrics, String series) {
        return metrics.lines()
                .filter(l -> l.startsWith(series + " "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst()
                .orElse(0);
    }

    /** Generated POSTs, paced over {@link #WORKLOAD}, sent round-robin to the live servers, with their outcomes. */
    static final class Workload {
        final List<ApiServerProcess> live;
        /** Users with names a query must escape: spaces ('+'), non-ASCII, '+', '&', '=' and '%'. */
        final AnalyticsTraffic traffic =
                new AnalyticsTraffic(12, USERS, CLICK_RATIO, HISTORIC_FRACTION, 0, u -> switch (u % 4) {
                    case 0 -> "user-" + u;
                    case 1 -> "user " + u;
                    case 2 -> "élève 日本 " + u;
                    default -> "a+b&c=%" + u;
                });

        final Set<String> sent = new HashSet<>();
        final Semaphore permits = new Semaphore(IN_FLIGHT);
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final ConcurrentLinkedQueue<UserAction> accepted = new ConcurrentLinkedQueue<>();
        /** Answers lost to a stop, and 503s: the event may or may not be in Kafka. */
        final ConcurrentLinkedQueue<UserAction> ambiguous = new ConcurrentLinkedQueue<>();

        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicInteger> posted = new ConcurrentHashMap<>();

        Workload(List<ApiServerProcess> live) {
            this.live = live;
        }

        /**
         * Sends {@link #EVENTS} events, and more until {@code enough} (at most {@link #MAX_EVENTS}); {@code
         * beforeEvent} runs on this thread before event i (to start or stop servers).
         */
        void run(IntPredicate enough, IntConsumer beforeEvent) throws Exception {
            long start = System.nanoTime();
            long spacing = WORKLOAD.toNanos() / EVENTS;
            for (int i = 0; i < MAX_EVENTS && (i < EVENTS || !enough.test(i)); i++) {
                beforeEvent.accept(i);
                // Pacing, not ordering: spreads the events over the wall time the servers come and go in.
                long due = start + i * spacing;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                permits.acquire();
                send(event(), 0);
            }
            if (!permits.tryAcquire(IN_FLIGHT, REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)) {
                throw new AssertionError("POSTs still unanswered after the workload");
            }
        }

        /** A new event, unique (user, time, action) so the topic can tell whether it arrived. */
        private UserAction event() {
            UserAction e = traffic.next(System.currentTimeMillis());
            while (!sent.add(json(e))) {
                e = new UserAction(e.user, e.eventTime - 1, e.click);
            }
            return e;
        }

        private void send(UserAction e, int attempt) {
            ApiServerProcess s = live.get(Math.floorMod(next.getAndIncrement(), live.size()));
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(s.base() + "/analytics?" + AnalyticsTraffic.postQuery(e)))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(REQUEST_TIMEOUT)
                    .build();
            HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, x) -> {
                Throwable cause = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
                if (r != null && r.statusCode() == 204) {
                    posted.computeIfAbsent(s.name, k -> new AtomicInteger()).incrementAndGet();
                    accepted.add(e);
                } else if ((cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException)
                        && attempt < MAX_CONNECT_RETRIES) {
                    // Never reached the server (it had stopped listening): safe to send elsewhere.
                    retries.incrementAndGet();
                    send(e, attempt + 1);
                    return;
                } else if (r != null && r.statusCode() != 503) {
                    unexpected.add(s.name + ": " + r.statusCode() + " "
                            + r.body().strip() + " for " + AnalyticsTraffic.postQuery(e));
                } else {
                    ambiguous.add(e);
                }
                permits.release();
            });
        }
    }

    /** {@code ./clickflow serve} in its own JVM, as the launcher runs it, on a free port, added to {@code all}. */
    static ApiServerProcess startServer(Path dir, String name, Path db, List<ApiServerProcess> all) {
        ApiServerProcess s = ApiServerProcess.start(
                name,
                classpath(),
                dir.resolve("serve-" + name + ".log"),
                List.of(
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1", // starts faster; a test server needs no peak speed
                        "-XX:+UseSerialGC"),
                List.of(
                        "--port",
                        "0",
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--events-topic",
                        TOPIC,
                        "--jdbc-url",
                        "jdbc:sqlite:" + db,
                        "--cache-refresh",
                        CACHE_REFRESH.toMillis() + "ms",
                        "--event-loops",
                        "2",
                        "--shutdown-timeout",
                        "10s"));
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
