package io.clickflow.analytics;

import io.clickflow.tables.AnalyticsTables;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Generated analytics events as users of the API send them: a pool of users, a share of clicks, most events now (within
 * a few seconds of disorder) and a share in the hours before, which the job still corrects; with the requests that
 * carry them and the brute-force answer per hour ({@link Tally}).
 */
public final class AnalyticsTraffic {
    /** Historic events fall in one of this many hours before the current one: well within the job's allowed lateness. */
    public static final int HISTORIC_HOURS = 3;

    static final long HOUR = AnalyticsTables.HOUR_MILLIS;

    private final Random random;
    private final int users;
    private final double clickRatio;
    private final double historicFraction;
    private final int disorderMillis;
    private final IntFunction<String> userName;

    /**
     * @param users the pool's size
     * @param clickRatio the share of clicks; the rest are impressions
     * @param historicFraction the share of events in one of the {@link #HISTORIC_HOURS} hours before the current one
     * @param disorderMillis how far before now a current event may be
     * @param userName the name of user i
     */
    public AnalyticsTraffic(
            long seed,
            int users,
            double clickRatio,
            double historicFraction,
            int disorderMillis,
            IntFunction<String> userName) {
        this.random = new Random(seed);
        this.users = users;
        this.clickRatio = clickRatio;
        this.historicFraction = historicFraction;
        this.disorderMillis = disorderMillis;
        this.userName = userName;
    }

    /** Users named user-0, user-1, ... */
    public AnalyticsTraffic(long seed, int users, double clickRatio, double historicFraction, int disorderMillis) {
        this(seed, users, clickRatio, historicFraction, disorderMillis, i -> "user-" + i);
    }

    /** The next event when the clock shows {@code now}. */
    public UserAction next(long now) {
        long t = random.nextDouble() < historicFraction
                ? hourOf(now) - (1 + random.nextInt(HISTORIC_HOURS)) * HOUR + random.nextInt((int) HOUR)
                : now - (disorderMillis > 0 ? random.nextInt(disorderMillis) : 0);
        String user = userName.apply(random.nextInt(users));
        return new UserAction(user, t, random.nextDouble() < clickRatio);
    }

    /** A uniform pick in [0, 1), for a caller's own choices drawn from the same seed. */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** The query of the POST that carries {@code e}. */
    public static String postQuery(UserAction e) {
        return "timestamp=" + e.eventTime + "&user=" + URLEncoder.encode(e.user, StandardCharsets.UTF_8)
                + (e.click ? "&click" : "&impression");
    }

    /** The query of the GET of the hour {@code timestamp} falls in. */
    public static String getQuery(long timestamp) {
        return "timestamp=" + timestamp;
    }

    public static long hourOf(long millis) {
        return Math.floorDiv(millis, HOUR) * HOUR;
    }

    /** The counts of one hour, as a GET answers them. */
    public record Hour(long users, long clicks, long impressions) {
        public static final Hour EMPTY = new Hour(0, 0, 0);

        /** Both counts together, for another set of users than this one's (distinct users add up). */
        public Hour plus(Hour other) {
            return new Hour(users + other.users, clicks + other.clicks, impressions + other.impressions);
        }

        /** The body of a GET's answer. */
        public String body() {
            return "unique_users," + users + "\nclicks," + clicks + "\nimpressions," + impressions + "\n";
        }

        /** A GET's answer read back, or null when it is not one. */
        public static Hour parse(String body) {
            Map<String, Long> values = new HashMap<>();
            for (String line : body.split("\n")) {
                int comma = line.indexOf(',');
                if (comma > 0) {
                    try {
                        values.put(
                                line.substring(0, comma),
                                Long.parseLong(line.substring(comma + 1).strip()));
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            Long u = values.get("unique_users");
            Long c = values.get("clicks");
            Long i = values.get("impressions");
            return u == null || c == null || i == null ? null : new Hour(u, c, i);
        }
    }

    /** The brute-force count per hour of the events added: distinct users, clicks, impressions; thread-safe. */
    public static final class Tally {
        private final Map<Long, Set<String>> users = new TreeMap<>();
        private final Map<Long, long[]> actions = new TreeMap<>();

        public synchronized void add(UserAction e) {
            long hour = hourOf(e.eventTime);
            users.computeIfAbsent(hour, h -> new HashSet<>()).add(e.user);
            actions.computeIfAbsent(hour, h -> new long[2])[e.click ? 0 : 1]++;
        }

        /** Hour start (epoch millis) to its counts, in time order. */
        public synchronized Map<Long, Hour> perHour() {
            Map<Long, Hour> out = new TreeMap<>();
            users.forEach((hour, u) -> out.put(hour, hour(hour)));
            return out;
        }

        /** The counts of the hour starting at {@code hourStart}; zeros when nothing was added to it. */
        public synchronized Hour hour(long hourStart) {
            Set<String> u = users.get(hourStart);
            long[] a = actions.get(hourStart);
            return u == null ? Hour.EMPTY : new Hour(u.size(), a[0], a[1]);
        }
    }
}
