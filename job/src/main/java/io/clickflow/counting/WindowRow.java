package io.clickflow.counting;

import java.io.Serializable;

/** Makes a job's output row from a window's counts (each job has its own table). */
@FunctionalInterface
public interface WindowRow<R> extends Serializable {
    /**
     * @param lower the users' ~95% lower bound (HLL), {@code users} when exact; {@code upper} likewise
     * @param counters the window's additive counters; all zero (never null) when it has none
     */
    R row(long start, long end, long users, long lower, long upper, long[] counters, boolean isFinal);
}
