package io.clickflow.testing;

import io.clickflow.records.AdClick;
import io.clickflow.records.PageView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attribution rule computed the obvious way over a whole input, independent of the job's code:
 * for every page view, scan every click of its user. Valid only for input without late records.
 */
public final class BruteForceAttribution {
    private BruteForceAttribution() {}

    /** The expected final row of one page view. */
    public record Expected(String pageViewId, String userId, long eventTime, String clickId, String campaignId, Long clickTime) {}

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
                if (best == null || c.eventTime > best.eventTime
                        || (c.eventTime == best.eventTime && c.clickId.compareTo(best.clickId) > 0)) {
                    best = c;
                }
            }
            expected.put(v.pageViewId, new Expected(v.pageViewId, v.userId, v.eventTime,
                    best == null ? null : best.clickId, best == null ? null : best.campaignId, best == null ? null : best.eventTime));
        }
        return expected;
    }
}
