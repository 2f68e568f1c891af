package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ServeCommand;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.testing.AnalyticsWorkload;
import io.clickflow.testing.ChildJob;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;
import io.clickflow.testing.Waits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real crash under load: {@code ./clickflow analytics} runs in its own JVM behind a {@code ./clickflow serve} (its
 * own JVM too) taking generated POSTs; once a checkpoint completed and the job has counted some of them it is killed
 * with SIGKILL, POSTs keep coming while it is dead, the same command with {@code --resume} takes over, and POSTs go on.
 * Then every hour's GET and every {@code hourly_stats} row equal brute force over the accepted POSTs: no hour lost, no
 * count doubled, hours that ended before the load final. Across the crash: POSTs with idempotency keys sent before
 * the kill and sent again after the resume count once (the ids are in the checkpoint or replayed into it); a fresh
 * GET asked the moment the job died is answered by the resumed job and counts every POST acknowledged before it;
 * fresh GETs after the load equal the brute force at once.
 */
class AnalyticsProcessCrashITCase {
    static final String TOPIC = "analytics_events";
    static final int PARTITIONS = 3;
    static final int EVENTS = 2_500;
    /** Wall time the planned events are spread over; the load runs on while the resumed job is not yet counting. */
    static final Duration WORKLOAD = Duration.ofSeconds(25);

    static final int MAX_EVENTS = 4 * EVENTS;
    static final int IN_FLIGHT = 8;
    static final int USERS = 300;
    static final double HISTORIC_FRACTION = 0.05;
    static final int MAX_HOURS_BACK = 3;
    /** The job is killed at this event at the earliest, once a checkpoint is complete and it has counted a tenth. */
    static final int KILL_FROM = EVENTS / 5;
    /** POSTs answered while no job runs. */
    static final int EVENTS_WHILE_DEAD = EVENTS / 5;
    /** POSTs after the resumed job is counting again. */
    static final int EVENTS_AFTER_RESUME = EVENTS / 5;

