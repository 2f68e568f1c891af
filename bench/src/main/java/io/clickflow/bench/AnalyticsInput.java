package io.clickflow.bench;

import io.clickflow.analytics.AnalyticsTraffic;
import io.clickflow.analytics.UserAction;
import io.clickflow.tables.AnalyticsEvent;
import io.clickflow.tables.AnalyticsTables;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The analytics bench's input: events as the API's users send them, made by the demo's load generator ({@link
 * AnalyticsTraffic}: users user-0 to user-N, 10% clicks, current events up to 1 s out of order, a share 1-3 hours
 * old) while its clock advances evenly over a span of hours from 2024-01-01T00:00Z; a share carrying an idempotency
 * key, and a share of those written twice in a row (a client retrying a POST whose answer it lost), each as the API
 * servers write it. Keeps, per hour, what the exact job should count and what the SQL peer counts differently.
 */
final class AnalyticsInput {
    static final long START = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    /** The demo's load's share of clicks. */
    static final double CLICK_RATIO = 0.1;
    /** The demo's load's disorder: within the jobs' default out-of-orderness (5 s), so no current event is late. */
    static final int DISORDER_MILLIS = 1_000;

    /** What the input is made of: the bench's options. */
    record Shape(long records, int users, int hours, double historic, double keyed, double retries) {}

    private final Shape shape;
    private final AnalyticsTraffic traffic;
    private long written;
    /** The event to write again next: a retry. */
    private UserAction retry;

    /** The distinct users, clicks and impressions of each hour, a retry counted once: the exact job's answer. */
    final AnalyticsTraffic.Tally counts = new AnalyticsTraffic.Tally();
    /** By hour key: clicks and impressions written again (retries), which the peer counts again unless late. */
    final Map<String, long[]> retried = new TreeMap<>();
    /** By hour key: events older than the disorder allows ({@code historic}), which the peer may drop as late. */
    final Map<String, Long> historic = new TreeMap<>();

    AnalyticsInput(Shape shape) {
        this.shape = shape;
        this.traffic = new AnalyticsTraffic(42, shape.users(), CLICK_RATIO, shape.historic(), DISORDER_MILLIS);
    }

    /** The next record: a new event, or the one before again. */
    UserAction next() {
        written++;
        if (retry != null) {
            UserAction again = retry;
            retry = null;
            return again;
        }
        long now = START + (long) ((double) written * shape.hours() * AnalyticsTables.HOUR_MILLIS / shape.records());
        UserAction e = traffic.next(now);
        counts.add(e);
        String hour = AnalyticsTables.hourKey(e.eventTime);
        if (e.eventTime <= now - DISORDER_MILLIS) {
            historic.merge(hour, 1L, Long::sum);
        }
        if (traffic.nextDouble() < shape.keyed()) {
            e.id = "k" + written;
            if (traffic.nextDouble() < shape.retries() && written < shape.records()) {
                retry = e;
                retried.computeIfAbsent(hour, h -> new long[2])[e.click ? 0 : 1]++;
            }
        }
        return e;
    }

    /** The hours' counts as the table keys and holds them: unique users, clicks, impressions. */
    Map<String, List<Long>> expected() {
        Map<String, List<Long>> hours = new TreeMap<>();
        counts.perHour()
                .forEach((hour, h) ->
                        hours.put(AnalyticsTables.hourKey(hour), List.of(h.users(), h.clicks(), h.impressions())));
        return hours;
    }

    /** Events written twice. */
    long retries() {
        return retried.values().stream().mapToLong(r -> r[0] + r[1]).sum();
    }

    /** A record as the API servers write it. */
    static String json(UserAction e) {
        return AnalyticsEvent.json(e.user, e.eventTime, e.click, e.id);
    }
}
