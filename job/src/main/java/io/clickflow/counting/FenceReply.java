package io.clickflow.counting;

/**
 * One shard's reply to one partition's fence of a fresh read: what the shard had counted of the window when the
 * fence reached it (so everything the partition held before the fence), or that the window is settled (its state
 * is gone; its final row is what the table says).
 */
public class FenceReply {
    /** The read's id. */
    public String fence;
    /** The window, packed by {@code WindowKeys} (no shard). */
    public long windowKey;

    public int shard;
    /** How many replies the read's answer waits for: partitions times shards. */
    public int replies;
    /** The window was past its cleanup when the fence came: no count, the final row answers. */
    public boolean settled;
    /** Exact mode: the shard's distinct users. */
    public long users;
    /** HLL mode: the shard's sketch, compact; null without one. */
    public byte[] sketch;
    /** The shard's additive counters, absolute; null while there are none. */
    public long[] counters;

    public FenceReply() {}

    public FenceReply(String fence, long windowKey, int shard, int replies, boolean settled) {
        this.fence = fence;
        this.windowKey = windowKey;
        this.shard = shard;
        this.replies = replies;
        this.settled = settled;
    }

    @Override
    public String toString() {
        return "FenceReply{" + fence + " window " + windowKey + " shard " + shard + (settled ? " settled" : "")
                + " users " + users + "}";
    }
}
