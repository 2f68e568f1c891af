package io.clickflow.counting;

import io.clickflow.commandline.Durations;
import io.clickflow.stream.EmitMode;

import org.apache.flink.streaming.api.TimerService;

import java.io.Serializable;
import java.time.Duration;

/**
 * The rules both stages of a windowed count share (the uniques and analytics jobs): the windows, how users
 * are counted, how many additive counters a window carries, when rows are emitted, and the one place each
 * timer's time is computed.
 *
 * @param updateIntervalMillis update mode: a window's provisional row is emitted at most this often
 * @param shardUpdateIntervalMillis update mode: a shard's provisional count is sent to its window at most this often
 * @param counters additive counters per window besides the distinct users (0: none, as in uniques)
 */
public record CountingSettings(
        WindowKeys windows,
        CountMode countMode,
        int hllLgK,
        EmitMode emitMode,
        long updateIntervalMillis,
        long allowedLatenessMillis,
        long shardUpdateIntervalMillis,
        int counters)
        implements Serializable {

    /** Distinct users only; both stages refresh at the update interval (so a count is out within about two). */
    public CountingSettings(
            WindowKeys windows,
            CountMode countMode,
            int hllLgK,
            EmitMode emitMode,
            Duration updateInterval,
            Duration allowedLateness) {
        this(
                windows,
                countMode,
                hllLgK,
                emitMode,
                updateInterval.toMillis(),
                allowedLateness.toMillis(),
                updateInterval.toMillis(),
                0);
    }

    /**
     * The same rules with {@code counters} additive counters per window, and shards that refresh ten times per
     * update interval (at least every 10 ms apart), so a count reaches the output within about one interval
     * instead of two, while a window's rows still come at most once per interval.
     */
    public CountingSettings withCounters(int counters) {
        return new CountingSettings(
                windows,
                countMode,
                hllLgK,
                emitMode,
                updateIntervalMillis,
                allowedLatenessMillis,
                Math.max(10, updateIntervalMillis / 10),
                counters);
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
            b.append(i == 0 ? "" : ",").append(Durations.format(Duration.ofMillis(windows.sizeMillisAt(i))));
        }
        return b.append(' ')
                .append(countMode == CountMode.EXACT ? "exact" : "hll" + hllLgK)
                .toString();
    }

    /** Update mode: the earliest processing time of the next provisional row after one at {@code now}. */
    public long nextUpdateTime(long now) {
        return now + updateIntervalMillis;
    }

    /** True once the watermark has passed the window's final time: its count is final, later changes are corrections. */
    public boolean isFinal(long windowKey, long watermark) {
        return finalTime(windowKey) <= watermark;
    }

    /**
     * The timers of a window's (or shard's) first state: its final time, unless the watermark is past it
     * (a frame within the allowed lateness), and its cleanup time.
     */
    void registerWindowTimers(TimerService timers, long windowKey) {
        if (!isFinal(windowKey, timers.currentWatermark())) {
            timers.registerEventTimeTimer(finalTime(windowKey));
        }
        timers.registerEventTimeTimer(cleanupTime(windowKey));
    }

    /**
     * The final-time timer of a window (or shard) whose state already exists, while the watermark is before that
     * time. Normally a no-op (the timer exists; registering dedups). After a restore the watermark starts over, so a
     * window whose final row went out in the run before looks open again while its final timer is gone: without
     * this, a correction arriving then would wait for a timer that never fires.
     */
    void keepFinalTimer(TimerService timers, long windowKey) {
        if (!isFinal(windowKey, timers.currentWatermark())) {
            timers.registerEventTimeTimer(finalTime(windowKey));
        }
    }

    /**
     * Update mode: a processing-time timer for the next provisional count {@code intervalMillis} from now (the
     * shard's or the window's interval), unless one is pending.
     */
    void scheduleUpdate(TimerService timers, Progress progress, long intervalMillis) {
        if (emitMode == EmitMode.UPDATE && !progress.updateScheduled()) {
            progress.updateScheduled(true);
            timers.registerProcessingTimeTimer(timers.currentProcessingTime() + intervalMillis);
        }
    }

    /**
     * At an event-time timer: true if the window's state goes now. Otherwise, from the final time on, makes
     * sure this run's cleanup timer exists (re-registering is a no-op): a cleanup timer restored from a run
     * with a shorter {@code --allowed-lateness} would leave the state without one.
     */
    boolean cleanUpAt(TimerService timers, long timestamp, long windowKey) {
        if (timestamp >= cleanupTime(windowKey)) {
            return true;
        }
        if (timestamp >= finalTime(windowKey)) {
            timers.registerEventTimeTimer(cleanupTime(windowKey));
        }
        return false;
    }
}
