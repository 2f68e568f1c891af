package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.Database;
import io.clickflow.tables.EventTimes;
import io.clickflow.testing.ResultTables;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The attribution rule computed the obvious way over a whole input, independent of the job's code:
 * for every page view, scan every click of its user. Valid only for input without late records.
 */
public final class BruteForceAttribution {
    private BruteForceAttribution() {}

    /** The expected final row of one page view. */
    public record Expected(
            String pageViewId, String userId, long eventTime, String clickId, String campaignId, Long clickTime) {}

    /** Asserts that the stored table holds exactly the brute-force answer for the generated input: every view, final. */
    public static void assertTableMatches(GeneratedInput input, Map<String, ResultTables.Row> actual) {
        Map<String, Expected> expected =
                compute(input.clicks, input.views, Duration.ofMinutes(30).toMillis());
        assertThat(actual).hasSameSizeAs(expected);
        List<String> wrong = expected.values().stream()
                .filter(e -> !matches(e, actual.get(e.pageViewId())))
                .limit(5)
                .map(e -> e + " vs " + actual.get(e.pageViewId()))
                .toList();
        assertThat(wrong).as("rows differing from brute force (first 5)").isEmpty();
        long attributed =
                expected.values().stream().filter(e -> e.clickId() != null).count();
        assertThat(attributed).as("the input must exercise both outcomes").isBetween(1L, expected.size() - 1L);
    }

    public static void assertTableMatches(GeneratedInput input, Database db) throws Exception {
        assertTableMatches(input, ResultTables.attributed(db));
    }

    static boolean matches(Expected e, ResultTables.Row row) {
        return row != null
                && row.isFinal()
                && row.userId().equals(e.userId())
                && row.eventTime().equals(EventTimes.format(e.eventTime()))
                && Objects.equals(row.clickId(), e.clickId())
                && Objects.equals(row.campaignId(), e.campaignId())
                && Objects.equals(row.clickTime(), e.clickTime() == null ? null : EventTimes.format(e.clickTime()));
    }

    public static Map<String, Expected> compute(List<AdClick> clicks, List<PageView> views, long windowMillis) {
        Map<String, List<AdClick>> clicksByUser = new HashMap<>();
        Map<String, Boolean> seenClicks = new HashMap<>();
        for (AdClick c : clicks) {
            if (seenClicks.putIfAbsent(c.clickId, true) == null) {
                clicksByUser.computeIfAbsent(c.userId, u -> new ArrayList<>()).add(c);
            }
        }
        Map<String, Expected> expected = new LinkedHashMap<>();
        for (PageView v : views) {
            if (expected.containsKey(v.pageViewId)) {
                continue;
            }
            AdClick best = null;
            for (AdClick c : clicksByUser.getOrDefault(v.userId, List.of())) {
                boolean eligible = c.eventTime >= v.eventTime - windowMillis && c.eventTime <= v.eventTime;
                if (!eligible) {
                    continue;
                }
                if (best == null
                        || c.eventTime > best.eventTime
                        || (c.eventTime == best.eventTime && c.clickId.compareTo(best.clickId) > 0)) {
                    best = c;
                }
            }
            expected.put(
                    v.pageViewId,
                    new Expected(
                            v.pageViewId,
                            v.userId,
                            v.eventTime,
                            best == null ? null : best.clickId,
                            best == null ? null : best.campaignId,
                            best == null ? null : best.eventTime));
        }
        return expected;
    }
}
