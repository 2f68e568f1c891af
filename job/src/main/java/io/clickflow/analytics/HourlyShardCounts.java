package io.clickflow.analytics;

import io.clickflow.counting.CountProgress;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCounts;

import java.time.Duration;

/** Stage 1 of the hourly count, keyed by (hour, shard): the shared {@link ShardCounts} with clicks and impressions. */
public class HourlyShardCounts extends ShardCounts<CountProgress> {
    private static final long serialVersionUID = 1L;

    public HourlyShardCounts(CountingSettings counting) {
        this(counting, AnalyticsWorkflow.DEFAULT_DEDUP_WINDOW);
    }

    /** Events with the same idempotency key within {@code dedupWindow} (processing time) count once. */
    public HourlyShardCounts(CountingSettings counting, Duration dedupWindow) {
        super(counting, CountProgress.class, UserActionDecoder.STREAM, dedupWindow);
    }
}
