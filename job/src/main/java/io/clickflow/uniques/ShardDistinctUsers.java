package io.clickflow.uniques;

import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCounts;
import io.clickflow.tables.LateEvent;

import org.apache.flink.util.OutputTag;

/**
 * Stage 1 of the unique-user count, keyed by (window, shard): the shared {@link ShardCounts} on uniques' own
 * state class {@link ShardProgress} (kept where its savepoints name it), without counters. Frames too late go to
 * {@link #LATE_FRAMES}.
 */
public class ShardDistinctUsers extends ShardCounts<ShardProgress> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<LateEvent> LATE_FRAMES = ShardCounts.LATE;

    public ShardDistinctUsers(CountingSettings counting) {
        super(counting, ShardProgress.class, FrameDecoder.STREAM);
    }
}
