package io.clickflow.counting;

import org.apache.flink.util.MathUtils;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Tumbling, UTC-aligned windows of several sizes, and the long keys their counts are keyed by: a window
 * key packs the window's start (whole seconds) and the index of its size; a shard key adds the shard.
 * Longs keep keying and state lookups cheap on both state backends.
 */
public final class WindowKeys implements Serializable {
    private static final long serialVersionUID = 1L;

    /** At most this many window sizes (4 bits of the key). */
    public static final int MAX_SIZES = 16;

    private static final int SIZE_BITS = 4;
    /** At most this many shards (7 bits of the key). */
    public static final int MAX_SHARDS = 128;

    private static final int SHARD_BITS = 7;

    private final long[] sizesMillis;
    private final int shards;

    /** @param sizes whole seconds each, at most {@link #MAX_SIZES} */
    public WindowKeys(List<Duration> sizes, int shards) {
        if (sizes.isEmpty() || sizes.size() > MAX_SIZES) {
            throw new IllegalArgumentException("between 1 and " + MAX_SIZES + " window sizes, not " + sizes.size());
        }
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("between 1 and " + MAX_SHARDS + " shards, not " + shards);
        }
        this.sizesMillis = new long[sizes.size()];
        for (int i = 0; i < sizesMillis.length; i++) {
            sizesMillis[i] = sizes.get(i).toMillis();
            if (sizesMillis[i] < 1000 || sizesMillis[i] % 1000 != 0) {
                throw new IllegalArgumentException("a window is whole seconds, not " + sizes.get(i));
            }
        }
        this.shards = shards;
    }

    public int sizeCount() {
        return sizesMillis.length;
    }

    public long sizeMillisAt(int sizeIndex) {
        return sizesMillis[sizeIndex];
    }

    public int shards() {
        return shards;
    }

    /** The window of size {@code sizeIndex} that holds {@code eventTime}: aligned to the epoch, so to UTC. */
    public long windowKey(int sizeIndex, long eventTime) {
        long size = sizesMillis[sizeIndex];
        long startSeconds = Math.floorDiv(eventTime, size) * (size / 1000);
        return startSeconds << SIZE_BITS | sizeIndex;
    }

    public long start(long windowKey) {
        return (windowKey >> SIZE_BITS) * 1000;
    }

    /** Exclusive. */
    public long end(long windowKey) {
        return start(windowKey) + sizesMillis[(int) (windowKey & (MAX_SIZES - 1))];
    }

    public long sizeMillis(long windowKey) {
        return sizesMillis[(int) (windowKey & (MAX_SIZES - 1))];
    }

    /** The shard of a user: from {@link String#hashCode()}, which Java specifies, so shards survive restarts. */
    public int shard(String uid) {
        return Math.floorMod(MathUtils.murmurHash(uid.hashCode()), shards);
    }

    public static long shardKey(long windowKey, int shard) {
        return windowKey << SHARD_BITS | shard;
    }

    public static long windowOf(long shardKey) {
        return shardKey >> SHARD_BITS;
    }

    public static int shardOf(long shardKey) {
        return (int) (shardKey & (MAX_SHARDS - 1));
    }
}
