package io.clickflow.decode;

/** An event that carries its own event time; the watermark strategy reads it. */
public interface EventTimed {
    /** Event time, epoch milliseconds UTC. */
    long eventTimeMillis();
}
