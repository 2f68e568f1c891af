package io.clickflow.attribution;

import io.clickflow.tables.LateEvent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Synthetic ad clicks and page views, deterministic for a seed: users pick events at random, event
 * time advances at a fixed rate with bounded disorder, and chosen fractions of records are late,
 * malformed or duplicated. Each event also carries what it means, so tests can compute the expected
 * result without the job's decoders.
 */
public final class ClickstreamGenerator {

    /** What to generate. */
    public record Config(
            long seed,
            int users,
            int campaigns,
            double clickRatio,
            long startTime,
            double eventsPerSecond,
            long maxDisorderMillis,
            double lateFraction,
            long lateByMillis,
            double malformedFraction,
            double duplicateFraction,
            long timeGranularityMillis) {

        public static Config defaults() {
            return new Config(
                    42,
                    1000,
                    20,
                    0.2,
                    Instant.parse("2024-01-01T00:00:00Z").toEpochMilli(),
                    1000,
                    3000,
                    0.0,
                    600_000,
                    0.0,
                    0.0,
                    1000);
        }

        public Config withSeed(long v) {
            return new Config(
                    v,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withUsers(int v) {
            return new Config(
                    seed,
                    v,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withClickRatio(double v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    v,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withStartTime(long v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    v,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withEventsPerSecond(double v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    v,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withMaxDisorderMillis(long v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    v,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withLateFraction(double v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    v,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withLateByMillis(long v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    v,
                    malformedFraction,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withMalformedFraction(double v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    v,
                    duplicateFraction,
                    timeGranularityMillis);
        }

        public Config withDuplicateFraction(double v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    v,
                    timeGranularityMillis);
        }

        public Config withTimeGranularityMillis(long v) {
            return new Config(
                    seed,
                    users,
                    campaigns,
                    clickRatio,
                    startTime,
                    eventsPerSecond,
                    maxDisorderMillis,
                    lateFraction,
                    lateByMillis,
                    malformedFraction,
                    duplicateFraction,
                    v);
        }
    }

    /**
     * One generated record: its stream ({@link LateEvent#AD_CLICK} or {@link LateEvent#PAGE_VIEW}), the
     * user it is keyed by, the JSON line, and what it means: the click or view, or neither when malformed.
     */
    public record Event(
            String stream, String userId, String json, AdClick click, PageView view, boolean late, boolean duplicate) {
        public boolean malformed() {
            return click == null && view == null;
        }

        public boolean isClick() {
            return LateEvent.AD_CLICK.equals(stream);
        }
    }

    private static final DateTimeFormatter WITH_OFFSET =
            DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.ofHours(2));
    private static final DateTimeFormatter NO_ZONE = DateTimeFormatter.ISO_LOCAL_DATE_TIME.withZone(ZoneOffset.UTC);

    private final Config config;
    private final SplittableRandom random;
    private long sequence;
    private Event pendingDuplicate;

    public ClickstreamGenerator(Config config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    /** The event time around which the next event is generated. */
    public long currentBaseTime() {
        return config.startTime() + (long) (sequence * 1000.0 / config.eventsPerSecond());
    }

    public Event next() {
        if (pendingDuplicate != null) {
            Event d = pendingDuplicate;
            pendingDuplicate = null;
            return d;
        }
        long base = currentBaseTime();
        long n = sequence++;
        boolean click = random.nextDouble() < config.clickRatio();
        String stream = click ? LateEvent.AD_CLICK : LateEvent.PAGE_VIEW;
        String user = "user-" + random.nextInt(config.users());
        if (random.nextDouble() < config.malformedFraction()) {
            return new Event(stream, user, malformed(click, user, base), null, null, false, false);
        }
        boolean late = random.nextDouble() < config.lateFraction();
        long time = late
                ? base
                        - config.maxDisorderMillis()
                        - config.lateByMillis()
                        - random.nextLong(Math.max(1, config.lateByMillis()))
                : Math.max(
                        config.startTime(),
                        base - (config.maxDisorderMillis() == 0 ? 0 : random.nextLong(config.maxDisorderMillis() + 1)));
        time -= Math.floorMod(time, config.timeGranularityMillis());
        Event event;
        if (click) {
            AdClick c = new AdClick("click-" + n, user, "campaign-" + random.nextInt(config.campaigns()), time);
            event = new Event(stream, user, clickJson(c), c, null, late, false);
        } else {
            PageView v =
                    new PageView("pv-" + n, user, time, n % 3 == 0 ? "/p/" + (n % 97) + "?q=\"x\"" : "/p/" + (n % 97));
            event = new Event(stream, user, viewJson(v, n), null, v, late, false);
        }
        if (random.nextDouble() < config.duplicateFraction()) {
            pendingDuplicate =
                    new Event(event.stream(), event.userId(), event.json(), event.click(), event.view(), late, true);
        }
        return event;
    }

    private String clickJson(AdClick c) {
        return "{\"click_id\":\"" + c.clickId + "\",\"user_id\":\"" + c.userId + "\",\"campaign_id\":\"" + c.campaignId
                + "\",\"event_time\":" + timeJson(c.eventTime) + "}";
    }

    private String viewJson(PageView v, long n) {
        // Key order varies and a nested object repeats a key name: decoders must read the root only.
        if (n % 3 == 0) {
            return "{\"event_time\":" + timeJson(v.eventTime) + ",\"url\":\"" + v.url.replace("\"", "\\\"") + "\","
                    + "\"context\":{\"user_id\":\"decoy\",\"tags\":[1,2,{\"event_time\":0}]},"
                    + "\"user_id\":\"" + v.userId + "\",\"page_view_id\":\"" + v.pageViewId + "\"}";
        }
        return "{\"page_view_id\":\"" + v.pageViewId + "\",\"user_id\":\"" + v.userId + "\",\"event_time\":"
                + timeJson(v.eventTime) + ",\"url\":\"" + v.url + "\",\"title\":\"caf\u00e9 \u2603\"}";
    }

    /** Every accepted form of event time, most often plain ISO-8601 UTC. */
    private String timeJson(long t) {
        int form = random.nextInt(20);
        switch (form) {
            case 0:
                return Long.toString(t);
            case 1:
                return "\"" + t + "\"";
            case 2:
                return "\"" + WITH_OFFSET.format(Instant.ofEpochMilli(t)) + "\"";
            case 3:
                return "\"" + NO_ZONE.format(Instant.ofEpochMilli(t)) + "\"";
            default:
                return "\"" + Instant.ofEpochMilli(t) + "\"";
        }
    }

    private String malformed(boolean click, String user, long time) {
        String id = click ? "click_id" : "page_view_id";
        String other = click ? ",\"campaign_id\":\"campaign-0\"" : "";
        switch (random.nextInt(8)) {
            case 0:
                return "this is not json";
            case 1:
                return "{\"" + id + "\":\"x\",\"user_id\":\"" + user + "\",\"event_time\":\""
                        + Instant.ofEpochMilli(time);
            case 2:
                return "{\"user_id\":\"" + user + "\"" + other + ",\"event_time\":\"" + Instant.ofEpochMilli(time)
                        + "\"}";
            case 3:
                return "{\"" + id + "\":\"bad-" + sequence + "\",\"user_id\":\"" + user + "\"" + other
                        + ",\"event_time\":\"yesterday\"}";
            case 4:
                return "{\"" + id + "\":\"bad-" + sequence + "\",\"user_id\":42" + other + ",\"event_time\":" + time
                        + "}";
            case 5:
                return "{\"" + id + "\":\"bad-" + sequence + "\",\"user_id\":\"  \"" + other + ",\"event_time\":" + time
                        + "}";
            case 6:
                return "[\"" + id + "\",\"" + user + "\"]";
            default:
                return "{\"" + id + "\":\"bad-" + sequence + "\",\"user_id\":\"" + user + "\"" + other
                        + ",\"event_time\":" + (time / 1000) + "}";
        }
    }
}
