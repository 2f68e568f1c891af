package io.clickflow.attribution;

import java.util.Arrays;

/**
 * Everything the attribution function keeps for one user, in one value: read and written once per
 * event, which on RocksDB is one lookup and one write instead of a prefix scan per map.
 */
public class UserAttributionState {
    private static final AdClick[] NO_CLICKS = new AdClick[0];
    private static final PendingPageView[] NO_VIEWS = new PendingPageView[0];

    /** Clicks the watermark has not passed yet. */
    public AdClick[] recentClicks = NO_CLICKS;
    /** The best click the watermark has passed, until it expires; null if none. */
    public AdClick settledClick;
    /** Views the watermark has not passed yet, with their best click so far. */
    public PendingPageView[] pendingViews = NO_VIEWS;

    public UserAttributionState() {}

    boolean isEmpty() {
        return recentClicks.length == 0 && settledClick == null && pendingViews.length == 0;
    }

    boolean holdsClick(String clickId) {
        if (settledClick != null && settledClick.clickId.equals(clickId)) {
            return true;
        }
        for (AdClick c : recentClicks) {
            if (c.clickId.equals(clickId)) {
                return true;
            }
        }
        return false;
    }

    boolean holdsView(String pageViewId) {
        for (PendingPageView p : pendingViews) {
            if (p.view.pageViewId.equals(pageViewId)) {
                return true;
            }
        }
        return false;
    }

    void addRecentClick(AdClick click) {
        recentClicks = Arrays.copyOf(recentClicks, recentClicks.length + 1);
        recentClicks[recentClicks.length - 1] = click;
    }

    void addPendingView(PendingPageView pending) {
        pendingViews = Arrays.copyOf(pendingViews, pendingViews.length + 1);
        pendingViews[pendingViews.length - 1] = pending;
    }

    /** Null arrays come back from serializers of older or hand-built values; treat them as empty. */
    void normalize() {
        if (recentClicks == null) {
            recentClicks = NO_CLICKS;
        }
        if (pendingViews == null) {
            pendingViews = NO_VIEWS;
        }
    }
}
