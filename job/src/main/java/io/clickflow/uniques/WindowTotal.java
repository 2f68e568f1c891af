package io.clickflow.uniques;

import io.clickflow.counting.Total;

/**
 * What the final stage holds of one window: the latest count of each shard, or the union of their sketches.
 * Uniques' own {@link Total} class: savepoints name it, so it stays here.
 */
public class WindowTotal implements Total<ShardProgress> {
    /** Exact mode: the latest count of each shard, indexed by shard. */
    public long[] shardUsers;
    /** HLL mode: the union of every sketch received, serialized. */
    public byte[] union;
    /** The latest counters of each shard (none in uniques: null). */
    public long[] shardCounters;

    public ShardProgress progress = new ShardProgress();

    public WindowTotal() {}

    @Override
    public ShardProgress progress() {
        return progress;
    }

    @Override
    public long[] shardUsers() {
        return shardUsers;
    }

    @Override
    public void shardUsers(long[] shardUsers) {
        this.shardUsers = shardUsers;
    }

    @Override
    public byte[] union() {
        return union;
    }

    @Override
    public void union(byte[] union) {
        this.union = union;
    }

    @Override
    public long[] shardCounters() {
        return shardCounters;
    }

    @Override
    public void shardCounters(long[] shardCounters) {
        this.shardCounters = shardCounters;
    }
}
