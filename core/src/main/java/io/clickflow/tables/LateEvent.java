package io.clickflow.tables;

import java.util.Objects;

/** An event that arrived when the operator's watermark had already passed its event time. */
public class LateEvent {
    public static final String AD_CLICK = "ad_click";
    public static final String PAGE_VIEW = "page_view";

    /** {@link #AD_CLICK} or {@link #PAGE_VIEW}. */
    public String stream;

    public String eventId;
    public String userId;
    public long eventTime;
    /** The operator's watermark when the event arrived. */
    public long watermark;

    public LateEvent() {}

    public LateEvent(String stream, String eventId, String userId, long eventTime, long watermark) {
        this.stream = stream;
        this.eventId = eventId;
        this.userId = userId;
        this.eventTime = eventTime;
        this.watermark = watermark;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LateEvent l
                && eventTime == l.eventTime
                && watermark == l.watermark
                && Objects.equals(stream, l.stream)
                && Objects.equals(eventId, l.eventId)
                && Objects.equals(userId, l.userId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, eventId, userId, eventTime, watermark);
    }

    @Override
    public String toString() {
        return "LateEvent{" + stream + " " + eventId + " t=" + EventTimes.format(eventTime) + " wm="
                + EventTimes.format(watermark) + "}";
    }
}
