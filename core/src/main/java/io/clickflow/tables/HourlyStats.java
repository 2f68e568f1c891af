package io.clickflow.tables;

import java.util.Objects;

/** One row of {@code hourly_stats}: the unique users, clicks and impressions of one UTC hour, provisional or final. */
public class HourlyStats {
    public long hourStart;
    /** Exclusive. */
    public long hourEnd;

    public long uniqueUsers;
    public long clicks;
    public long impressions;
    public boolean isFinal;

    public HourlyStats() {}

    public HourlyStats(long hourStart, long uniqueUsers, long clicks, long impressions, boolean isFinal) {
        this.hourStart = hourStart;
        this.hourEnd = hourStart + AnalyticsTables.HOUR_MILLIS;
        this.uniqueUsers = uniqueUsers;
        this.clicks = clicks;
        this.impressions = impressions;
        this.isFinal = isFinal;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HourlyStats h
                && hourStart == h.hourStart
                && hourEnd == h.hourEnd
                && uniqueUsers == h.uniqueUsers
                && clicks == h.clicks
                && impressions == h.impressions
                && isFinal == h.isFinal;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hourStart, uniqueUsers, clicks, impressions, isFinal);
    }

    @Override
    public String toString() {
        return "HourlyStats{" + EventTimes.format(hourStart) + " users=" + uniqueUsers + " clicks=" + clicks
                + " impressions=" + impressions + (isFinal ? " final" : " provisional") + "}";
    }
}
