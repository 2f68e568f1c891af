package io.clickflow.counting;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.memory.WritableMemory;

/**
 * HLL sketches kept as plain byte arrays, so Flink state holds them without a custom serializer: a
 * sketch is updated in place in its array (no copy on the heap backend), and shipped compact.
 */
public final class Sketches {
    private Sketches() {}

    /** HLL_8: one byte per register, the fastest to update; the error depends on lgK only. */
    static final TgtHllType TYPE = TgtHllType.HLL_8;
    /** Standard deviations of the reported bounds: about 95% of true counts lie within them. */
    public static final int BOUND_STD_DEVS = 2;

    /** An empty sketch in an array it can be updated in. */
    public static byte[] newUpdatable(int lgK) {
        byte[] bytes = new byte[HllSketch.getMaxUpdatableSerializationBytes(lgK, TYPE)];
        new HllSketch(lgK, TYPE, WritableMemory.writableWrap(bytes));
        return bytes;
    }

    /** Adds a user to the sketch in {@code updatable}, in place; returns the sketch's new estimate (one wrap per frame). */
    public static double updateAndEstimate(byte[] updatable, String uid) {
        HllSketch sketch = HllSketch.writableWrap(WritableMemory.writableWrap(updatable));
        sketch.update(uid);
        return sketch.getEstimate();
    }

    public static double estimate(byte[] sketch) {
        return HllSketch.wrap(Memory.wrap(sketch)).getEstimate();
    }

    public static byte[] compact(byte[] updatable) {
        return HllSketch.wrap(Memory.wrap(updatable)).toCompactByteArray();
    }

    /** The union of a serialized union (or null) and a sketch, serialized. Unions are idempotent: max per register. */
    public static byte[] union(byte[] union, byte[] sketch, int lgK) {
        Union u = union == null ? new Union(lgK) : Union.heapify(union);
        u.update(HllSketch.wrap(Memory.wrap(sketch)));
        return u.toUpdatableByteArray();
    }

    /** Estimate and ~95% bounds of a serialized union: {estimate, lower, upper}, rounded, the estimate between them. */
    public static long[] count(byte[] union) {
        HllSketch s = HllSketch.wrap(Memory.wrap(union));
        long estimate = Math.round(s.getEstimate());
        return new long[] {
            estimate,
            Math.min(estimate, Math.round(s.getLowerBound(BOUND_STD_DEVS))),
            Math.max(estimate, Math.round(s.getUpperBound(BOUND_STD_DEVS)))
        };
    }

    /**
     * The relative standard error of a window's count with {@code lgK}: 0.81% for lgK 14. A window's count
     * comes from a union of sketches, whose estimator is the composite one (the HIP estimator of a single
     * sketch, 0.65%, does not survive a union).
     */
    public static double relativeStandardError(int lgK) {
        return HllSketch.getRelErr(false, true, lgK, 1);
    }
}