    static final Duration UPDATE_INTERVAL = Duration.ofMillis(200);
    static final Duration CACHE_REFRESH = Duration.ofMillis(200);
    static final Duration SERVER_START = Duration.ofSeconds(60);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONVERGENCE = Duration.ofSeconds(90);
    /** POSTs with idempotency keys, sent before the kill and again after the resume. */
    static final int KEYED = 40;
    /** Long enough for a fresh read asked at the kill to outlive the restart. */
    static final Duration FRESH_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void killedUnderLoadAndResumedCountsEveryPostOnce() throws Exception {
        KAFKA.createTopics(PARTITIONS, TOPIC);
        Path dbFile = dir.resolve("clickflow.db");
        Database db = Database.of("jdbc:sqlite:" + dbFile);
        Path checkpoints = dir.resolve("checkpoints");
        List<String> jobArgs = List.of(
                "analytics",
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--events-topic",
                TOPIC,
                "--group-id",
                "analytics-crash",
                "--starting-offsets",
                "earliest",
                "--emit-mode",
                "update",
                "--update-interval",
                UPDATE_INTERVAL.toMillis() + "ms",
                "--jdbc-url",
                "jdbc:sqlite:" + dbFile,
                "--checkpoint-dir",
                checkpoints.toString(),
                "--checkpoint-interval",
                "1s",
                "--progress-interval",
                "0");
        List<ChildJob> processes = new CopyOnWriteArrayList<>();
        try {
            int port = ChildProcesses.freePort();
            ChildJob server = ChildJob.start(
                    dir.resolve("serve.log"),
                    List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                    AnalyticsEndToEndITCase.classpath(),
                    ServeCommand.class.getName(),
                    List.of(
                            "--port",
                            Integer.toString(port),
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--events-topic",
                            TOPIC,
                            "--jdbc-url",
                            "jdbc:sqlite:" + dbFile,
                            "--cache-refresh",
                            CACHE_REFRESH.toMillis() + "ms",
                            "--fresh-timeout",
                            FRESH_TIMEOUT.toSeconds() + "s",
                            "--event-loops",
                            "2"));
            processes.add(server);
            ChildJob first = start(jobArgs, "first.log", processes);
            String listening = "listening on http://127.0.0.1:" + port;
            Waits.until(
                    () -> outputOf(server).contains(listening) || !server.isAlive(),
                    SERVER_START,
                    "serve is not listening: " + outputOf(server));
            assertThat(server.isAlive()).as(outputOf(server)).isTrue();
            AnalyticsWorkload.Target api = new AnalyticsWorkload.Target("api", "http://127.0.0.1:" + port);

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
                            0,
                            31),
                    List.of(api));
            long loadStarted = System.currentTimeMillis();
            long[] phaseMillis = new long[3]; // since the load began: killed, resumed, counting again
            AtomicInteger killedAt = new AtomicInteger(-1);
            AtomicInteger resumedAt = new AtomicInteger(-1);
            AtomicInteger countingAgainAt = new AtomicInteger(-1);
            AtomicLong countedAtKill = new AtomicLong();
            AtomicReference<ChildJob> resumed = new AtomicReference<>();
            List<AnalyticsWorkload.Event> keyed = keyedEvents();
            AtomicReference<CompletableFuture<HttpResponse<String>>> freshAtKill = new AtomicReference<>();
            AtomicReference<List<AnalyticsWorkload.Event>> acceptedAtKill = new AtomicReference<>();
            workload.run(i -> countingAgainAt.get() >= 0 && i >= countingAgainAt.get() + EVENTS_AFTER_RESUME, i -> {
                try {
                    if (i == KILL_FROM / 2) {
                        postKeyed(api, keyed); // the first time, counted by the first run
                    }
                    if (killedAt.get() < 0 && i >= KILL_FROM && i % 50 == 0) {
                        long counted = counted(db);
                        if (counted > i / 10 && ChildJob.hasCompletedCheckpoint(checkpoints)) {
                            assertThat(first.isAlive())
                                    .as("the first run is still running when it is killed")
                                    .isTrue();
                            assertThat(first.kill()).isEqualTo(137);
                            killedAt.set(i);
                            phaseMillis[0] = System.currentTimeMillis() - loadStarted;
                            countedAtKill.set(counted(db));
                            // Asked with no job running: the resumed job answers it, counting all 204s before it.
                            List<AnalyticsWorkload.Event> before = new ArrayList<>(workload.accepted);
                            before.addAll(keyed);
                            acceptedAtKill.set(before);
                            freshAtKill.set(AnalyticsWorkload.HTTP.sendAsync(
                                    HttpRequest.newBuilder(URI.create(
                                                    api.base() + "/analytics?timestamp=" + loadStarted + "&fresh"))
                                            .timeout(FRESH_TIMEOUT.plusSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString()));
                        }
                    } else if (killedAt.get() >= 0 && resumedAt.get() < 0 && i >= killedAt.get() + EVENTS_WHILE_DEAD) {
                        List<String> again = new ArrayList<>(jobArgs);
                        again.add("--resume");
                        resumed.set(start(again, "second.log", processes));
                        resumedAt.set(i);
                        phaseMillis[1] = System.currentTimeMillis() - loadStarted;
                    } else if (resumedAt.get() >= 0
                            && countingAgainAt.get() < 0
                            && i % 50 == 0
                            && counted(db) > countedAtKill.get()) {
                        countingAgainAt.set(i);
                        phaseMillis[2] = System.currentTimeMillis() - loadStarted;
                        postKeyed(api, keyed); // the clients' retries, after the crash: counted once
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(killedAt.get()).as("the job was killed under load").isPositive();
            assertThat(countingAgainAt.get())
                    .as("the resumed job counted again under load")
                    .isPositive();
            assertThat(workload.unexpected).as("answers other than 204 or 503").isEmpty();
            assertThat(resumed.get().output()).contains("Resuming from");

            List<KafkaTestBroker.Read> topic = KAFKA.readCommitted(TOPIC);
            assertThat(topic.stream().filter(r -> r.value().contains("\"id\":\"crash-")))
                    .as("keyed records: each key twice")
                    .hasSize(2 * KEYED);
            List<AnalyticsWorkload.Event> counted = new ArrayList<>(workload.counted(topic.stream()
                    .filter(r ->
                            !r.value().contains("\"id\":\"crash-") && !r.value().contains("\"action\":\"fence\""))
                    .toList()));
            counted.addAll(keyed);
            Map<Long, AnalyticsWorkload.Counts> expected = AnalyticsWorkload.bruteForce(counted);
            assertThat(expected.size()).as("hours posted to").isGreaterThan(1);

            // Fresh GETs right after the last 204: exact at once, no waiting for the table.
            for (Map.Entry<Long, AnalyticsWorkload.Counts> e : expected.entrySet()) {
                HttpResponse<String> r =
                        AnalyticsWorkload.get(api, "/analytics?timestamp=" + e.getKey() + "&fresh", REQUEST_TIMEOUT);
                assertThat(r.statusCode() + " " + r.body())
                        .as("fresh GET of " + AnalyticsTables.hourKey(e.getKey()))
                        .isEqualTo("200 " + e.getValue().body());
            }
            HttpResponse<String> atKill = freshAtKill.get().get(FRESH_TIMEOUT.toSeconds() + 20, TimeUnit.SECONDS);
            assertThat(atKill.statusCode()).as(atKill.body()).isEqualTo(200);
            long[] got = parse(atKill.body());
            AnalyticsWorkload.Counts least = AnalyticsWorkload.bruteForce(acceptedAtKill.get())
                    .getOrDefault(AnalyticsWorkload.hourOf(loadStarted), new AnalyticsWorkload.Counts(0, 0, 0));
            AnalyticsWorkload.Counts most = expected.get(AnalyticsWorkload.hourOf(loadStarted));
            assertThat(got[1]).as("clicks of the fresh GET asked at the kill").isBetween(least.clicks(), most.clicks());
            assertThat(got[2])
                    .as("impressions of the fresh GET asked at the kill")
                    .isBetween(least.impressions(), most.impressions());
            assertThat(got[0]).as("users of the fresh GET asked at the kill").isBetween(least.users(), most.users());
            AtomicReference<String> lastDifference = new AtomicReference<>();
            try {
                Waits.until(
                        () -> {
                            String difference =
                                    AnalyticsWorkload.firstDifference(List.of(api), expected, REQUEST_TIMEOUT);
                            lastDifference.set(difference);
                            return difference == null;
                        },
                        CONVERGENCE,
                        "GETs still differ from brute force");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + lastDifference.get() + "; hourly_stats: " + rows(db));
            }

            // The table itself: exactly the hours posted to, each exact; an hour that ended before the load began is
            // final (the watermark passed it long ago), the hour the load ends in is not.
            Map<String, AnalyticsFileReplayITCase.Row> table = AnalyticsFileReplayITCase.hourlyStats(db);
            assertThat(table.keySet())
                    .as("hours in hourly_stats")
                    .containsExactlyInAnyOrderElementsOf(expected.keySet().stream()
                            .map(AnalyticsTables::hourKey)
                            .toList());
            long loadHour = AnalyticsWorkload.hourOf(loadStarted);
            long nowHour = AnalyticsWorkload.hourOf(System.currentTimeMillis());
            expected.forEach((hour, want) -> {
                AnalyticsFileReplayITCase.Row row = table.get(AnalyticsTables.hourKey(hour));
                assertThat(new AnalyticsWorkload.Counts(row.users(), row.clicks(), row.impressions()))
                        .as(AnalyticsTables.hourKey(hour))
                        .isEqualTo(want);
                if (hour < loadHour) {
                    assertThat(row.isFinal())
                            .as(AnalyticsTables.hourKey(hour) + " final")
                            .isTrue();
                } else if (hour == nowHour) {
                    assertThat(row.isFinal())
                            .as(AnalyticsTables.hourKey(hour) + " still open")
                            .isFalse();
                }
            });
            assertThat(ResultTables.count(db, "late_events")).as("late events").isZero();
            assertThat(AnalyticsWorkload.counter(
                            AnalyticsWorkload.get(api, "/metrics", REQUEST_TIMEOUT)
                                    .body(),
                            AnalyticsWorkload.posts204()))
                    .as("the server's POST 204s: the workload's and each keyed POST twice")
                    .isEqualTo(workload.accepted.size() + 2L * KEYED);
            System.out.printf(
                    "AnalyticsProcessCrashITCase: %d POSTs (%d ambiguous) over %d ms, killed at POST %d (%d ms, %d"
                            + " counted then), resumed at %d (%d ms), counting again at %d (%d ms), %d hours exact%n",
                    workload.accepted.size() + workload.ambiguous.size(),
                    workload.ambiguous.size(),
                    System.currentTimeMillis() - loadStarted,
                    killedAt.get(),
                    phaseMillis[0],
                    countedAtKill.get(),
                    resumedAt.get(),
                    phaseMillis[1],
                    countingAgainAt.get(),
                    phaseMillis[2],
                    expected.size());
        } finally {
            for (ChildJob p : processes) {
                if (p.isAlive()) {
                    p.kill();
                }
            }
        }
    }

    private ChildJob start(List<String> jobArgs, String log, List<ChildJob> processes) throws Exception {
        List<String> args = new ArrayList<>(jobArgs);
        args.addAll(List.of("--web-port", Integer.toString(ChildProcesses.freePort())));
        ChildJob job = ChildJob.start(dir.resolve(log), args);
        processes.add(job);
        return job;
    }

    /** Clicks and impressions in hourly_stats: what the job has written so far (0 before its table exists). */
    static long counted(Database db) {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(clicks + impressions), 0) FROM hourly_stats")) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (Exception noTableYet) {
            return 0;
        }
    }

