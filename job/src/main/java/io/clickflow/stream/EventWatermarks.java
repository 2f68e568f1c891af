package io.clickflow.stream;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.EventTimed;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;

import java.time.Duration;

/**
 * Bounded out-of-orderness watermarks over decoded records. Applied at the source, so Kafka generates
 * them per partition and Flink combines them with the minimum. Rejected records carry no event time
 * and never move a watermark; markers ({@link EventTimed#isEvent} false) neither move it nor keep an idle
 * partition active.
 */
public final class EventWatermarks {
    private EventWatermarks() {}

    public static <T extends EventTimed> WatermarkStrategy<Decoded<T>> strategy(
            Duration outOfOrderness, Duration idleTimeout) {
        long bound = outOfOrderness.toMillis();
        return WatermarkStrategy.<Decoded<T>>forGenerator(ctx -> {
                    WatermarkGenerator<Decoded<T>> events = new Generator<>(bound);
                    // Flink's idleness wrapper (on the input activity clock, so backpressure is not idleness) sees
                    // only what is not a marker: a partition that gets nothing but fences still goes idle.
                    return new SkipMarkers<>(
                            idleTimeout.isZero()
                                    ? events
                                    : new WatermarksWithIdleness<>(events, idleTimeout, ctx.getInputActivityClock()));
                })
                .withTimestampAssigner((decoded, recordTimestamp) ->
                        decoded.event == null ? recordTimestamp : decoded.event.eventTimeMillis());
    }

    /** Passes every record but markers on to the generator it wraps. */
    static final class SkipMarkers<T extends EventTimed> implements WatermarkGenerator<Decoded<T>> {
        private final WatermarkGenerator<Decoded<T>> inner;

        SkipMarkers(WatermarkGenerator<Decoded<T>> inner) {
            this.inner = inner;
        }

        @Override
        public void onEvent(Decoded<T> decoded, long eventTimestamp, WatermarkOutput output) {
            if (decoded.event == null || decoded.event.isEvent()) {
                inner.onEvent(decoded, eventTimestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            inner.onPeriodicEmit(output);
        }
    }

    /** Like Flink's bounded out-of-orderness generator, but blind to rejected records. */
    static final class Generator<T> implements WatermarkGenerator<Decoded<T>> {
        private final long bound;
        private long maxTimestamp;

        Generator(long bound) {
            this.bound = bound;
            this.maxTimestamp = Long.MIN_VALUE + bound + 1;
        }

        @Override
        public void onEvent(Decoded<T> decoded, long eventTimestamp, WatermarkOutput output) {
            if (decoded.event != null) {
                maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(maxTimestamp - bound - 1));
        }
    }
}
