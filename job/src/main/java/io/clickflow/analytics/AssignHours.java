package io.clickflow.analytics;

import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;

/** Sends an event's user to the shard of its UTC hour, with the counter it adds to (clicks or impressions); stateless. */
public class AssignHours extends RichMapFunction<UserAction, WindowedUser> {
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
    public WindowedUser map(UserAction event) {
        eventsIn.inc();
        return assign(hours, event);
    }

    /** The event in its hour (the only window size) and its user's shard. */
    public static WindowedUser assign(WindowKeys hours, UserAction event) {
        long shardKey = WindowKeys.shardKey(hours.windowKey(0, event.eventTime), hours.shard(event.user));
        WindowedUser user = new WindowedUser(shardKey, event.user, event.eventTime, event.click ? CLICKS : IMPRESSIONS);
        user.eventId = event.id; // a retry has the same user and time: it reaches the same shard, which drops it
        return user;
    }
}
