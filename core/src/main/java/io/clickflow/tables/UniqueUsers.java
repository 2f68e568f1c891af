package io.clickflow.tables;

import java.util.Objects;

/** The distinct users of one tumbling event-time window, provisional or final, with its error bounds. */
public class UniqueUsers {
    public long windowStart;
    /** Exclusive. */
    public long windowEnd;

    public long windowSeconds;
    public long uniqueUsers;
    /** Bounds of the true count at about 95% confidence (HLL); both equal uniqueUsers when counted exactly. */
    public long lowerBound;

    public long upperBound;
    public boolean isFinal;

    public UniqueUsers() {}

    public UniqueUsers(
            long windowStart, long windowEnd, long uniqueUsers, long lowerBound, long upperBound, boolean isFinal) {
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.windowSeconds = (windowEnd - windowStart) / 1000;
        this.uniqueUsers = uniqueUsers;
        this.lowerBound = lowerBound;
        this.upperBound = upperBound;
        this.isFinal = isFinal;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UniqueUsers u
                && windowStart == u.windowStart
                && windowEnd == u.windowEnd
                && windowSeconds == u.windowSeconds
                && uniqueUsers == u.uniqueUsers
                && lowerBound == u.lowerBound
                && upperBound == u.upperBound
                && isFinal == u.isFinal;
    }

    @Override
    public int hashCode() {
        return Objects.hash(windowStart, windowEnd, uniqueUsers, isFinal);
    }

    @Override
    public String toString() {
        return "UniqueUsers{" + EventTimes.format(windowStart) + " +" + windowSeconds + "s: " + uniqueUsers
                + (lowerBound == upperBound ? "" : " [" + lowerBound + ", " + upperBound + "]")
                + (isFinal ? " final" : " provisional") + "}";
    }
}
