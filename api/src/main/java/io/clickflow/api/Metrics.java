package io.clickflow.api;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The server's numbers in the Prometheus text format: requests by route, method and status, latency histograms by
 * route and method, requests given up by their clients, Kafka send errors, cache hits and misses, database reads and errors, fresh reads by outcome. Lock-free on the request
 * path; labels come from a fixed set (unknown paths are the route {@code other}), so series stay few.
 */
final class Metrics {
    /** Upper bounds of the latency buckets, in seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> aborted = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latencies = new ConcurrentHashMap<>();
    final LongAdder kafkaSendErrors = new LongAdder();
    final LongAdder eventsAccepted = new LongAdder();
    final LongAdder cacheHits = new LongAdder();
    final LongAdder cacheMisses = new LongAdder();
    final LongAdder dbReads = new LongAdder();
    final LongAdder dbErrors = new LongAdder();
    private final Map<String, LongAdder> freshReads = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();

    /**
     * One fresh read's end: {@code answered} (the job's count), {@code settled} (the hour's final row), {@code
     * timeout} or {@code kafka-error}.
     */
    void freshReads(String outcome) {
        freshReads
                .computeIfAbsent("outcome=\"" + outcome + "\"", k -> new LongAdder())
                .increment();
    }

    /** One answered request; {@code route} and {@code method} must come from a fixed set. */
    void request(String route, String method, int status, long nanos) {
        requests.computeIfAbsent(labels(route, method) + ",status=\"" + status + "\"", k -> new LongAdder())
                .increment();
        latencies.computeIfAbsent(labels(route, method), k -> new Histogram()).observe(nanos / 1e9);
    }

    /**
     * One request not answered because its client closed the connection first (before the end of its headers, or
     * before the answer was ready); {@code route} and {@code method} from the same fixed sets.
     */
    void aborted(String route, String method) {
        aborted.computeIfAbsent(labels(route, method), k -> new LongAdder()).increment();
    }

    void gauge(String name, DoubleSupplier value) {
        gauges.put(name, value);
    }

    private static String labels(String route, String method) {
        return "route=\"" + route + "\",method=\"" + method + "\"";
    }

    /** The exposition text, {@code text/plain; version=0.0.4}. */
    String scrape() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP clickflow_api_requests_total HTTP requests answered, by route, method and status.\n");
        sb.append("# TYPE clickflow_api_requests_total counter\n");
        new TreeMap<>(requests)
                .forEach((labels, n) -> sb.append("clickflow_api_requests_total{")
                        .append(labels)
                        .append("} ")
                        .append(n.sum())
                        .append('\n'));
        sb.append("# HELP clickflow_api_requests_aborted_total Requests not answered: the client closed the connection"
                + " before the end of its headers or before the answer, by route and method.\n");
        sb.append("# TYPE clickflow_api_requests_aborted_total counter\n");
        new TreeMap<>(aborted)
                .forEach((labels, n) -> sb.append("clickflow_api_requests_aborted_total{")
                        .append(labels)
                        .append("} ")
                        .append(n.sum())
                        .append('\n'));
        sb.append("# HELP clickflow_api_request_duration_seconds Time from a request's arrival to its answer.\n");
        sb.append("# TYPE clickflow_api_request_duration_seconds histogram\n");
        new TreeMap<>(latencies).forEach((labels, h) -> h.write(sb, "clickflow_api_request_duration_seconds", labels));
        counter(sb, "clickflow_api_events_accepted_total", "Events Kafka acknowledged (answered 204).", eventsAccepted);
        counter(
                sb,
                "clickflow_api_kafka_send_errors_total",
                "Events Kafka did not take (answered 503).",
                kafkaSendErrors);
        counter(sb, "clickflow_api_cache_hits_total", "GETs answered from the cache.", cacheHits);
        counter(sb, "clickflow_api_cache_misses_total", "GETs that read the database.", cacheMisses);
        counter(sb, "clickflow_api_db_reads_total", "Reads of hourly_stats (cache refreshes and misses).", dbReads);
        counter(sb, "clickflow_api_db_errors_total", "Reads of hourly_stats that failed.", dbErrors);
        sb.append("# HELP clickflow_api_fresh_reads_total Fresh GETs (&fresh) by how they ended: answered by the job,"
                + " settled (the hour's final row), timeout, kafka-error.\n");
        sb.append("# TYPE clickflow_api_fresh_reads_total counter\n");
        new TreeMap<>(freshReads)
                .forEach((labels, n) -> sb.append("clickflow_api_fresh_reads_total{")
                        .append(labels)
                        .append("} ")
                        .append(n.sum())
                        .append('\n'));
        new TreeMap<>(gauges).forEach((name, value) -> {
            sb.append("# TYPE ").append(name).append(" gauge\n");
            sb.append(name).append(' ').append(number(value.getAsDouble())).append('\n');
        });
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, LongAdder value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(value.sum()).append('\n');
    }

    private static String number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%g", d);
    }

    /** Cumulative buckets as Prometheus wants them; each bucket counted once, summed at scrape time. */
    private static final class Histogram {
        private final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        private final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            counts[i].increment();
            sum.add(seconds);
        }

        void write(StringBuilder sb, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i].sum();
                String le = i < BUCKETS.length ? String.valueOf(BUCKETS[i]) : "+Inf";
                sb.append(name)
                        .append("_bucket{")
                        .append(labels)
                        .append(",le=\"")
                        .append(le)
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            sb.append(name)
                    .append("_sum{")
                    .append(labels)
                    .append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", sum.sum()))
                    .append('\n');
            sb.append(name)
                    .append("_count{")
                    .append(labels)
                    .append("} ")
                    .append(cumulative)
                    .append('\n');
        }
    }
}
