package io.clickflow.uniques;

/** What the final stage holds of one window: the latest count of each shard, or the union of their sketches. */
public class WindowTotal {
    /** Exact mode: the latest count of each shard, indexed by shard. */
    public long[] shardUsers;
    /** HLL mode: the union of every sketch received, serialized. */
    public byte[] union;

    public ShardProgress progress = new ShardProgress();

    public WindowTotal() {}
}
