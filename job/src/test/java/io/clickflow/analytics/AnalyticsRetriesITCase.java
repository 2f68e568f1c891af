package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ApiServerProcess;
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

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 25's retry test, real parts only: a Kafka broker, a SQLite file, the analytics job in a MiniCluster
 * (parallelism 2) and two {@code ./clickflow serve} processes. Every POST carries an idempotency key; the client
 * retries each one that timed out, got a 503 or lost its connection, with its key, to a live server; one server is
 * killed (SIGKILL) with POSTs in flight, and some keys are sent again on purpose after their 204. The hours then
 * equal the brute force over the distinct keys, although the topic holds more records than keys.
 */
class AnalyticsRetriesITCase {
    static final String TOPIC = "analytics_events";
    static final int EVENTS = 1_500;
    static final int IN_FLIGHT = 16;
    static final int USERS = 150;
    static final int KILL_AT = EVENTS / 2;
    /** Every this many events one is sent again after its 204, to the other live server if there is one. */
    static final int RESEND_EVERY = 10;

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final Duration CONVERGENCE = Duration.ofSeconds(90);
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @TempDir
    Path dir;

    final List<AnalyticsWorkload.Target> live = new CopyOnWriteArrayList<>();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicInteger resent = new AtomicInteger();
    final AtomicInteger sends = new AtomicInteger();
    final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

    @Test
    @Timeout(240)
    void retriedAndResentPostsCountOnce() throws Exception {
        KAFKA.createTopics(2, TOPIC);
        Path db = dir.resolve("clickflow.db");
        JobClient job = startJob(db);
        List<ApiServerProcess> all = new CopyOnWriteArrayList<>();
        try {
            ApiServerProcess a = startServer("a", db, all);
            ApiServerProcess b = startServer("b", db, all);
            a.awaitListening(Duration.ofSeconds(60));
            b.awaitListening(Duration.ofSeconds(60));
            live.add(AnalyticsEndToEndITCase.target(a));
            live.add(AnalyticsEndToEndITCase.target(b));

            Random random = new Random(25);
            long now = System.currentTimeMillis();
            List<AnalyticsWorkload.Event> events = new ArrayList<>();
            Semaphore inFlight = new Semaphore(IN_FLIGHT);
            CountDownLatch done = new CountDownLatch(EVENTS + EVENTS / RESEND_EVERY);
            for (int i = 0; i < EVENTS; i++) {
                if (i == KILL_AT) {
                    // SIGKILL with requests under way: their clients see a reset or a timeout and must retry.
                    b.kill();
                    live.remove(AnalyticsEndToEndITCase.target(b));
                }
                // Mostly the current hour, some of the two before it: several hours, several shards each.
                long t = now - (random.nextInt(10) < 8 ? 0 : random.nextInt(2) + 1) * HOUR - random.nextInt(60_000);
                var event = new AnalyticsWorkload.Event(
                        AnalyticsWorkload.user(random.nextInt(USERS)), t, random.nextBoolean());
                events.add(event);
                String key = "retry-" + i + "-" + Long.toHexString(random.nextLong());
                boolean resend = i % RESEND_EVERY == 0;
                int first = i;
                inFlight.acquire();
                send(event, key, first, first % 2 == 0, () -> {
                    inFlight.release();
                    done.countDown();
                    if (resend) {
                        resent.incrementAndGet();
                        send(event, key, first + 1, first % 4 == 0, done::countDown);
                    }
                });
            }
            assertThat(done.await(120, TimeUnit.SECONDS))
                    .as("every POST answered 204 in the end")
                    .isTrue();
            assertThat(unexpected).as("answers other than 204 or 503").isEmpty();
            assertThat(resent.get()).as("keys sent again on purpose").isEqualTo(EVENTS / RESEND_EVERY);
            assertThat(retries.get())
                    .as("POSTs retried after a timeout, a 503 or a connection lost to the kill")
                    .isPositive();

            List<KafkaTestBroker.Read> topic = KAFKA.readCommitted(TOPIC);
            Set<String> keys = new HashSet<>();
            for (KafkaTestBroker.Read r : topic) {
                assertThat(r.value()).contains("\"id\":\"retry-");
                keys.add(r.value().replaceAll(".*\"id\":\"([^\"]*)\".*", "$1"));
            }
            assertThat(keys).as("distinct keys in the topic").hasSize(EVENTS);
            assertThat(topic.size())
                    .as("records in the topic: more than keys, so the job had repeats to drop")
                    .isGreaterThan(EVENTS);

            Map<Long, AnalyticsWorkload.Counts> expected = AnalyticsWorkload.bruteForce(events);
            assertThat(expected.size()).as("hours posted to").isGreaterThan(1);
            AtomicReference<String> lastDifference = new AtomicReference<>();
            try {
                Waits.until(
                        () -> {
                            String difference = AnalyticsWorkload.firstDifference(
                                    List.of(AnalyticsEndToEndITCase.target(a)), expected, REQUEST_TIMEOUT);
                            lastDifference.set(difference);
                            return difference == null;
                        },
                        CONVERGENCE,
                        "GETs still differ from the brute force over distinct keys");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + lastDifference.get() + "; hourly_stats: "
                        + AnalyticsFileReplayITCase.hourlyStats(Database.of("jdbc:sqlite:" + db)));
            }
            System.out.printf(
                    "AnalyticsRetriesITCase: %d keys, %d sends, %d retries after a failure, %d re-sent on purpose,"
                            + " %d records in the topic, %d hours exact%n",
                    EVENTS, sends.get(), retries.get(), resent.get(), topic.size(), expected.size());
        } finally {
            for (ApiServerProcess s : all) {
                s.kill();
            }
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * POSTs the event with its key (as the header or as {@code id=}) to a live server, again with the same key after
     * a timeout, a 503 or a lost connection, until a 204; then runs {@code accepted}.
     */
    void send(AnalyticsWorkload.Event event, String key, int attempt, boolean header, Runnable accepted) {
        sends.incrementAndGet();
        AnalyticsWorkload.Target target = live.get(Math.floorMod(attempt, live.size()));
        String query = event.query() + (header ? "" : "&id=" + URLEncoder.encode(key, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.base() + "/analytics?" + query))
                .timeout(REQUEST_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (header) {
            request.header("Idempotency-Key", key);
        }
        HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, e) -> {
            if (e == null && response.statusCode() == 204) {
                accepted.run();
            } else if (e != null || response.statusCode() == 503) {
                retries.incrementAndGet();
                send(event, key, attempt + 1, header, accepted);
            } else {
                unexpected.add(response.statusCode() + " " + response.body());
                accepted.run();
            }
        });
    }

    private ApiServerProcess startServer(String name, Path db, List<ApiServerProcess> all) {
        return AnalyticsEndToEndITCase.startServer(
                dir, name, KAFKA.bootstrapServers(), TOPIC, db, all, "--cache-refresh", "200ms");
    }

    private JobClient startJob(Path db) throws Exception {
        AnalyticsOptions options = AnalyticsCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--events-topic",
                TOPIC,
                "--group-id",
                "analytics-retries",
                "--starting-offsets",
                "earliest",
                "--emit-mode",
                "update",
                "--update-interval",
                "200ms",
                "--jdbc-url",
                "jdbc:sqlite:" + db,
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        AnalyticsJob.build(env, options);
        return env.executeAsync("analytics retries");
    }
}
