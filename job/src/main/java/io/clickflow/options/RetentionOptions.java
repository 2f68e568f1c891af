package io.clickflow.options;

import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;

import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code --retention}: how long a job keeps its rows behind its watermark, for the jobs that write tables. */
public final class RetentionOptions {
    @Option(
            names = "--retention",
            paramLabel = "DURATION",
            description = "Delete rows whose time is this far behind the watermark (window or hour end, page view time,"
                    + " late events by when they were seen), a few small batches every 10 s. Default: keep every row;"
                    + " rejected_events is always kept whole.")
    private Duration retention;

    /**
     * The checked retention, null to keep every row. It may not be shorter than {@code corrected}, how long behind
     * the watermark the job still rewrites a row ({@code correctedBy} names why): a correction would write a
     * deleted row again, half counted.
     */
    public Duration validate(Duration corrected, String correctedBy) {
        if (retention == null) {
            return null;
        }
        if (retention.isZero() || retention.isNegative()) {
            throw new UsageException("--retention must be longer than 0");
        }
        if (retention.compareTo(corrected) < 0) {
            throw new UsageException("--retention " + Durations.format(retention) + " is shorter than " + correctedBy
                    + " (" + Durations.format(corrected) + "): rows still corrected would be deleted and written"
                    + " again in part");
        }
        return retention;
    }
}
