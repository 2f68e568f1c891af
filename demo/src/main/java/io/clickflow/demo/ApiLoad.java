package io.clickflow.demo;

import io.clickflow.analytics.AnalyticsTraffic;
import io.clickflow.analytics.UserAction;
import io.clickflow.api.ApiServerProcess;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.EventTimes;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A generated load on API servers, round robin: POSTs at a fixed rate (open loop: each request has its intended send
 * time, and its latency counts from then, so a stall shows in the percentiles instead of slowing the load down) and a
 * trickle of GETs; remembers what every 204 accepted, the brute force the servers' answers must equal.
 */
public final class ApiLoad implements AutoCloseable {
    /** GETs per POST: a steady trickle, most for the current hour. */
    static final double GETS_PER_POST = 0.05;

    static final double GET_CURRENT_HOUR = 0.95;
    /** Requests under way at most; beyond, the load falls behind its schedule (and the latencies show it). */
    static final int MAX_IN_FLIGHT = 128;

    /** How far the load may fall behind its schedule before it skips requests rather than sending them late. */
    static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(1);

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration PROGRESS_GET_TIMEOUT = Duration.ofSeconds(2);
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * The load's first seconds, at its full rate but not measured: on 2 cores the JIT compiling the servers and the
     * load makes the first seconds' latencies (over a second) and skips say nothing of the servers afterwards.
     */
    public static final Duration WARM_UP = Duration.ofSeconds(10);

