package io.clickflow.uniques;

import io.clickflow.counting.Progress;

/**
 * Bookkeeping of one window's shard (or one window) between emissions; a POJO for Flink state. Uniques' own
 * {@link Progress} class: savepoints name it, so it stays here (counters added as new POJO fields).
 */
public class ShardProgress implements Progress {
    /** Distinct users now (HLL: the rounded estimate). */
    public long users;
    /** Users in the last emitted count; -1: nothing emitted yet. */
    public long emittedUsers = -1;
    /** Update mode: a processing-time timer is registered for the next provisional count. */
    public boolean updateScheduled;
    /** The additive counters (none in uniques: null). */
    public long[] counters;
    /** The sum of the counters last emitted. */
    public long emittedCounterSum;

    public ShardProgress() {}

    @Override
    public long users() {
        return users;
    }

    @Override
    public void users(long users) {
        this.users = users;
    }

    @Override
    public long emittedUsers() {
        return emittedUsers;
    }

    @Override
    public void emittedUsers(long users) {
        this.emittedUsers = users;
    }

    @Override
    public boolean updateScheduled() {
        return updateScheduled;
    }

    @Override
    public void updateScheduled(boolean scheduled) {
        this.updateScheduled = scheduled;
    }

    @Override
    public long[] counters() {
        return counters;
    }

    @Override
    public void counters(long[] counters) {
        this.counters = counters;
    }

    @Override
    public long emittedCounterSum() {
        return emittedCounterSum;
    }

    @Override
    public void emittedCounterSum(long sum) {
        this.emittedCounterSum = sum;
    }
}
