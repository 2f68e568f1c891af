package io.clickflow.attribution;

import java.time.Duration;

/**
 * How fast one subtask's watermark has been advancing against processing time, to turn an event-time span into the
 * processing time it is expected to take.
 */
final class WatermarkPace {
    /** The least processing time one measurement spans: the watermark advances in steps, not smoothly. */
    static final long MIN_SPAN_MILLIS = Duration.ofSeconds(30).toMillis();

    private long anchorTime = Long.MIN_VALUE;
    private long anchorWatermark;

    /** Event-time milliseconds per processing-time millisecond over the last measurement; NaN before the first. */
    private double eventMillisPerMilli = Double.NaN;

    /** Notes the watermark at processing time {@code now}; a new pace once {@link #MIN_SPAN_MILLIS} have passed. */
    void observe(long watermark, long now) {
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        if (anchorTime == Long.MIN_VALUE) {
            anchorTime = now;
            anchorWatermark = watermark;
            return;
        }
        long span = now - anchorTime;
        if (span >= MIN_SPAN_MILLIS) {
            eventMillisPerMilli = (watermark - anchorWatermark) / (double) span;
            anchorTime = now;
            anchorWatermark = watermark;
        }
    }

    boolean measured() {
        return !Double.isNaN(eventMillisPerMilli);
    }

    /**
     * The processing time the watermark is expected to take to advance by {@code eventMillis}, at the measured pace
     * but never slower than real time: a watermark that stalls (idle input) would otherwise put the wait off without
     * end, and a wait that ends early only looks again.
     */
    long processingMillisFor(long eventMillis) {
        if (!measured()) {
            throw new IllegalStateException("no pace measured yet");
        }
        return (long) (eventMillis / Math.max(eventMillisPerMilli, 1.0));
    }
}
