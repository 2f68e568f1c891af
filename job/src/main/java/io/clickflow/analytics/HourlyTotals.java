package io.clickflow.analytics;

import io.clickflow.counting.CountProgress;
import io.clickflow.counting.CountTotal;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.WindowCounts;
import io.clickflow.tables.HourlyStats;

/** Stage 2 of the hourly count, keyed by hour: the shared {@link WindowCounts}, emitting {@code hourly_stats} rows. */
public class HourlyTotals extends WindowCounts<CountProgress, CountTotal, HourlyStats> {
    private static final long serialVersionUID = 1L;

    public HourlyTotals(CountingSettings counting) {
        super(
                counting,
                CountTotal.class,
                (start, end, users, lower, upper, counters, isFinal) -> new HourlyStats(
                        start, users, counters[AssignHours.CLICKS], counters[AssignHours.IMPRESSIONS], isFinal));
    }
}
