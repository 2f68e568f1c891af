package io.clickflow.analytics;

import io.clickflow.decode.EventTimed;
import io.clickflow.tables.EventTimes;

import java.util.Objects;

/**
 * One analytics event: who ({@code user}), when ({@code timestamp}, epoch milliseconds) and whether a click or an
 * impression; or a fresh read's fence ({@link #fencePartitions} above zero), which counts nothing.
 */
public class UserAction implements EventTimed {
    public String user;
    public long eventTime;
    /** True for a click, false for an impression. */
    public boolean click;
    /** The idempotency key of the POST that wrote the event, or null: events with the same key count once. */
    public String id;
    /**
     * A fence: how many partitions its read wrote one to (its id is {@link #user}, its hour {@link #eventTime}); 0
     * for an event.
     */
    public int fencePartitions;

    public UserAction() {}

    /** A fence of the read {@code fenceId} for the hour starting at {@code hourStart}, one of {@code partitions}. */
    public static UserAction fence(String fenceId, long hourStart, int partitions) {
        UserAction fence = new UserAction(fenceId, hourStart, false);
        fence.fencePartitions = partitions;
        return fence;
    }

    public UserAction(String user, long eventTime, boolean click) {
        this.user = user;
        this.eventTime = eventTime;
        this.click = click;
    }

    /** The same event carrying the idempotency key {@code id} (null: none). */
    public UserAction(String user, long eventTime, boolean click, String id) {
        this(user, eventTime, click);
        this.id = id;
    }

    @Override
    public long eventTimeMillis() {
        return eventTime;
    }

    @Override
    public boolean isEvent() {
        return fencePartitions == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserAction a
                && eventTime == a.eventTime
                && click == a.click
                && fencePartitions == a.fencePartitions
                && Objects.equals(user, a.user)
                && Objects.equals(id, a.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, eventTime, click);
    }

    @Override
    public String toString() {
        if (!isEvent()) {
            return "fence " + user + " of " + fencePartitions + " partitions @" + EventTimes.format(eventTime);
        }
        return (click ? "click " : "impression ") + user + "@" + EventTimes.format(eventTime)
                + (id == null ? "" : " id " + id);
    }
}
