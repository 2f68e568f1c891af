package io.clickflow.counting;

/**
 * What the per-window stage keeps of one window: the latest count of each shard (or the union of their sketches)
 * and the latest counters of each shard. An interface for the same reason as {@link Progress}.
 */
public interface Total<P extends Progress> {
    /** The window's totals now and what was emitted of them. */
    P progress();

    /** Exact mode: the latest count of each shard, indexed by shard; null until the first. */
    long[] shardUsers();

    void shardUsers(long[] shardUsers);

    /** HLL mode: the union of every sketch received, serialized; null until the first. */
    byte[] union();

    void union(byte[] union);

    /** The latest counters of each shard, shard after shard ({@code shard * counters + i}); null without counters. */
    long[] shardCounters();

    void shardCounters(long[] shardCounters);
}
