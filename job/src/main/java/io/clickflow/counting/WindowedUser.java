package io.clickflow.counting;

import io.clickflow.tables.EventTimes;

/** An event's user assigned to one window of one shard: the unit the per-shard count takes in. */
public class WindowedUser {
    /** {@link #counter} of an event that adds to no counter. */
    public static final int NO_COUNTER = -1;

    /** The window and shard, packed by {@code WindowKeys}. */
    public long shardKey;

    public String uid;
    public long eventTime;
    /** The additive counter this event adds one to, or {@link #NO_COUNTER} (uniques' frames). */
    public int counter = NO_COUNTER;
    /** The event's idempotency key, or null (uniques' frames, keyless POSTs): a shard counts each key once. */
    public String eventId;
    /**
     * Above zero for a fresh read's fence (its id in {@link #uid}): how many shard replies its answer waits for (one
     * per shard of the window from each partition's fence). A fence counts nothing and touches no window state.
     */
    public int fenceReplies;

    public WindowedUser() {}

    public WindowedUser(long shardKey, String uid, long eventTime) {
        this.shardKey = shardKey;
        this.uid = uid;
        this.eventTime = eventTime;
    }

    public WindowedUser(long shardKey, String uid, long eventTime, int counter) {
        this(shardKey, uid, eventTime);
        this.counter = counter;
    }

    @Override
    public String toString() {
        return uid + "@" + EventTimes.format(eventTime) + " key " + shardKey;
    }
}
