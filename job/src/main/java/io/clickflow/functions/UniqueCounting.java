package io.clickflow.functions;

import java.io.Serializable;
import java.time.Duration;

/**
 * The rules both stages of the unique-user count share: the windows, how users are counted, when rows
 * are emitted, and the one place each timer's time is computed.
 */
public record UniqueCounting(WindowKeys windows, CountMode countMode, int hllLgK, EmitMode emitMode,
        long updateIntervalMillis, long allowedLatenessMillis) implements Serializable {

    public UniqueCounting(WindowKeys windows, CountMode countMode, int hllLgK, EmitMode emitMode,
            Duration updateInterval, Duration allowedLateness) {
        this(windows, countMode, hllLgK, emitMode, updateInterval.toMillis(), allowedLateness.toMillis());
    }

    /**
     * A window's count is final once the watermark reaches its last millisecond: every frame of it that
     * is not late has arrived.
     */
    public long finalTime(long windowKey) {
        return windows.end(windowKey) - 1;
    }

    /**
     * A window's state is dropped once the watermark is {@code allowedLateness} past its final time;
     * frames of it arriving after that are only reported as late.
     */
    public long cleanupTime(long windowKey) {
        return finalTime(windowKey) + allowedLatenessMillis;
    }

    /** Update mode: the earliest processing time of the next provisional count after one at {@code now}. */
    public long nextUpdateTime(long now) {
        return now + updateIntervalMillis;
    }
}
