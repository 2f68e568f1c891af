package io.clickflow.uniques;

import io.clickflow.tables.EventTimes;

/** A frame's user assigned to one window of one shard: the unit the per-shard distinct count takes in. */
public class WindowedUser {
    /** The window and shard, packed by {@code WindowKeys}. */
    public long shardKey;

    public String uid;
    public long eventTime;

    public WindowedUser() {}

    public WindowedUser(long shardKey, String uid, long eventTime) {
        this.shardKey = shardKey;
        this.uid = uid;
        this.eventTime = eventTime;
    }

    @Override
    public String toString() {
        return uid + "@" + EventTimes.format(eventTime) + " key " + shardKey;
    }
}
