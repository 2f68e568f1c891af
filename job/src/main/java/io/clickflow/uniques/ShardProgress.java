package io.clickflow.uniques;

/** Bookkeeping of one window's shard (or one window) between emissions; a POJO for Flink state. */
public class ShardProgress {
    /** Distinct users now (HLL: the rounded estimate). */
    public long users;
    /** Users in the last emitted count; -1: nothing emitted yet. */
    public long emittedUsers = -1;
    /** Update mode: a processing-time timer is registered for the next provisional count. */
    public boolean updateScheduled;

    public ShardProgress() {}

    boolean changedSinceEmitted() {
        return users != emittedUsers;
    }
}