    /** Events with idempotency keys, of users the workload does not have, in the hour the test begins. */
    static List<AnalyticsWorkload.Event> keyedEvents() {
        long now = System.currentTimeMillis();
        List<AnalyticsWorkload.Event> events = new ArrayList<>();
        for (int k = 0; k < KEYED; k++) {
            events.add(new AnalyticsWorkload.Event("keyed-" + (k % 25), now - k, k % 3 == 0));
        }
        return events;
    }

    /** POSTs each event with its key ({@code crash-N}) and waits for every 204. */
    static void postKeyed(AnalyticsWorkload.Target api, List<AnalyticsWorkload.Event> events) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int k = 0; k < events.size(); k++) {
            answers.add(AnalyticsWorkload.HTTP.sendAsync(
                    HttpRequest.newBuilder(URI.create(
                                    api.base() + "/analytics?" + events.get(k).query()))
                            .header("Idempotency-Key", "crash-" + k)
                            .timeout(REQUEST_TIMEOUT)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            HttpResponse<String> r = a.get(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        }
    }

    /** Users, clicks, impressions of a GET's body. */
    static long[] parse(String body) {
        String[] lines = body.strip().split("\n");
        long[] out = new long[3];
        for (int i = 0; i < 3; i++) {
            out[i] = Long.parseLong(lines[i].substring(lines[i].indexOf(',') + 1));
        }
        return out;
    }

    static String rows(Database db) {
        try {
            return AnalyticsFileReplayITCase.hourlyStats(db).toString();
        } catch (Exception e) {
            return "(unreadable: " + e + ")";
        }
    }

    static String outputOf(ChildJob p) {
        try {
            return p.output();
        } catch (Exception e) {
            return "(no output: " + e + ")";
        }
    }
}
