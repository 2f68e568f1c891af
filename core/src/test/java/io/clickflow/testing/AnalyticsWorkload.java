package io.clickflow.testing;

import io.clickflow.tables.AnalyticsEvent;
import io.clickflow.tables.AnalyticsTables;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * Generated analytics POSTs to API servers over loopback HTTP, paced over a wall time, round-robin over the live
 * servers, with each outcome kept; and the brute-force answer of what was accepted. A 204 counts; a 503 or an answer
 * lost to a stopped server is ambiguous and counts iff its record is in the topic (every event is unique, so the
 * topic tells exactly).
 */
public final class AnalyticsWorkload {
    static final long HOUR = AnalyticsTables.HOUR_MILLIS;

    /** How many events, how fast, from how many users, how many in earlier hours. */
    public record Plan(
            int events,
            int maxEvents,
            Duration wallTime,
            int inFlight,
            int users,
            double historicFraction,
            int maxHoursBack,
            Duration requestTimeout,
            int maxConnectRetries,
            long seed) {}

    /** One event as POSTed: the record the server writes for it is {@link #json()}. */
    public record Event(String user, long timestamp, boolean click) {
        public String json() {
            return AnalyticsEvent.json(user, timestamp, click);
        }

        public String query() {
            return "timestamp=" + timestamp + "&user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                    + (click ? "&click" : "&impression");
        }
    }

    /** A server to send to: a name for the report and its base URL ({@code http://127.0.0.1:PORT}). */
    public record Target(String name, String base) {}

    /** The brute-force count of one hour, and the body a GET of it must answer. */
    public record Counts(long users, long clicks, long impressions) {
        public String body() {
            return "unique_users," + users + "\nclicks," + clicks + "\nimpressions," + impressions + "\n";
        }
    }

    public static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Plan plan;
    public final List<Target> live;
    private final Random random;
    private final Set<String> sent = new HashSet<>();
    private final Semaphore permits;
    private final AtomicInteger next = new AtomicInteger();
    public final AtomicInteger retries = new AtomicInteger();
    public final ConcurrentLinkedQueue<Event> accepted = new ConcurrentLinkedQueue<>();
    /** Answers lost to a stop, and 503s: the event may or may not be in Kafka. */
    public final ConcurrentLinkedQueue<Event> ambiguous = new ConcurrentLinkedQueue<>();

    public final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    /** 204s per server name. */
    public final Map<String, AtomicInteger> posted = new ConcurrentHashMap<>();

    /** {@code live} is read on every send: a test adds and removes servers while the workload runs. */
    public AnalyticsWorkload(Plan plan, List<Target> live) {
        this.plan = plan;
        this.live = live;
        this.random = new Random(plan.seed());
        this.permits = new Semaphore(plan.inFlight());
    }

    /**
     * Sends {@link Plan#events()} events, and more until {@code enough} (at most {@link Plan#maxEvents()}); {@code
     * beforeEvent} runs on this thread before event i (to start or stop servers or jobs). Returns once every POST is
     * answered.
     */
    public void run(IntPredicate enough, IntConsumer beforeEvent) throws Exception {
        long start = System.nanoTime();
        long spacing = plan.wallTime().toNanos() / plan.events();
        for (int i = 0; i < plan.maxEvents() && (i < plan.events() || !enough.test(i)); i++) {
            beforeEvent.accept(i);
            // Pacing, not ordering: spreads the events over the wall time things happen in.
            long due = start + i * spacing;
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            permits.acquire();
            send(event(), 0);
        }
        if (!permits.tryAcquire(plan.inFlight(), plan.requestTimeout().toSeconds() * 2, TimeUnit.SECONDS)) {
            throw new AssertionError("POSTs still unanswered after the workload");
        }
    }

    /** A new event, unique (user, time, action) so the topic can tell whether it arrived. */
    private Event event() {
        long now = System.currentTimeMillis();
        long t = random.nextDouble() < plan.historicFraction()
                ? hourOf(now) - (1 + random.nextInt(plan.maxHoursBack())) * HOUR + random.nextInt((int) HOUR)
                : now;
        int u = random.nextInt(plan.users());
        Event e = new Event(user(u), t, random.nextInt(4) == 0);
        while (!sent.add(e.json())) {
            e = new Event(e.user(), e.timestamp() - 1, e.click());
        }
        return e;
    }

    /** User names with what a query string must escape: spaces, {@code +&=%}, non-ASCII. */
    public static String user(int u) {
        return switch (u % 4) {
            case 0 -> "user-" + u;
            case 1 -> "user " + u; // a space: '+' in the query
            case 2 -> "élève 日本 " + u;
            default -> "a+b&c=%" + u; // characters that must be escaped
        };
    }

