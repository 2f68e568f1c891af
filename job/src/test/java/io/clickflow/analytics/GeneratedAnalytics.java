package io.clickflow.analytics;

import io.clickflow.io.LineFiles;
import io.clickflow.tables.AnalyticsEvent;
import io.clickflow.tables.AnalyticsTables;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Analytics events as API servers write them: time advancing, a few seconds of disorder, 5% historic events (one to
 * three hours before the current time), some malformed lines; and the brute-force answer per hour.
 */
public final class GeneratedAnalytics {
    /** Malformed records, one of each kind of rejection. */
    static final String[] MALFORMED = {
        "{\"user\":\"u1\",\"timestamp\":1704067200000,\"action\":\"purchase\"}",
        "{\"timestamp\":1704067200000,\"action\":\"click\"}",
        "{\"user\":\"u1\",\"timestamp\":\"1704067200000\",\"action\":\"click\"}",
        "{\"user\":\"u1\",\"action\":\"click\"}",
        "not json",
        "{\"user\":\"u1\",\"timestamp\":1704067200000,\"action\":null}"
    };

    /** The lines, in order; null entries in {@link #events} mark the malformed ones. */
    public final List<String> lines = new ArrayList<>();

    public final List<UserAction> events = new ArrayList<>();
    /** {@code file name + ":" + line number} of every malformed line, once written. */
    public final Set<String> malformedPositions = new HashSet<>();

    public Path file;

    /** The brute-force count of one hour. */
    public record Hour(long users, long clicks, long impressions) {}

    /**
     * @param eventsPerSecond how fast event time advances
     * @param historicFraction the share of events one to three hours in the past
     * @param malformedEvery a malformed line after every n-th event (0: none)
     */
    public static GeneratedAnalytics generate(
            long seed,
            int count,
            int users,
            long startMillis,
            double eventsPerSecond,
            double historicFraction,
            int malformedEvery) {
        GeneratedAnalytics g = new GeneratedAnalytics();
        Random random = new Random(seed);
        for (int i = 1; i <= count; i++) {
            long now = startMillis + (long) (i * 1000 / eventsPerSecond);
            long t = now - random.nextInt(3000); // disorder within the out-of-orderness
            if (random.nextDouble() < historicFraction) {
                t = now - (1 + random.nextInt(3)) * AnalyticsTables.HOUR_MILLIS - random.nextInt(3_600_000);
            }
            UserAction e = new UserAction("user-" + random.nextInt(users), t, random.nextInt(4) == 0);
            g.lines.add(AnalyticsEvent.json(e.user, e.eventTime, e.click));
            g.events.add(e);
            if (malformedEvery > 0 && i % malformedEvery == 0) {
                g.lines.add(MALFORMED[(i / malformedEvery) % MALFORMED.length]);
                g.events.add(null);
            }
        }
        return g;
    }

    public GeneratedAnalytics writeFile(Path file) throws IOException {
        this.file = file;
        try (BufferedWriter w = LineFiles.writer(file)) {
            for (int i = 0; i < lines.size(); i++) {
                w.write(lines.get(i));
                w.write('\n');
                if (events.get(i) == null) {
                    malformedPositions.add(file.getFileName() + ":" + (i + 1));
                }
            }
        }
        return this;
    }

    public int malformed() {
        return (int) events.stream().filter(e -> e == null).count();
    }

    /** Brute force: hour start (the table's key) -> distinct users, clicks, impressions. */
    public Map<String, Hour> perHour() {
        Map<String, Set<String>> users = new TreeMap<>();
        Map<String, long[]> counts = new TreeMap<>();
        for (UserAction e : events) {
            if (e == null) {
                continue;
            }
            String hour = AnalyticsTables.hourKey(e.eventTime);
            users.computeIfAbsent(hour, h -> new HashSet<>()).add(e.user);
            counts.computeIfAbsent(hour, h -> new long[2])[e.click ? 0 : 1]++;
        }
        Map<String, Hour> out = new TreeMap<>();
        users.forEach((hour, u) -> out.put(hour, new Hour(u.size(), counts.get(hour)[0], counts.get(hour)[1])));
        return out;
    }
}
