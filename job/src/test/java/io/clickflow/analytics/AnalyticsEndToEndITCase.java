package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ServeCommand;
import io.clickflow.attribution.AttributionPipelines;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
import java.util.regex.Matcher;
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

    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    Path dir;

    /** One event as POSTed: the record the server writes for it is {@link #json()}. */
    record Event(String user, long timestamp, boolean click) {
        String json() {
            return AnalyticsEvent.json(user, timestamp, click);
        }

        String query() {
            return "timestamp=" + timestamp + "&user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                    + (click ? "&click" : "&impression");
        }
    }

    @Test
    @Timeout(240)
    void everyHourOnEveryServerEqualsBruteForce() throws Exception {
        KAFKA.createTopics(PARTITIONS, TOPIC);
        Path db = dir.resolve("clickflow.db");
        JobClient job = startJob(db);
        List<Server> all = new CopyOnWriteArrayList<>();
        // Its own threads: the common pool has one worker on two cores, where a stop would queue behind a start.
        ExecutorService lifecycle = Executors.newCachedThreadPool();
        try {
            Server first = Server.start(dir, "a", db, all);
            Server second = Server.start(dir, "b", db, all);
            first.awaitListening();
            second.awaitListening();
            Workload workload = new Workload(new CopyOnWriteArrayList<>(List.of(first, second)));

            // A third server joins early, and the second leaves once it serves, half way in at the earliest (a
            // rolling replacement); the load goes on through both.
            AtomicReference<CompletableFuture<Server>> third = new AtomicReference<>();
            AtomicReference<CompletableFuture<String>> secondStopped = new AtomicReference<>();
            AtomicInteger stoppedAt = new AtomicInteger(MAX_EVENTS);
            long started = System.nanoTime();
            workload.run(i -> i >= stoppedAt.get() + EVENTS_AFTER_STOP, i -> {
                if (i == THIRD_STARTS_AT) {
                    third.set(CompletableFuture.supplyAsync(
                            () -> {
                                Server s = Server.start(dir, "c", db, all);
                                s.awaitListening();
                                workload.live.add(s);
                                return s;
                            },
                            lifecycle));
                } else if (i >= SECOND_STOPS_AT
                        && secondStopped.get() == null
                        && third.get().isDone()) {
                    // As a load balancer would: no new requests to it, then SIGTERM with requests still under way.
                    workload.live.remove(second);
                    second.metricsBeforeStop = second.metrics();
                    secondStopped.set(CompletableFuture.supplyAsync(second::stop, lifecycle));
                    stoppedAt.set(i);
                }
            });
            assertThat(secondStopped.get())
                    .as("the second server stopped during the workload (the third started in time)")
                    .isNotNull();
            long workloadMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            Server thirdServer = third.get().get(SERVER_START.toSeconds(), TimeUnit.SECONDS);
            System.out.printf(
                    "AnalyticsEndToEndITCase: servers listening after %d, %d, %d ms; workload %d ms%n",
                    first.startMillis, second.startMillis, thirdServer.startMillis, workloadMillis);
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
            List<Event> counted = new ArrayList<>(workload.accepted);
            for (Event e : workload.ambiguous) {
                if (inTopic.containsKey(e.json())) {
                    counted.add(e);
                }
            }
            Map<String, Integer> expectedInTopic = new HashMap<>();
            counted.forEach(e -> expectedInTopic.merge(e.json(), 1, Integer::sum));
            assertThat(inTopic)
                    .as("the topic: each counted event exactly once, nothing else")
                    .isEqualTo(expectedInTopic);
            assertThat(counted.size()).as("counted events").isGreaterThan(EVENTS * 9 / 10);

            Map<Long, GeneratedAnalytics.Hour> expected = bruteForce(counted);
            assertThat(expected.size()).as("hours posted to").isGreaterThan(1);
            long emptyHour = hourOf(System.currentTimeMillis()) - EMPTY_HOURS_BACK * HOUR;
            expected.putIfAbsent(emptyHour, new GeneratedAnalytics.Hour(0, 0, 0));
            List<Server> liveServers = List.of(first, thirdServer);
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

            assertThat(second.metricsBeforeStop).contains(posts204());
            for (Server s : liveServers) {
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
            for (Server s : all) {
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
        return Math.floorDiv(millis, HOUR) * HOUR;
    }

    static Map<Long, GeneratedAnalytics.Hour> bruteForce(List<Event> events) {
        Map<Long, Set<String>> users = new TreeMap<>();
        Map<Long, long[]> counts = new TreeMap<>();
        for (Event e : events) {
            long hour = hourOf(e.timestamp());
            users.computeIfAbsent(hour, h -> new HashSet<>()).add(e.user());
            counts.computeIfAbsent(hour, h -> new long[2])[e.click() ? 0 : 1]++;
        }
        Map<Long, GeneratedAnalytics.Hour> out = new TreeMap<>();
        users.forEach((hour, u) ->
                out.put(hour, new GeneratedAnalytics.Hour(u.size(), counts.get(hour)[0], counts.get(hour)[1])));
        return out;
    }

    /** The first GET that differs from brute force, or null when all agree. */
    static String firstDifference(List<Server> servers, Map<Long, GeneratedAnalytics.Hour> expected) {
        for (Server s : servers) {
            for (Map.Entry<Long, GeneratedAnalytics.Hour> e : expected.entrySet()) {
                GeneratedAnalytics.Hour h = e.getValue();
                String want = "unique_users," + h.users() + "\nclicks," + h.clicks() + "\nimpressions,"
                        + h.impressions() + "\n";
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
        final List<Server> live;
        final Random random = new Random(12);
        final Set<String> sent = new HashSet<>();
        final Semaphore permits = new Semaphore(IN_FLIGHT);
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger retries = new AtomicInteger();
        final ConcurrentLinkedQueue<Event> accepted = new ConcurrentLinkedQueue<>();
        /** Answers lost to a stop, and 503s: the event may or may not be in Kafka. */
        final ConcurrentLinkedQueue<Event> ambiguous = new ConcurrentLinkedQueue<>();

        final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        final Map<String, AtomicInteger> posted = new ConcurrentHashMap<>();

        Workload(List<Server> live) {
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
        private Event event() {
            long now = System.currentTimeMillis();
            long t = random.nextDouble() < HISTORIC_FRACTION
                    ? hourOf(now) - (1 + random.nextInt(MAX_HOURS_BACK)) * HOUR + random.nextInt((int) HOUR)
                    : now;
            int u = random.nextInt(USERS);
            String user = switch (u % 4) {
                case 0 -> "user-" + u;
                case 1 -> "user " + u; // a space: '+' in the query
                case 2 -> "élève 日本 " + u;
                default -> "a+b&c=%" + u; // characters that must be escaped
            };
            boolean click = random.nextInt(4) == 0;
            Event e = new Event(user, t, click);
            while (!sent.add(e.json())) {
                e = new Event(user, e.timestamp() - 1, click);
            }
            return e;
        }

        private void send(Event e, int attempt) {
            Server s = live.get(Math.floorMod(next.getAndIncrement(), live.size()));
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.base + "/analytics?" + e.query()))
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
                    unexpected.add(
                            s.name + ": " + r.statusCode() + " " + r.body().strip() + " for " + e.query());
                } else {
                    ambiguous.add(e);
                }
                permits.release();
            });
        }
    }

    /**
     * {@code ./clickflow serve} in its own JVM, as the launcher runs it, on a free port; stopped with SIGTERM, which
     * runs its graceful shutdown.
     */
    static final class Server {
        final String name;
        final Process process;
        final Path log;
        final long startedNanos = System.nanoTime();
        String base;
        long startMillis;
        String metricsBeforeStop;

        private Server(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        static Server start(Path dir, String name, Path db, List<Server> all) {
            Path log = dir.resolve("serve-" + name + ".log");
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1", // starts faster; a test server needs no peak speed
                    "-XX:+UseSerialGC",
                    "-cp",
                    classpath(),
                    ServeCommand.class.getName(),
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
                    "10s");
            try {
                Server s = new Server(
                        name,
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .redirectOutput(log.toFile())
                                .start(),
                        log);
                all.add(s);
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The API module's own classpath, as the launcher runs serve (api/target/classpath.txt, written by package):
         * a sixth of the job's test classpath, so the JVM starts in seconds on a busy machine. The test's own
         * classpath when the API comes from elsewhere.
         */
        static String classpath() {
            return ServeCommand.classpath();
        }

        /** Waits for the line serve prints once it listens, and takes the port from it. */
        void awaitListening() {
            try {
                Waits.until(
                        () -> {
                            Matcher m = LISTENING.matcher(output());
                            if (m.find()) {
                                base = "http://127.0.0.1:" + m.group(1);
                                startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                                return true;
                            }
                            if (!process.isAlive()) {
                                throw new AssertionError("serve " + name + " exited: " + output());
                            }
                            return false;
                        },
                        SERVER_START,
                        "serve " + name + " is not listening: " + output());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** SIGTERM: stops accepting, finishes requests under way, flushes the producer, exits. */
        String stop() {
            process.destroy();
            try {
                return process.waitFor(SERVER_STOP.toSeconds(), TimeUnit.SECONDS)
                        ? "exited"
                        : "still running after " + SERVER_STOP.toSeconds() + " s: " + output();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }

        String metrics() {
            try {
                return get("/metrics").body();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void kill() {
            process.destroyForcibly();
        }

        HttpResponse<String> get(String pathAndQuery) throws IOException {
            try {
                return HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                                .timeout(REQUEST_TIMEOUT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        String output() {
            try {
                String s = Files.readString(log);
                return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }
    }
}
