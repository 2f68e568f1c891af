package io.clickflow.decode;

/** An event that carries its own event time; the watermark strategy reads it. */
public interface EventTimed {
    /** Event time, epoch milliseconds UTC. */
    long eventTimeMillis();

    /**
     * False for a record that is not an event but a marker riding the stream (a fresh read's fence): it neither
     * moves the watermark nor counts as its partition's activity, so asking never holds back or advances time.
     */
    default boolean isEvent() {
        return true;
    }
}
