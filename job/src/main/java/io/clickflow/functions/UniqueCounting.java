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

    /**
     * What the counting state means, for the stateful operators' uids (e.g. {@code 1m,1h exact}, {@code 1d
     * hll14}): state written under other windows or another count cannot be read as this one, so a restore
     * across such a change fails at submission (Flink finds state for an operator the job does not have)
     * instead of counting wrong.
     */
    public String stateMeaning() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < windows.sizeCount(); i++) {
            b.append(i == 0 ? "" : ",").append(io.clickflow.cli.CommandLine.formatDuration(java.time.Duration.ofMillis(windows.sizeMillisAt(i))));
        }
        return b.append(' ').append(countMode == CountMode.EXACT ? "exact" : "hll" + hllLgK).toString();
    }

    /** Update mode: the earliest processing time of the next provisional count after one at {@code now}. */
    public long nextUpdateTime(long now) {
        return now + updateIntervalMillis;
    }
}
