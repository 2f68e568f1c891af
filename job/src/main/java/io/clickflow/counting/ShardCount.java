package io.clickflow.counting;

import java.util.Arrays;

/**
 * What one shard of a window knows: its distinct users (exact count, or an HLL sketch of them) and its
 * additive counters. A newer ShardCount of a shard replaces the older one (all are absolute); shards
 * partition the users, so the window's total is the sum of the shards' counts, or the union of their
 * sketches, and the sum of their counters.
 */
public class ShardCount {
    /** The window, packed by {@code WindowKeys} (no shard). */
    public long windowKey;

    public int shard;
    /** Exact mode: the shard's distinct users. */
    public long users;
    /** HLL mode: the shard's sketch, compact; null in exact mode. */
    public byte[] sketch;
    /** The shard's additive counters, absolute; null when the count has none. */
    public long[] counters;

    public ShardCount() {}

    public ShardCount(long windowKey, int shard, long users, byte[] sketch) {
        this.windowKey = windowKey;
        this.shard = shard;
        this.users = users;
        this.sketch = sketch;
    }

    public ShardCount(long windowKey, int shard, long users, byte[] sketch, long[] counters) {
        this(windowKey, shard, users, sketch);
        this.counters = counters;
    }

    @Override
    public String toString() {
        return "ShardCount{window " + windowKey + " shard " + shard + " users " + users
                + (sketch == null ? "" : " sketch " + sketch.length + " B")
                + (counters == null ? "" : " counters " + Arrays.toString(counters)) + "}";
    }
}
