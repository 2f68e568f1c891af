package io.clickflow.stream;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.EventTimed;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/**
 * Bounded out-of-orderness watermarks over decoded records. Applied at the source, so Kafka generates
 * them per partition and Flink combines them with the minimum. Rejected records carry no event time
 * and never move a watermark.
 */
public final class EventWatermarks {
    private EventWatermarks() {}

    public static <T extends EventTimed> WatermarkStrategy<Decoded<T>> strategy(
            Duration outOfOrderness, Duration idleTimeout) {
        long bound = outOfOrderness.toMillis();
        WatermarkStrategy<Decoded<T>> strategy = WatermarkStrategy.<Decoded<T>>forGenerator(
                        ctx -> new Generator<>(bound))
                .withTimestampAssigner((decoded, recordTimestamp) ->
                        decoded.event == null ? recordTimestamp : decoded.event.eventTimeMillis());
        return idleTimeout.isZero() ? strategy : strategy.withIdleness(idleTimeout);
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
