package io.clickflow.uniques;

import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.WindowCounts;
import io.clickflow.tables.UniqueUsers;

/**
 * Stage 2 of the unique-user count, keyed by window: the shared {@link WindowCounts} on uniques' own state class
 * {@link WindowTotal}, emitting {@link UniqueUsers} rows (uniques has no counters).
 */
public class WindowUniqueUsers extends WindowCounts<ShardProgress, WindowTotal, UniqueUsers> {
    private static final long serialVersionUID = 1L;

    public WindowUniqueUsers(CountingSettings counting) {
        super(
                counting,
                WindowTotal.class,
                (start, end, users, lower, upper, counters, isFinal) ->
                        new UniqueUsers(start, end, users, lower, upper, isFinal));
    }
}