    private final List<ApiServerProcess> servers;
    private final AnalyticsTraffic traffic;
    private final double postsPerSecond;
    private final double getsPerSecond;
    private final ExecutorService httpThreads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "demo-load-http");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http;
    private final Thread sender;
    private volatile boolean stopping;
    private volatile boolean warmingUp = true;
    private final Duration warmUp;

    private final AnalyticsTraffic.Tally accepted = new AnalyticsTraffic.Tally();
    private final AtomicLongArray accepted204;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong posts = new AtomicLong();
    private final AtomicLong gets = new AtomicLong();
    private final AtomicLong non2xx = new AtomicLong();
    /** Requests not sent: the load was more than {@link #MAX_LAG_NANOS} behind its schedule (after the warm-up). */
    private final AtomicLong skipped = new AtomicLong();
    /** The same during the warm-up. */
    private final AtomicLong warmUpSkipped = new AtomicLong();
    /** POSTs without a 204 (an error status, a timeout, a broken connection): their events may or may not count. */
    private final AtomicLong unsure = new AtomicLong();

    private final Map<String, AtomicLong> failures = new LinkedHashMap<>();
    private final Recorder postLatency = new Recorder(3);
    private final Recorder getLatency = new Recorder(3);
    private Histogram postInterval;
    private Histogram getInterval;
    private long lastLineNanos;
    private long lastPosts;
    private long lastGets;
    private long lastNon2xx;
    private long lastSkipped;
    private int lines;

    /**
     * @param postsPerSecond the POST rate; GETs come on top, {@link #GETS_PER_POST} of it, at least one a second
     * @param warmUp how long the load runs before it measures (latencies, skips), e.g. {@link #WARM_UP}
     */
    public ApiLoad(List<ApiServerProcess> servers, AnalyticsTraffic traffic, double postsPerSecond, Duration warmUp) {
        this.servers = List.copyOf(servers);
        this.warmUp = warmUp;
        this.warmingUp = !warmUp.isZero();
        this.traffic = traffic;
        this.postsPerSecond = postsPerSecond;
        this.getsPerSecond = Math.max(1, postsPerSecond * GETS_PER_POST);
        this.accepted204 = new AtomicLongArray(servers.size());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(httpThreads)
                .build();
        this.sender = new Thread(this::send, "demo-load");
        sender.setDaemon(true);
    }

    public double getsPerSecond() {
        return getsPerSecond;
    }

    public void start() {
        lastLineNanos = System.nanoTime();
        sender.start();
    }

    /** Stops sending and waits (at most {@code drain}) for the requests under way. */
    public void stop(Duration drain) {
        stopping = true;
        try {
            sender.join(drain.toMillis());
            long deadline = System.nanoTime() + drain.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // waiting for answers, polled: they come on the HTTP client's threads
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After {@link #stop}: lets go of the HTTP client's threads. */
    @Override
    public void close() {
        stopping = true;
        httpThreads.shutdownNow();
    }

    private void send() {
        long start = System.nanoTime();
        long warmUpEnd = start + warmUp.toNanos();
        long postsSent = 0;
        long getsSent = 0;
        while (!stopping) {
            long now = System.nanoTime();
            if (warmingUp && now >= warmUpEnd) {
                // The measured schedule starts afresh: what the warm-up fell behind is not owed.
                warmingUp = false;
                start = now;
                postsSent = 0;
                getsSent = 0;
            }
            // Whichever is due first, so GETs keep their pace when POSTs fall behind theirs.
            // Further behind than MAX_LAG, the slots in between are skipped (and counted): the latencies then
            // speak of the servers, not of a backlog that a slow start left and a busy machine never works off.
            long late = now - MAX_LAG_NANOS - start;
            if (late > 0) {
                long postFloor = (long) (late / 1e9 * postsPerSecond);
                long getFloor = (long) (late / 1e9 * getsPerSecond);
                AtomicLong skips = warmingUp ? warmUpSkipped : skipped;
                if (postsSent < postFloor) {
                    skips.addAndGet(postFloor - postsSent);
                    postsSent = postFloor;
                }
                if (getsSent < getFloor) {
                    skips.addAndGet(getFloor - getsSent);
                    getsSent = getFloor;
                }
            }
            while (inFlight.get() < MAX_IN_FLIGHT && !stopping) {
                long nextPost = start + (long) (postsSent * 1e9 / postsPerSecond);
                long nextGet = start + (long) (getsSent * 1e9 / getsPerSecond);
                if (Math.min(nextPost, nextGet) > now) {
                    break;
                }
                if (nextPost <= nextGet) {
                    post(nextPost, (int) (postsSent++ % servers.size()));
                } else {
                    get(nextGet, (int) (getsSent++ % servers.size()));
                }
            }
            LockSupport.parkNanos(TICK_NANOS); // pacing the schedule, not ordering anything
        }
    }

    private void post(long intendedNanos, int server) {
        UserAction e = traffic.next(System.currentTimeMillis());
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(servers.get(server).base() + "/analytics?" + AnalyticsTraffic.postQuery(e)))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(REQUEST_TIMEOUT)
                .build();
        boolean measured = !warmingUp;
        inFlight.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((r, x) -> {
                    if (measured) {
                        postLatency.recordValue(micros(intendedNanos));
                    }
                    posts.incrementAndGet();
                    if (r != null && r.statusCode() == 204) {
                        accepted.add(e);
                        accepted204.incrementAndGet(server);
                    } else {
                        unsure.incrementAndGet();
                        failed(r, x);
                    }
                    inFlight.decrementAndGet();
                });
    }

    private void get(long intendedNanos, int server) {
        long now = System.currentTimeMillis();
        long t = traffic.nextDouble() < GET_CURRENT_HOUR
                ? now
                : now
                        - (1 + (long) (traffic.nextDouble() * AnalyticsTraffic.HISTORIC_HOURS))
                                * AnalyticsTables.HOUR_MILLIS;
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(servers.get(server).base() + "/analytics?" + AnalyticsTraffic.getQuery(t)))
                .timeout(REQUEST_TIMEOUT)
                .build();
        boolean measured = !warmingUp;
        inFlight.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((r, x) -> {
                    if (measured) {
                        getLatency.recordValue(micros(intendedNanos));
                    }
                    gets.incrementAndGet();
                    if (r == null || r.statusCode() != 200) {
                        failed(r, x);
                    }
                    inFlight.decrementAndGet();
                });
    }

    private void failed(HttpResponse<String> r, Throwable x) {
        non2xx.incrementAndGet();
        Throwable cause = x != null && x.getCause() != null ? x.getCause() : x;
        String what =
                r != null ? Integer.toString(r.statusCode()) : cause.getClass().getSimpleName();
        synchronized (failures) {
            failures.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }
    }

    private static long micros(long sinceNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sinceNanos));
    }

    /**
     * The progress line: requests per second and the p99 latency since the last line, the answers other than 2xx,
     * and the current hour as a GET answers it (on each server in turn).
     */
    public synchronized String line() {
        if (stopping) {
            return null;
        }
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastLineNanos) / 1e9);
        postInterval = postLatency.getIntervalHistogram(postInterval);
        getInterval = getLatency.getIntervalHistogram(getInterval);
        long p = posts.get();
        long g = gets.get();
        long bad = non2xx.get();
        long behind = skipped.get();
        boolean warm = warmingUp;
        String line = String.format(
                (warm ? "        warm-up (not measured) " : "        ")
                        + "load %,.0f req/s (POST %,.0f, GET %,.0f) | p99 POST %s, GET %s | non-2xx %,d (%,d in all)%s | %s",
                (p - lastPosts + g - lastGets) / seconds,
                (p - lastPosts) / seconds,
                (g - lastGets) / seconds,
                warm ? "-" : p99(postInterval),
                warm ? "-" : p99(getInterval),
                bad - lastNon2xx,
                bad,
                warm || behind == lastSkipped ? "" : String.format(" | behind, skipped %,d", behind - lastSkipped),
                currentHour(servers.get(lines++ % servers.size())));
        lastSkipped = behind;
        lastLineNanos = now;
        lastPosts = p;
        lastGets = g;
        lastNon2xx = bad;
        return line;
    }

    private static String p99(Histogram h) {
        return h.getTotalCount() == 0 ? "-" : String.format("%.1f ms", h.getValueAtPercentile(99) / 1000.0);
    }

    private String currentHour(ApiServerProcess server) {
        long now = System.currentTimeMillis();
        String hour = EventTimes.format(AnalyticsTraffic.hourOf(now)).substring(11, 16) + "Z";
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server.base() + "/analytics?" + AnalyticsTraffic.getQuery(now)))
                            .timeout(PROGRESS_GET_TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            AnalyticsTraffic.Hour h = r.statusCode() == 200 ? AnalyticsTraffic.Hour.parse(r.body()) : null;
            return h == null
                    ? "hour " + hour + " on :" + server.port() + ": " + r.statusCode()
                    : String.format(
                            "hour %s on :%d: %,d users, %,d clicks, %,d impressions",
                            hour, server.port(), h.users(), h.clicks(), h.impressions());
        } catch (IOException e) {
            return "hour " + hour + " on :" + server.port() + ": no answer ("
                    + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** What the load got 204 for, per hour: the brute force. */
    public AnalyticsTraffic.Tally accepted() {
        return accepted;
    }

    /** POSTs answered 204, per server in the order given. */
    public List<Long> accepted204() {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < accepted204.length(); i++) {
            out.add(accepted204.get(i));
        }
        return out;
    }

    public long posts() {
        return posts.get();
    }

    public long gets() {
        return gets.get();
    }

    public long non2xx() {
        return non2xx.get();
    }

    /** Requests skipped because the load was too far behind its schedule (the machine could not keep up). */
    public long skipped() {
        return skipped.get();
    }

    /** Requests skipped during the warm-up, not counted in {@link #skipped}. */
    public long warmUpSkipped() {
        return warmUpSkipped.get();
    }

    /** POSTs without a 204: while there are any, the answers may exceed the brute force by up to this many. */
    public long unsure() {
        return unsure.get();
    }

    /** Answers other than 2xx by status or exception, in the order first seen. */
    public String failures() {
        synchronized (failures) {
            return failures.toString();
        }
    }

    /**
     * The outcome of {@link #awaitExact}: each server's answers per hour, whether all equal the brute force (the
     * load's 204s plus the outside events in those hours), the outside events counted in and those in hours the load
     * did not post to (not compared).
     */
    public record Check(
            boolean exact,
            Map<Long, AnalyticsTraffic.Hour> expected,
            Map<String, Map<Long, AnalyticsTraffic.Hour>> answers,
            String difference,
            long millis,
            long outsideCompared,
            long outsideNotCompared) {}

    /**
     * After {@link #stop}: asks every server for every hour posted to (and the current hour) until all answers equal
     * what was accepted, at most {@code timeout}; the job, its sink and the servers' cache need a moment to catch up.
     * {@code outside} (null: none) are the events others POSTed meanwhile, read back from the topic on each round and
     * added to the hours they fall in.
     */
    public Check awaitExact(Duration timeout, OutsideEvents outside) {
        long currentHour = AnalyticsTraffic.hourOf(System.currentTimeMillis());
        Map<Long, AnalyticsTraffic.Hour> own = accepted.perHour();
        own.putIfAbsent(currentHour, accepted.hour(currentHour));
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            Map<Long, AnalyticsTraffic.Hour> expected = new LinkedHashMap<>();
            long outsideCompared = 0;
            long outsideNotCompared = 0;
            if (outside != null) {
                outside.catchUp(Duration.ofSeconds(5));
                for (Map.Entry<Long, AnalyticsTraffic.Hour> e :
                        outside.tally().perHour().entrySet()) {
                    long events = e.getValue().clicks() + e.getValue().impressions();
                    if (own.containsKey(e.getKey())) {
                        outsideCompared += events;
                    } else {
                        outsideNotCompared += events;
                    }
                }
            }
            for (Map.Entry<Long, AnalyticsTraffic.Hour> e : own.entrySet()) {
                // The outside users are not the load's (that is how they were told apart): distinct users add up.
                expected.put(
                        e.getKey(),
                        outside == null
                                ? e.getValue()
                                : e.getValue().plus(outside.tally().hour(e.getKey())));
            }
            Map<String, Map<Long, AnalyticsTraffic.Hour>> answers = new LinkedHashMap<>();
            String difference = null;
            for (ApiServerProcess s : servers) {
                if (!s.process.isAlive()) {
                    return new Check(
                            false,
                            expected,
                            answers,
                            s.name + " has stopped by itself",
                            0,
                            outsideCompared,
                            outsideNotCompared);
                }
            }
            for (ApiServerProcess s : servers) {
                Map<Long, AnalyticsTraffic.Hour> mine = new LinkedHashMap<>();
                answers.put(s.name, mine);
                for (Map.Entry<Long, AnalyticsTraffic.Hour> e : expected.entrySet()) {
                    AnalyticsTraffic.Hour answer;
                    try {
                        HttpResponse<String> r = s.get("/analytics?" + AnalyticsTraffic.getQuery(e.getKey()));
                        answer = r.statusCode() == 200 ? AnalyticsTraffic.Hour.parse(r.body()) : null;
                    } catch (IOException x) {
                        answer = null;
                    }
                    mine.put(e.getKey(), answer);
                    if (difference == null && !e.getValue().equals(answer)) {
                        difference = s.name + " hour " + EventTimes.format(e.getKey()) + ": " + answer + " instead of "
                                + e.getValue();
                    }
                }
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if (difference == null || System.nanoTime() > deadline) {
                return new Check(
                        difference == null, expected, answers, difference, millis, outsideCompared, outsideNotCompared);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // polling for the job to catch up
        }
    }
}
