package io.clickflow.uniques;

import io.clickflow.decode.EventTimed;
import io.clickflow.tables.EventTimes;

import java.util.Objects;

/** One frame of the unique-users stream: who ({@code uid}) and when ({@code ts}, as epoch milliseconds). */
public class Frame implements EventTimed {
    public String uid;
    public long eventTime;

    public Frame() {}

    public Frame(String uid, long eventTime) {
        this.uid = uid;
        this.eventTime = eventTime;
    }

    @Override
    public long eventTimeMillis() {
        return eventTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && eventTime == f.eventTime && Objects.equals(uid, f.uid);
    }

    @Override
    public int hashCode() {
        return Objects.hash(uid, eventTime);
    }

    @Override
    public String toString() {
        return uid + "@" + EventTimes.format(eventTime);
    }
}
