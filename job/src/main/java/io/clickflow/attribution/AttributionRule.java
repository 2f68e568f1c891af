package io.clickflow.attribution;

import io.clickflow.tables.TextOrder;

/** The last-touch rule, in one place: which clicks are eligible for a page view and which one wins. */
public final class AttributionRule {
    private AttributionRule() {}

    /** Click time within {@code [viewTime - window, viewTime]}, both bounds inclusive. */
    public static boolean isEligible(long clickTime, long viewTime, long windowMillis) {
        return clickTime <= viewTime && clickTime >= viewTime - windowMillis;
    }

    /** True when {@code candidate} beats {@code current}: later event time, ties to the greater click id. */
    public static boolean isBetter(AdClick candidate, AdClick current) {
        if (current == null) {
            return true;
        }
        if (candidate.eventTime != current.eventTime) {
            return candidate.eventTime > current.eventTime;
        }
        return TextOrder.compare(candidate.clickId, current.clickId) > 0;
    }
}
