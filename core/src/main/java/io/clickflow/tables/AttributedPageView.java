package io.clickflow.tables;

import java.util.Objects;

/**
 * One row of {@code attributed_page_views}: a page view and the click it is attributed to (or none),
 * provisional ({@code isFinal == false}, update mode only) or final.
 */
public class AttributedPageView {
    public String pageViewId;
    public String userId;
    public long eventTime;
    /** The page view's URL; null when its record had none. */
    public String url;
    /** Null when no click is eligible. */
    public String campaignId;
    /** Null when no click is eligible. */
    public String clickId;
    /** Null when no click is eligible. */
    public Long clickTime;

    public boolean isFinal;

    public AttributedPageView() {}

    public AttributedPageView(
            String pageViewId,
            String userId,
            long eventTime,
            String url,
            String campaignId,
            String clickId,
            Long clickTime,
            boolean isFinal) {
        this.pageViewId = pageViewId;
        this.userId = userId;
        this.eventTime = eventTime;
        this.url = url;
        this.campaignId = campaignId;
        this.clickId = clickId;
        this.clickTime = clickTime;
        this.isFinal = isFinal;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributedPageView r
                && eventTime == r.eventTime
                && isFinal == r.isFinal
                && Objects.equals(pageViewId, r.pageViewId)
                && Objects.equals(userId, r.userId)
                && Objects.equals(url, r.url)
                && Objects.equals(campaignId, r.campaignId)
                && Objects.equals(clickId, r.clickId)
                && Objects.equals(clickTime, r.clickTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pageViewId, userId, eventTime, url, campaignId, clickId, clickTime, isFinal);
    }

    @Override
    public String toString() {
        return pageViewId + "|" + userId + "|" + EventTimes.format(eventTime) + "|" + campaignId + "|" + clickId + "|"
                + (clickTime == null ? null : EventTimes.format(clickTime)) + "|" + (isFinal ? "final" : "provisional");
    }
}
