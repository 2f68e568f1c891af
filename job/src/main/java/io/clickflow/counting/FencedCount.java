package io.clickflow.counting;

import java.util.Arrays;

/** A fresh read's answer: the window's count covering every event written to the topic before the read's fences. */
public class FencedCount {
    public String fence;
    public long windowStart;
    public long users;
    /** The window's additive counters; zeros when there are none. */
    public long[] counters;
    /** The window is settled: the answer is its final row in the table, not this count. */
    public boolean settled;
    /** When the answer was complete (processing time, epoch milliseconds). */
    public long answeredAt;

    public FencedCount() {}

    public FencedCount(String fence, long windowStart, long users, long[] counters, boolean settled, long answeredAt) {
        this.fence = fence;
        this.windowStart = windowStart;
        this.users = users;
        this.counters = counters;
        this.settled = settled;
        this.answeredAt = answeredAt;
    }

    @Override
    public String toString() {
        return "FencedCount{" + fence + " users " + users + " counters " + Arrays.toString(counters)
                + (settled ? " settled" : "") + "}";
    }
}
