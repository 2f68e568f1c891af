package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ApiServerProcess;
import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.commandline.Cli;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.testing.AnalyticsWorkload;
import io.clickflow.testing.KafkaTestBroker;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Issue 25's fresh reads, real parts only: a Kafka broker (three partitions), a SQLite file, the analytics job in a
 * MiniCluster (parallelism 2, so a subtask reads two partitions) and two {@code ./clickflow serve} processes. Round
 * after round a burst of POSTs goes to server A and, the moment the last 204 is in, {@code GET ...&fresh} goes to
 * server B: every answer equals the brute force over every event posted so far, in both emit modes of the job (the
 * second job re-reads the topic from the start). With the job stopped, a fresh GET answers 503 after the timeout
 * while a plain GET still answers the table.
 */
class AnalyticsFreshReadsITCase {
    static final String TOPIC = "analytics_events";
    static final int ROUNDS = 15;
    static final int BURST = 40;
    static final int USERS = 90;
    static final Duration FRESH_TIMEOUT = Duration.ofSeconds(3);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @TempDir
    Path dir;

    final List<AnalyticsWorkload.Event> posted = new ArrayList<>();
    final Random random = new Random(2505);
    final List<Long> waits = new ArrayList<>();

    @Test
    @Timeout(300)
    void aFreshGetCountsEveryAcknowledgedPostInBothEmitModes() throws Exception {
        KAFKA.createTopics(3, TOPIC);
        Path db = dir.resolve("clickflow.db");
        List<ApiServerProcess> servers = new ArrayList<>();
        try {
            ApiServerProcess a = startServer("a", db, servers);
            ApiServerProcess b = startServer("b", db, servers);
            a.awaitListening(Duration.ofSeconds(60));
            b.awaitListening(Duration.ofSeconds(60));
            AnalyticsWorkload.Target postTo = AnalyticsEndToEndITCase.target(a);
            AnalyticsWorkload.Target readFrom = AnalyticsEndToEndITCase.target(b);
            long now = System.currentTimeMillis();
            long[] hours = {AnalyticsWorkload.hourOf(now), AnalyticsWorkload.hourOf(now) - HOUR};

            for (EmitMode mode : EmitMode.values()) {
                JobClient job = startJob(db, mode);
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        postBurst(postTo, hours, now);
                        Map<Long, AnalyticsWorkload.Counts> expected = AnalyticsWorkload.bruteForce(posted);
                        long hour = hours[round % 4 == 3 ? 1 : 0];
                        long asked = System.nanoTime();
                        HttpResponse<String> r = AnalyticsWorkload.get(
                                readFrom, "/analytics?timestamp=" + (hour + 1234) + "&fresh", REQUEST_TIMEOUT);
                        waits.add((System.nanoTime() - asked) / 1_000_000);
                        assertThat(r.statusCode() + " " + r.body())
                                .as("%s round %d hour %s", mode, round, AnalyticsTables.hourKey(hour))
                                .isEqualTo("200 " + expected.get(hour).body());
                    }
                } finally {
                    job.cancel().get(30, TimeUnit.SECONDS);
                }
            }

            waits.sort(null);
            System.out.printf(
                    "AnalyticsFreshReadsITCase: %d fresh GETs exact; wait p50 %d ms, max %d ms%n",
                    waits.size(), waits.get(waits.size() / 2), waits.get(waits.size() - 1));

            // The job is stopped: a fresh GET waits out its timeout and says so; a plain GET answers the table.
            long started = System.nanoTime();
            HttpResponse<String> stale = AnalyticsWorkload.get(
                    readFrom, "/analytics?timestamp=" + hours[0] + "&fresh=true", REQUEST_TIMEOUT);
            long waitedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(stale.body()).startsWith("the analytics job did not answer within 3s (--fresh-timeout)");
            assertThat(waitedMillis).as("waited out the timeout").isGreaterThanOrEqualTo(FRESH_TIMEOUT.toMillis());
            assertThat(AnalyticsWorkload.get(readFrom, "/analytics?timestamp=" + hours[0], REQUEST_TIMEOUT)
                            .statusCode())
                    .isEqualTo(200);
            String metrics =
                    AnalyticsWorkload.get(readFrom, "/metrics", REQUEST_TIMEOUT).body();
            assertThat(AnalyticsWorkload.counter(metrics, "clickflow_api_fresh_reads_total{outcome=\"answered\"}"))
                    .isEqualTo(2L * ROUNDS);
            assertThat(AnalyticsWorkload.counter(metrics, "clickflow_api_fresh_reads_total{outcome=\"timeout\"}"))
                    .isOne();
        } finally {
            for (ApiServerProcess s : servers) {
                s.kill();
            }
        }
    }

    /** POSTs a burst (mostly the current hour, some the hour before) and returns once every one got its 204. */
    private void postBurst(AnalyticsWorkload.Target server, long[] hours, long now) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            long hour = hours[random.nextInt(5) == 0 ? 1 : 0];
            long t = Math.min(now, hour + random.nextInt((int) HOUR));
            var event =
                    new AnalyticsWorkload.Event(AnalyticsWorkload.user(random.nextInt(USERS)), t, random.nextBoolean());
            posted.add(event);
            answers.add(AnalyticsWorkload.HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(server.base() + "/analytics?" + event.query()))
                            .timeout(REQUEST_TIMEOUT)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        }
    }

    private ApiServerProcess startServer(String name, Path db, List<ApiServerProcess> all) {
        return AnalyticsEndToEndITCase.startServer(
                dir, name, KAFKA.bootstrapServers(), TOPIC, db, all, "--fresh-timeout", "3s");
    }

    private JobClient startJob(Path db, EmitMode mode) throws Exception {
        AnalyticsOptions options = AnalyticsCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--events-topic",
                TOPIC,
                "--group-id",
                "analytics-fresh-" + Cli.name(mode),
                "--starting-offsets",
                "earliest",
                "--emit-mode",
                Cli.name(mode),
                // the hour before stays open to corrections all test long: no fresh read finds it settled
                "--allowed-lateness",
                "2h",
                "--jdbc-url",
                "jdbc:sqlite:" + db,
                "--checkpoint-dir",
                dir.resolve("checkpoints-" + Cli.name(mode)).toString());
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        AnalyticsJob.build(env, options);
        return env.executeAsync("analytics fresh reads " + Cli.name(mode));
    }
}