    private void send(Event e, int attempt) {
        Target s = live.get(Math.floorMod(next.getAndIncrement(), live.size()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(s.base() + "/analytics?" + e.query()))
                .POST(HttpRequest.BodyPublishers.noBody())
                .timeout(plan.requestTimeout())
                .build();
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, x) -> {
            Throwable cause = x instanceof CompletionException && x.getCause() != null ? x.getCause() : x;
            if (r != null && r.statusCode() == 204) {
                posted.computeIfAbsent(s.name(), k -> new AtomicInteger()).incrementAndGet();
                accepted.add(e);
            } else if ((cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException)
                    && attempt < plan.maxConnectRetries()) {
                // Never reached the server (it had stopped listening): safe to send elsewhere.
                retries.incrementAndGet();
                send(e, attempt + 1);
                return;
            } else if (r != null && r.statusCode() != 503) {
                unexpected.add(s.name() + ": " + r.statusCode() + " " + r.body().strip() + " for " + e.query());
            } else {
                ambiguous.add(e);
            }
            permits.release();
        });
    }

    /**
     * The events that count: every 204, and each ambiguous one whose record is in the topic. Fails unless the topic
     * holds exactly these, once each.
     */
    public List<Event> counted(List<KafkaTestBroker.Read> topic) {
        return counted(accepted, ambiguous, topic);
    }

    /** As {@link #counted(List)}, for a test with its own clients. */
    public static List<Event> counted(
            Iterable<Event> accepted, Iterable<Event> ambiguous, List<KafkaTestBroker.Read> topic) {
        Map<String, Integer> inTopic = new HashMap<>();
        for (KafkaTestBroker.Read r : topic) {
            inTopic.merge(r.value(), 1, Integer::sum);
        }
        List<Event> counted = new ArrayList<>();
        accepted.forEach(counted::add);
        for (Event e : ambiguous) {
            if (inTopic.containsKey(e.json())) {
                counted.add(e);
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        counted.forEach(e -> expected.merge(e.json(), 1, Integer::sum));
        if (!inTopic.equals(expected)) {
            Map<String, Integer> extra = new TreeMap<>(inTopic);
            expected.forEach((json, n) -> extra.merge(json, -n, Integer::sum));
            extra.values().removeIf(n -> n == 0);
            throw new AssertionError("the topic must hold each counted event exactly once, nothing else; "
                    + "differences (record: topic minus counted): " + extra);
        }
        return counted;
    }

    public static long hourOf(long millis) {
        return Math.floorDiv(millis, HOUR) * HOUR;
    }

    /** Brute force: hour start (millis) -> distinct users, clicks, impressions. */
    public static Map<Long, Counts> bruteForce(List<Event> events) {
        Map<Long, Set<String>> users = new TreeMap<>();
        Map<Long, long[]> counts = new TreeMap<>();
        for (Event e : events) {
            long hour = hourOf(e.timestamp());
            users.computeIfAbsent(hour, h -> new HashSet<>()).add(e.user());
            counts.computeIfAbsent(hour, h -> new long[2])[e.click() ? 0 : 1]++;
        }
        Map<Long, Counts> out = new TreeMap<>();
        users.forEach((hour, u) -> out.put(hour, new Counts(u.size(), counts.get(hour)[0], counts.get(hour)[1])));
        return out;
    }

    /**
     * The first hour whose GET on one of the servers differs from brute force (what it answered), or null when all
     * agree.
     */
    public static String firstDifference(List<Target> servers, Map<Long, Counts> expected, Duration timeout) {
        for (Target s : servers) {
            for (Map.Entry<Long, Counts> e : expected.entrySet()) {
                String want = e.getValue().body();
                HttpResponse<String> r;
                try {
                    r = get(s, "/analytics?timestamp=" + e.getKey(), timeout);
                } catch (IOException x) {
                    return s.name() + ": " + x;
                }
                if (r.statusCode() != 200 || !r.body().equals(want)) {
                    return s.name() + " hour " + AnalyticsTables.hourKey(e.getKey()) + ": " + r.statusCode() + " "
                            + r.body().replace('\n', ' ') + "instead of " + want.replace('\n', ' ');
                }
            }
        }
        return null;
    }

    public static HttpResponse<String> get(Target s, String pathAndQuery, Duration timeout) throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(s.base() + pathAndQuery))
                            .timeout(timeout)
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The Prometheus series of POSTs answered 204. */
    public static String posts204() {
        return series("POST", 204);
    }

    public static String series(String method, int status) {
        return "clickflow_api_requests_total{route=\"/analytics\",method=\"" + method + "\",status=\"" + status + "\"}";
    }

    /** A counter's value in a Prometheus text page; 0 when the series is absent. */
    public static long counter(String metrics, String series) {
        return metrics.lines()
                .filter(l -> l.startsWith(series + " "))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst()
                .orElse(0);
    }
}
