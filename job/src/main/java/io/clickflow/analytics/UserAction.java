package io.clickflow.analytics;

import io.clickflow.decode.EventTimed;
import io.clickflow.tables.EventTimes;

import java.util.Objects;

/** One analytics event: who ({@code user}), when ({@code timestamp}, epoch milliseconds) and whether a click or an impression. */
public class UserAction implements EventTimed {
    public String user;
    public long eventTime;
    /** True for a click, false for an impression. */
    public boolean click;

    public UserAction() {}

    public UserAction(String user, long eventTime, boolean click) {
        this.user = user;
        this.eventTime = eventTime;
        this.click = click;
    }

    @Override
    public long eventTimeMillis() {
        return eventTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserAction a
                && eventTime == a.eventTime
                && click == a.click
                && Objects.equals(user, a.user);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, eventTime, click);
    }

    @Override
    public String toString() {
        return (click ? "click " : "impression ") + user + "@" + EventTimes.format(eventTime);
    }
}
