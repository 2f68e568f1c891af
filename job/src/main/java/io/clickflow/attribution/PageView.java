package io.clickflow.attribution;

import io.clickflow.decode.EventTimed;
import io.clickflow.tables.EventTimes;

import java.util.Objects;

/** A page view of a user at an event time (epoch milliseconds, UTC) and its URL if it had one; other input fields are not kept. */
public class PageView implements EventTimed {
    public String pageViewId;
    public String userId;
    public long eventTime;
    /** Null when the input had none. */
    public String url;

    public PageView() {}

    public PageView(String pageViewId, String userId, long eventTime) {
        this(pageViewId, userId, eventTime, null);
    }

    public PageView(String pageViewId, String userId, long eventTime, String url) {
        this.pageViewId = pageViewId;
        this.userId = userId;
        this.eventTime = eventTime;
        this.url = url;
    }

    @Override
    public long eventTimeMillis() {
        return eventTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageView v
                && eventTime == v.eventTime
                && Objects.equals(pageViewId, v.pageViewId)
                && Objects.equals(userId, v.userId)
                && Objects.equals(url, v.url);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pageViewId, userId, eventTime, url);
    }

    @Override
    public String toString() {
        return "PageView{" + pageViewId + ", user=" + userId + ", t=" + EventTimes.format(eventTime) + "}";
    }
}
