package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.api.ServeCommand;
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

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real crash under load: {@code ./clickflow analytics} runs in its own JVM behind a {@code ./clickflow serve} (its
 * own JVM too) taking generated POSTs; once a checkpoint completed and the job has counted some of them it is killed
 * with SIGKILL, POSTs keep coming while it is dead, the same command with {@code --resume} takes over, and POSTs go on.
 * Then every hour's GET and every {@code hourly_stats} row equal brute force over the accepted POSTs: no hour lost, no
 * count doubled, hours that ended before the load final.
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
            int port = ChildJob.freePort();
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
            workload.run(i -> countingAgainAt.get() >= 0 && i >= countingAgainAt.get() + EVENTS_AFTER_RESUME, i -> {
                try {
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

            List<AnalyticsWorkload.Event> counted = workload.counted(KAFKA.readCommitted(TOPIC));
            Map<Long, AnalyticsWorkload.Counts> expected = AnalyticsWorkload.bruteForce(counted);
            assertThat(expected.size()).as("hours posted to").isGreaterThan(1);
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
                    .as("the server's POST 204s")
                    .isEqualTo(workload.accepted.size());
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
        args.addAll(List.of("--web-port", Integer.toString(ChildJob.freePort())));
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
