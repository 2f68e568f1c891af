package io.clickflow.functions;

import io.clickflow.records.AdClick;

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
        return compareIds(candidate.clickId, current.clickId) > 0;
    }

    /**
     * Compares ids by Unicode code point, which is the byte order of their UTF-8 form: the same order
     * SQLite's BINARY collation (and PostgreSQL's {@code COLLATE "C"}) uses in the sink's guard.
     */
    public static int compareIds(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
