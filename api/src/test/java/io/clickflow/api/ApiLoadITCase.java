package io.clickflow.api;

import static io.clickflow.api.AnalyticsApiITCase.send;
import static io.clickflow.api.AnalyticsApiITCase.upsert;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.HourlyStats;
import io.clickflow.testing.AnalyticsWorkload;
import io.clickflow.testing.KafkaTestBroker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A load test bounded in requests and time, on loopback only: one server, a real broker and SQLite, {@link #CLIENTS}
 * concurrent clients sending a fixed {@link #REQUESTS} POSTs and GETs as fast as they are answered. Every answer is a
 * 204 or a 200 with the stored row (a POST's 503 is counted and resolved through the topic), the server's
 * {@code /metrics} counted exactly what the clients saw, the topic holds each accepted event exactly once, and the
 * server is healthy afterwards with no threads left behind. No timing is asserted: speed is measured by {@code
 * ./clickflow bench}.
 */
class ApiLoadITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    static final String TOPIC = "analytics_events";
    static final int CLIENTS = 16;
    static final int REQUESTS = 20_000;
    /** Two in five requests are POSTs, the rest GETs. */
    static final int POSTS_IN_FIVE = 2;
    /** GETs of an earlier hour (read from the database, not the current hour's cache). */
    static final double EARLIER_HOUR_GETS = 0.05;

    static final int HOURS_BACK = 3;
    static final int USERS = 500;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;
    /** The server's threads (its event loops, Vert.x pools, database readers, Kafka producer), by name. */
    static final List<String> SERVER_THREADS = List.of("vert.x-", "clickflow-api", "kafka-producer-network-thread");
    /** Server threads the load may add (pools that start a thread on first use). */
    static final int THREAD_SLACK = 4;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void boundedLoadIsAnsweredCountedAndStored() throws Exception {
        KAFKA.createTopics(3, TOPIC);
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        long start = System.currentTimeMillis();
        long currentHour = AnalyticsWorkload.hourOf(start);
        // Rows the GETs must answer; the load writes none (no job runs), so every GET answer is known.
        Map<Long, String> rows = new TreeMap<>();
        for (int back = 0; back <= HOURS_BACK; back++) {
            long hour = currentHour - back * HOUR;
            HourlyStats row = new HourlyStats(hour, 10 + back, 20 + back, 30 + back, back > 0);
            upsert(db, row);
            rows.put(hour, new String(HourlyStatsStore.body(row.uniqueUsers, row.clicks, row.impressions), UTF_8));
        }
        ApiServer server = AnalyticsApiITCase.serve(KAFKA, db);
        String base = "http://127.0.0.1:" + server.port();
        try {
            assertThat(send(server, "GET", "/health").statusCode()).isEqualTo(200);
            List<String> threadsBefore = serverThreads();

            Map<String, LongAdder> seen = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<AnalyticsWorkload.Event> accepted = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<AnalyticsWorkload.Event> ambiguous = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            long started = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    Random random = new Random(client);
                    for (int i = client; i < REQUESTS; i += CLIENTS) {
                        if (i % 5 < POSTS_IN_FIVE) {
                            // Unique by timestamp (one millisecond per request), so the topic tells each one apart.
                            AnalyticsWorkload.Event e = new AnalyticsWorkload.Event(
                                    AnalyticsWorkload.user(random.nextInt(USERS)), start - i, random.nextInt(4) == 0);
                            HttpResponse<String> r = request("POST", base + "/analytics?" + e.query());
                            seen.computeIfAbsent("POST " + r.statusCode(), k -> new LongAdder())
                                    .increment();
                            if (r.statusCode() == 204) {
                                accepted.add(e);
                            } else if (r.statusCode() == 503) {
                                ambiguous.add(e);
                            } else {
                                wrong.add("POST " + e.query() + ": " + r.statusCode() + " " + r.body());
                            }
                        } else {
                            long hour = random.nextDouble() < EARLIER_HOUR_GETS
                                    ? currentHour - (1 + random.nextInt(HOURS_BACK)) * HOUR
                                    : currentHour;
                            long t = hour + random.nextInt((int) HOUR);
                            HttpResponse<String> r = request("GET", base + "/analytics?timestamp=" + t);
                            seen.computeIfAbsent("GET " + r.statusCode(), k -> new LongAdder())
                                    .increment();
                            if (r.statusCode() != 200 || !r.body().equals(rows.get(hour))) {
                                wrong.add("GET " + t + ": " + r.statusCode() + " " + r.body());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(); // a client's exception (a timeout, a refused connection) fails the test here
            }
            clients.shutdown();
            assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            Map<String, Long> answers = new TreeMap<>();
            seen.forEach((k, v) -> answers.put(k, v.sum()));
            assertThat(wrong)
                    .as("answers other than 204, 503 or the stored row")
                    .isEmpty();
            assertThat(answers.values().stream().mapToLong(Long::longValue).sum())
                    .as("answers")
                    .isEqualTo(REQUESTS);
            assertThat(answers.keySet()).as("statuses seen").isSubsetOf("POST 204", "POST 503", "GET 200");

            // The server counted what the clients saw, request for request.
            String metrics = send(server, "GET", "/metrics").body();
            answers.forEach((key, n) -> {
                String[] methodStatus = key.split(" ");
                assertThat(AnalyticsWorkload.counter(
                                metrics, AnalyticsWorkload.series(methodStatus[0], Integer.parseInt(methodStatus[1]))))
                        .as("/metrics " + key)
                        .isEqualTo(n);
            });
            assertThat(AnalyticsWorkload.counter(metrics, "clickflow_api_events_accepted_total"))
                    .isEqualTo(accepted.size());
            for (String method : new String[] {"GET", "POST"}) {
                long sent = answers.entrySet().stream()
                        .filter(a -> a.getKey().startsWith(method))
                        .mapToLong(Map.Entry::getValue)
                        .sum();
                assertThat(AnalyticsWorkload.counter(
                                metrics,
                                "clickflow_api_request_duration_seconds_count{route=\"/analytics\",method=\"" + method
                                        + "\"}"))
                        .as(method + " latencies observed")
                        .isEqualTo(sent);
            }
            assertThat(AnalyticsWorkload.counter(metrics, "clickflow_api_db_errors_total"))
                    .isZero();

            // The topic: each accepted event exactly once (a 503's event at most once), nothing else.
            List<AnalyticsWorkload.Event> counted =
                    AnalyticsWorkload.counted(accepted, ambiguous, KAFKA.readCommitted(TOPIC));
            assertThat(counted).hasSizeGreaterThanOrEqualTo(accepted.size());

            // Still healthy, still answering, and no thread per request or connection left behind.
            assertThat(send(server, "GET", "/health").statusCode()).isEqualTo(200);
            assertThat(send(server, "GET", "/analytics?timestamp=" + start).body())
                    .isEqualTo(rows.get(currentHour));
            List<String> threadsAfter = serverThreads();
            assertThat(threadsAfter.size())
                    .as("server threads after the load: " + threadsAfter + ", before: " + threadsBefore)
                    .isLessThanOrEqualTo(threadsBefore.size() + THREAD_SLACK);
            System.out.printf(
                    "ApiLoadITCase: %d requests from %d clients in %d ms: %s; %d events in the topic; %d server threads%n",
                    REQUESTS, CLIENTS, millis, answers, counted.size(), threadsAfter.size());
        } finally {
            server.close(Duration.ofSeconds(5));
        }
    }

    static List<String> serverThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(name -> SERVER_THREADS.stream().anyMatch(name::startsWith))
                .sorted()
                .toList();
    }

    static HttpResponse<String> request(String method, String uri) throws Exception {
        return AnalyticsWorkload.HTTP.send(
                HttpRequest.newBuilder(URI.create(uri))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(REQUEST_TIMEOUT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
