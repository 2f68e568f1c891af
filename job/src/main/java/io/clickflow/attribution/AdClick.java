package io.clickflow.attribution;

import io.clickflow.decode.EventTimed;
import io.clickflow.tables.EventTimes;

import java.util.Objects;

/** An ad click: a user clicked an ad of a campaign at an event time (epoch milliseconds, UTC). */
public class AdClick implements EventTimed {
    public String clickId;
    public String userId;
    public String campaignId;
    public long eventTime;

    public AdClick() {}

    public AdClick(String clickId, String userId, String campaignId, long eventTime) {
        this.clickId = clickId;
        this.userId = userId;
        this.campaignId = campaignId;
        this.eventTime = eventTime;
    }

    @Override
    public long eventTimeMillis() {
        return eventTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdClick c
                && eventTime == c.eventTime
                && Objects.equals(clickId, c.clickId)
                && Objects.equals(userId, c.userId)
                && Objects.equals(campaignId, c.campaignId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clickId, userId, campaignId, eventTime);
    }

    @Override
    public String toString() {
        return "AdClick{" + clickId + ", user=" + userId + ", campaign=" + campaignId + ", t="
                + EventTimes.format(eventTime) + "}";
    }
}
