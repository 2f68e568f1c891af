package io.clickflow.api;

import io.clickflow.commandline.Durations;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /analytics?timestamp=...&fresh}: appends a fence for the hour to every partition of the events topic
 * (acks=all, like a POST), so the fences stand behind every event any server had acknowledged when the GET arrived;
 * then waits for the job's answer in {@code analytics_fresh}, which it writes once every shard of the hour has seen
 * every partition's fence. One thread polls the table for all waiting reads; a read still unanswered after the
 * timeout fails, and the server answers 503 rather than a stale count.
 */
final class FreshReads implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(FreshReads.class);

    /** How often the waiting reads' answers are looked for: part of every fresh read's wait. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    /** Reads waiting at once, beyond which a fresh GET is refused (503) instead of queued. */
    static final int MAX_WAITING = 10_000;
    /** Answers looked up per query. */
    private static final int PER_QUERY = 200;

    /** A fresh read that ran out of time: the job did not answer (stopped, behind, or not reading a partition). */
    static final class Timeout extends Exception {
        Timeout(String message) {
            super(message, null, false, false);
        }
    }

    private record Waiting(long hourStart, CompletableFuture<byte[]> answer) {}

    private final EventProducer producer;
    private final HourlyStatsStore store;
    private final Database database;
    private final Duration timeout;
    private final Metrics metrics;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final ScheduledThreadPoolExecutor poller;
    private Connection connection;
    private String lastError;

    FreshReads(EventProducer producer, HourlyStatsStore store, Database database, Duration timeout, Metrics metrics) {
        this.producer = producer;
        this.store = store;
        this.database = database;
        this.timeout = timeout;
        this.metrics = metrics;
        this.poller = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "clickflow-api-fresh-reads");
            t.setDaemon(true);
            return t;
        });
        poller.setRemoveOnCancelPolicy(true); // an answered read's timeout leaves the queue at once
        long every = POLL_INTERVAL.toNanos();
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.NANOSECONDS);
    }

    /** The hour's answer covering every event acknowledged before now; fails with {@link Timeout} or the cause. */
    CompletableFuture<byte[]> read(long hourStart) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        if (count.incrementAndGet() > MAX_WAITING) {
            count.decrementAndGet();
            answer.completeExceptionally(new RejectedExecutionException("too many fresh reads waiting"));
            return answer;
        }
        String fence = UUID.randomUUID().toString();
        // From the GET's arrival on, whether the fences are still being written or the job has not answered yet.
        ScheduledFuture<?> giveUp = poller.schedule(
                () -> {
                    waiting.remove(fence);
                    if (answer.completeExceptionally(new Timeout("the analytics job did not answer within "
                            + Durations.format(timeout) + " (--fresh-timeout): is it running and keeping up?"))) {
                        metrics.freshReads("timeout");
                    }
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        answer.whenComplete((a, e) -> {
            count.decrementAndGet();
            giveUp.cancel(false);
        });
        producer.sendFences(fence, hourStart, e -> {
            if (e != null) {
                if (answer.completeExceptionally(e)) {
                    metrics.freshReads("kafka-error");
                }
            } else if (!answer.isDone()) {
                waiting.put(fence, new Waiting(hourStart, answer));
            }
        });
        return answer;
    }

    private void poll() {
        if (waiting.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(Math.min(waiting.size(), PER_QUERY));
        for (String fence : waiting.keySet()) {
            ids.add(fence);
            if (ids.size() == PER_QUERY) {
                break; // the rest next time: a burst of reads is answered over a few polls
            }
        }
        try {
            lookUp(ids);
            lastError = null;
        } catch (SQLException e) {
            if (!HourlyStatsStore.missingTable(e)) {
                if (lastError == null) {
                    LOG.warn(
                            "Cannot read analytics_fresh from {}: {}",
                            database.describe(),
                            HourlyStatsStore.oneLine(e));
                }
                lastError = HourlyStatsStore.oneLine(e);
                close(connection);
                connection = null;
            }
        } catch (RuntimeException e) {
            LOG.warn("Fresh reads' poll failed", e);
        }
    }

    private void lookUp(List<String> ids) throws SQLException {
        if (connection == null) {
            connection = database.connect();
            connection.setAutoCommit(true);
        }
        try (PreparedStatement ps = connection.prepareStatement(AnalyticsTables.selectFresh(ids.size()))) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setString(i + 1, ids.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Waiting w = waiting.remove(rs.getString(1));
                    if (w == null || w.answer().isDone()) {
                        continue; // timed out meanwhile
                    }
                    if (rs.getInt(5) != 0) {
                        // The hour is settled: its state is gone and its final row in hourly_stats is the answer.
                        metrics.freshReads("settled");
                        store.load(w.hourStart(), System.nanoTime()).whenComplete((s, e) -> {
                            if (e == null) {
                                w.answer().complete(s.body());
                            } else {
                                w.answer().completeExceptionally(e);
                            }
                        });
                    } else {
                        metrics.freshReads("answered");
                        w.answer().complete(HourlyStatsStore.body(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                    }
                }
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // it failed already; a new one is opened on the next poll
            }
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close(connection);
        waiting.values().forEach(w -> w.answer().completeExceptionally(new Timeout("the server is stopping")));
        waiting.clear();
    }
}
