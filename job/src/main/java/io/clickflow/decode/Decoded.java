package io.clickflow.decode;

import io.clickflow.tables.RejectedEvent;

/**
 * What a decoder made of one input record: the event, or the rejection with its reason. Exactly one
 * of the two fields is set.
 */
public class Decoded<T> {
    public T event;
    public RejectedEvent rejected;

    public Decoded() {}

    public static <T> Decoded<T> of(T event) {
        Decoded<T> d = new Decoded<>();
        d.event = event;
        return d;
    }

    public static <T> Decoded<T> rejected(RejectedEvent rejected) {
        Decoded<T> d = new Decoded<>();
        d.rejected = rejected;
        return d;
    }

    public boolean isRejected() {
        return rejected != null;
    }

    @Override
    public String toString() {
        return rejected != null ? rejected.toString() : String.valueOf(event);
    }
}
