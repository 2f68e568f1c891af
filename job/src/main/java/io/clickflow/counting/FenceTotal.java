package io.clickflow.counting;

/** What {@link FenceTotals} holds of one fresh read until every shard of every partition has replied. */
public class FenceTotal {
    /** Replies so far. */
    public int replies;

    public long windowKey;
    /** Any shard found the window settled. */
    public boolean settled;
    /** Exact mode: each shard's distinct users in its latest reply. */
    public long[] shardUsers;
    /** HLL mode: the union of the shards' sketches. */
    public byte[] union;
    /** Each shard's counters in its latest reply, shard by shard. */
    public long[] shardCounters;
    /** When the read is given up if it is still incomplete (processing time). */
    public long expiresAt;

    public FenceTotal() {}
}
