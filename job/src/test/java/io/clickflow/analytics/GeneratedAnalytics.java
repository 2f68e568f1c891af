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
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Analytics events as API servers write them ({@link AnalyticsTraffic}): time advancing, a few seconds of disorder,
 * historic events in the hours before, some malformed lines; and the brute-force answer per hour.
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

    static final double CLICK_RATIO = 0.25;
    /** Disorder of current events, within the job's out-of-orderness. */
    static final int DISORDER_MILLIS = 3000;

    /** The lines, in order; null entries in {@link #events} mark the malformed ones. */
    public final List<String> lines = new ArrayList<>();

    public final List<UserAction> events = new ArrayList<>();
    /** {@code file name + ":" + line number} of every malformed line, once written. */
    public final Set<String> malformedPositions = new HashSet<>();

    public Path file;

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
        AnalyticsTraffic traffic = new AnalyticsTraffic(seed, users, CLICK_RATIO, historicFraction, DISORDER_MILLIS);
        for (int i = 1; i <= count; i++) {
            UserAction e = traffic.next(startMillis + (long) (i * 1000 / eventsPerSecond));
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
    public Map<String, AnalyticsTraffic.Hour> perHour() {
        AnalyticsTraffic.Tally tally = new AnalyticsTraffic.Tally();
        events.stream().filter(Objects::nonNull).forEach(tally::add);
        Map<String, AnalyticsTraffic.Hour> out = new TreeMap<>();
        tally.perHour().forEach((hour, counts) -> out.put(AnalyticsTables.hourKey(hour), counts));
        return out;
    }
}
