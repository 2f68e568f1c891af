package io.clickflow.analytics;

import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.util.Collector;

/**
 * Sends an event's user to the shard of its UTC hour, with the counter it adds to (clicks or impressions), and a
 * fresh read's fence to every shard of its hour (each shard then has everything its partition held before it);
 * stateless.
 */
public class AssignHours extends RichFlatMapFunction<UserAction, WindowedUser> {
    private static final long serialVersionUID = 1L;

    /** Counter index of clicks in a window's counters. */
    public static final int CLICKS = 0;
    /** Counter index of impressions. */
    public static final int IMPRESSIONS = 1;
    /** Counters per hour. */
    public static final int COUNTERS = 2;

    private final WindowKeys hours;
    private transient Counter eventsIn;

    public AssignHours(WindowKeys hours) {
        this.hours = hours;
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        metrics.meter("eventsPerSecond", new MeterView(eventsIn));
    }

    @Override
    public void flatMap(UserAction event, Collector<WindowedUser> out) {
        if (event.isEvent()) {
            eventsIn.inc();
            out.collect(assign(hours, event));
            return;
        }
        long window = hours.windowKey(0, event.eventTime);
        int replies = event.fencePartitions * hours.shards();
        for (int shard = 0; shard < hours.shards(); shard++) {
            WindowedUser fence = new WindowedUser(WindowKeys.shardKey(window, shard), event.user, event.eventTime);
            fence.fenceReplies = replies;
            out.collect(fence);
        }
    }

    /** The event in its hour (the only window size) and its user's shard. */
    public static WindowedUser assign(WindowKeys hours, UserAction event) {
        long shardKey = WindowKeys.shardKey(hours.windowKey(0, event.eventTime), hours.shard(event.user));
        WindowedUser user = new WindowedUser(shardKey, event.user, event.eventTime, event.click ? CLICKS : IMPRESSIONS);
        user.eventId = event.id; // a retry has the same user and time: it reaches the same shard, which drops it
        return user;
    }
}
