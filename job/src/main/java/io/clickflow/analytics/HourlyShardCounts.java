package io.clickflow.analytics;

import io.clickflow.counting.CountProgress;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCounts;

/** Stage 1 of the hourly count, keyed by (hour, shard): the shared {@link ShardCounts} with clicks and impressions. */
public class HourlyShardCounts extends ShardCounts<CountProgress> {
    private static final long serialVersionUID = 1L;

    public HourlyShardCounts(CountingSettings counting) {
        super(counting, CountProgress.class, UserActionDecoder.STREAM);
    }
}
