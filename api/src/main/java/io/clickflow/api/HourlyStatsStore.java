package io.clickflow.api;

import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Reads {@code hourly_stats} for GETs, keeping each answer no older than a bound: the current hour is re-read by one
 * background task every refresh interval, so nearly every GET is answered from memory; other hours are read on
 * demand, one read per hour at a time however many GETs ask. An answer is served from memory only if its read
 * began at most twice the refresh interval before the request arrived.
 */
final class HourlyStatsStore implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(HourlyStatsStore.class);

    /** Hours kept in memory besides the current one; beyond this, stale entries are dropped. */
    private static final int MAX_ENTRIES = 4096;

    /** One read of an hour: its answer body and when the read began (System.nanoTime). */
    record Snapshot(long hourStart, byte[] body, long readStartedNanos) {}

    private final Database database;
    private final Duration refresh;
    private final long maxAgeNanos;
    private final int queryTimeoutSeconds;
    private final LongSupplier clock;
    private final Metrics metrics;
    private final Map<Long, Snapshot> cache = new ConcurrentHashMap<>();
    private final Map<Long, Pending> reading = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor readers;
    private final ScheduledExecutorService refresher;
    private final ThreadLocal<Connection> connection = new ThreadLocal<>();
    private final List<Connection> opened = new CopyOnWriteArrayList<>();

    private volatile String lastError; // null while the last refresh worked
    private volatile long lastSuccessNanos;

    HourlyStatsStore(
            Database database,
            Duration refresh,
            int readerThreads,
            int maxQueuedReads,
            Duration queryTimeout,
            LongSupplier clock,
            Metrics metrics) {
        this.database = database;
        this.refresh = refresh;
        this.maxAgeNanos = 2 * refresh.toNanos();
        this.queryTimeoutSeconds = (int) Math.max(1, queryTimeout.toSeconds());
        this.clock = clock;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.readers = new ThreadPoolExecutor(
                readerThreads,
                readerThreads,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(maxQueuedReads),
                r -> daemon(r, "clickflow-api-db-" + n.incrementAndGet()));
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "clickflow-api-cache-refresh"));
        metrics.gauge("clickflow_api_cache_age_seconds", () -> {
            Snapshot s = cache.get(currentHour());
            return s == null ? Double.NaN : (System.nanoTime() - s.readStartedNanos()) / 1e9;
        });
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Reads the current hour once (so the first GETs hit), then every refresh interval in the background. */
    void start() {
        refreshCurrentHour();
        refresher.scheduleAtFixedRate(
                this::refreshCurrentHour, refresh.toNanos(), refresh.toNanos(), TimeUnit.NANOSECONDS);
    }

    private long currentHour() {
        return hourStart(clock.getAsLong());
    }

    static long hourStart(long timestamp) {
        return Math.floorDiv(timestamp, AnalyticsTables.HOUR_MILLIS) * AnalyticsTables.HOUR_MILLIS;
    }

    private void refreshCurrentHour() {
        try {
            long hour = currentHour();
            cache.put(hour, read(hour));
            lastError = null;
            lastSuccessNanos = System.nanoTime();
            cache.remove(hour - AnalyticsTables.HOUR_MILLIS); // the hour that just ended is read on demand now
        } catch (SQLException | RuntimeException e) {
            if (lastError == null) {
                LOG.warn("Cannot read hourly_stats from {}: {}", database.describe(), oneLine(e));
            }
            lastError = oneLine(e);
        }
    }

    /** The answer from memory if one is fresh enough for a request that arrived at {@code arrivalNanos}, else null. */
    Snapshot cached(long hourStart, long arrivalNanos) {
        Snapshot s = cache.get(hourStart);
        if (s != null && arrivalNanos - s.readStartedNanos() <= maxAgeNanos) {
            metrics.cacheHits.increment();
            return s;
        }
        metrics.cacheMisses.increment();
        return null;
    }

    /**
     * Reads an hour off the request path. Joins a read of the same hour already under way if it began recently
     * enough; otherwise starts one. Fails with {@link RejectedExecutionException} when too many reads wait.
     */
    CompletableFuture<Snapshot> load(long hourStart, long arrivalNanos) {
        Pending running = reading.get(hourStart);
        if (running != null && arrivalNanos - running.registeredNanos() <= maxAgeNanos) {
            return running.result(); // that read begins after it was registered: fresh enough for this request
        }
        Pending mine = new Pending(new CompletableFuture<>(), System.nanoTime());
        boolean shared = running == null
                ? reading.putIfAbsent(hourStart, mine) == null
                : reading.replace(hourStart, running, mine);
        try {
            readers.execute(() -> {
                try {
                    Snapshot s = read(hourStart);
                    store(s);
                    mine.result().complete(s);
                } catch (Throwable e) {
                    mine.result().completeExceptionally(e);
                } finally {
                    if (shared) {
                        reading.remove(hourStart, mine);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            if (shared) {
                reading.remove(hourStart, mine);
            }
            mine.result().completeExceptionally(e);
        }
        return mine.result();
    }

    /** A read of any tables on one of the store's connections. */
    @FunctionalInterface
    interface Read<T> {
        T on(Connection c, int queryTimeoutSeconds) throws SQLException;
    }

    /**
     * Runs {@code read} off the request path on the same threads and connections as the hour reads (so {@code
     * --db-threads} and {@code --db-queue} bound every read); fails with {@link RejectedExecutionException} when too
     * many reads wait.
     */
    <T> CompletableFuture<T> submit(Read<T> read) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                metrics.dbReads.increment();
                try {
                    result.complete(read.on(connection(), queryTimeoutSeconds));
                } catch (SQLException e) {
                    metrics.dbErrors.increment();
                    dropConnection();
                    result.completeExceptionally(e);
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    /** A read under way and when it was asked for; it begins no earlier. */
    private record Pending(CompletableFuture<Snapshot> result, long registeredNanos) {}

    private void store(Snapshot s) {
        if (cache.size() >= MAX_ENTRIES) {
            long now = System.nanoTime();
            cache.values().removeIf(old -> now - old.readStartedNanos() > maxAgeNanos);
        }
        if (cache.size() < MAX_ENTRIES) {
            cache.merge(s.hourStart(), s, (a, b) -> a.readStartedNanos() >= b.readStartedNanos() ? a : b);
        }
    }

    /** One read of the hour on this thread's connection; a missing table is an hour without events (zeros). */
    private Snapshot read(long hourStart) throws SQLException {
        long started = System.nanoTime();
        metrics.dbReads.increment();
        long users = 0;
        long clicks = 0;
        long impressions = 0;
        try {
            Connection c = connection();
            try (PreparedStatement ps = c.prepareStatement(AnalyticsTables.SELECT_HOUR)) {
                ps.setQueryTimeout(queryTimeoutSeconds);
                ps.setString(1, AnalyticsTables.hourKey(hourStart));
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        users = rs.getLong(1);
                        clicks = rs.getLong(2);
                        impressions = rs.getLong(3);
                    }
                }
            }
        } catch (SQLException e) {
            if (!missingTable(e)) {
                metrics.dbErrors.increment();
                dropConnection();
                throw e;
            }
        }
        return new Snapshot(hourStart, body(users, clicks, impressions), started);
    }

    static byte[] body(long users, long clicks, long impressions) {
        return ("unique_users," + users + "\nclicks," + clicks + "\nimpressions," + impressions + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The job has not created its table yet: SQLite's message, PostgreSQL's undefined_table state. */
    static boolean missingTable(SQLException e) {
        String m = e.getMessage();
        return "42P01".equals(e.getSQLState()) || (m != null && m.contains("no such table"));
    }

    private Connection connection() throws SQLException {
        Connection c = connection.get();
        if (c == null) {
            c = database.connect();
            c.setAutoCommit(true);
            connection.set(c);
            opened.add(c);
        }
        return c;
    }

    private void dropConnection() {
        Connection c = connection.get();
        connection.remove();
        if (c != null) {
            opened.remove(c);
            try {
                c.close();
            } catch (SQLException ignored) {
                // it failed already; a new one is opened on the next read
            }
        }
    }

    /** Null when the last background read worked; else why it failed. */
    String problem() {
        if (lastError != null) {
            return lastError;
        }
        if (lastSuccessNanos == 0) {
            return "hourly_stats not read yet";
        }
        return null;
    }

    /** Milliseconds since the last background read that worked. */
    long lastSuccessAgeMillis() {
        return lastSuccessNanos == 0 ? -1 : (System.nanoTime() - lastSuccessNanos) / 1_000_000;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        readers.shutdown();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
            refresher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c : opened) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing on the way out
            }
        }
    }
}
