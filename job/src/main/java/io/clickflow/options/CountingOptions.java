package io.clickflow.options;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.WindowKeys;
import io.clickflow.stream.EmitMode;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.function.Function;

/**
 * The options of a windowed count (uniques, analytics), in the order their help lists them: how users are counted,
 * when rows are emitted, and the event-time bounds. Texts and defaults that differ per job (a uid of a window, a user
 * of an hour; emit mode; update interval; allowed lateness) come from the job's resource bundle.
 */
public final class CountingOptions {
    @Option(
            names = "--count",
            paramLabel = "MODE",
            defaultValue = "exact",
            descriptionKey = "count",
            description =
                    "exact: every distinct uid of an open window held | hll: HyperLogLog sketches (see --hll-lg-k).")
    private CountMode count;

    @Option(
            names = "--hll-lg-k",
            paramLabel = "N",
            defaultValue = "14",
            description =
                    "hll: log2 of the sketch's registers, 4..21; 14 = 16 KB per sketch, relative standard error 0.81%%.")
    private int hllLgK;

    @Option(
            names = "--emit-mode",
            paramLabel = "MODE",
            defaultValue = "${bundle:emit-mode.default:-on-watermark}",
            descriptionKey = "emit-mode",
            description = "on-watermark: one final count per window | update: provisional counts, then final.")
    private EmitMode emitMode;

    @Option(
            names = "--update-interval",
            paramLabel = "DURATION",
            defaultValue = "${bundle:update-interval.default:-1s}",
            descriptionKey = "update-interval",
            description = "update: a window's provisional count is refreshed at most this often (processing time).")
    private Duration updateInterval;

    @Mixin
    private EventTimeOptions.OutOfOrderness outOfOrderness;

    @Mixin
    private EventTimeOptions.AllowedLateness allowedLateness;

    @Mixin
    private EventTimeOptions.IdleTimeout idleTimeout;

    /**
     * The checked counting rules over the windows {@code windows} makes for the count mode; every mistake is a
     * {@link UsageException} naming the option.
     */
    public CountingSettings counting(Function<CountMode, WindowKeys> windows) {
        Cli.range("--hll-lg-k", hllLgK, 4, 21);
        if (updateInterval.toMillis() < 10) {
            throw new UsageException("--update-interval must be at least 10ms");
        }
        return new CountingSettings(
                windows.apply(count), count, hllLgK, emitMode, updateInterval, allowedLateness.value());
    }

    public Duration outOfOrderness() {
        return outOfOrderness.value();
    }

    /** {@code --idle-timeout} as it applies to an input that is {@code bounded} or not. */
    public Duration idleTimeout(boolean bounded) {
        return idleTimeout.forInput(bounded);
    }
}
