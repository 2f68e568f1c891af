package io.clickflow.tables;

import java.util.Objects;

/**
 * One row of {@code analytics_fresh}: the job's answer to one fresh read (its fence id), the hour's counts covering
 * every event written to the topic before the read's fences; or, when {@code settled}, the word that the hour's
 * final row in {@code hourly_stats} is the answer.
 */
public class FreshStats {
    public String fence;
    public long hourStart;
    public long uniqueUsers;
    public long clicks;
    public long impressions;
    public boolean settled;
    /** When the job completed the answer (epoch milliseconds); retention ages rows by it. */
    public long answeredAt;

    public FreshStats() {}

    public FreshStats(
            String fence,
            long hourStart,
            long uniqueUsers,
            long clicks,
            long impressions,
            boolean settled,
            long answeredAt) {
        this.fence = fence;
        this.hourStart = hourStart;
        this.uniqueUsers = uniqueUsers;
        this.clicks = clicks;
        this.impressions = impressions;
        this.settled = settled;
        this.answeredAt = answeredAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FreshStats f
                && hourStart == f.hourStart
                && uniqueUsers == f.uniqueUsers
                && clicks == f.clicks
                && impressions == f.impressions
                && settled == f.settled
                && answeredAt == f.answeredAt
                && Objects.equals(fence, f.fence);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fence, hourStart, uniqueUsers, clicks, impressions);
    }

    @Override
    public String toString() {
        return "FreshStats{" + fence + " " + EventTimes.format(hourStart) + " users=" + uniqueUsers + " clicks="
                + clicks + " impressions=" + impressions + (settled ? " settled" : "") + "}";
    }
}
