package io.clickflow.tables;

import java.util.Objects;

/** An input record that could not be used, kept with where it came from and why. */
public class RejectedEvent {
    /** Longest payload kept, in characters: enough to see what went wrong, bounded for huge records. */
    public static final int MAX_PAYLOAD_CHARS = 4096;

    /** Which logical stream the record was read for, e.g. {@code ad_click}. */
    public String stream;
    /** Topic or file name. */
    public String source;
    /** {@code partition:offset} in Kafka, the line number in a file. */
    public String position;

    public String reason;
    /** The raw record, decoded as UTF-8 with replacement characters, truncated to {@link #MAX_PAYLOAD_CHARS}. */
    public String payload;

    public RejectedEvent() {}

    public RejectedEvent(String stream, String source, String position, String reason, String payload) {
        this.stream = stream;
        this.source = source;
        this.position = position;
        this.reason = reason;
        this.payload = payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RejectedEvent r
                && Objects.equals(stream, r.stream)
                && Objects.equals(source, r.source)
                && Objects.equals(position, r.position)
                && Objects.equals(reason, r.reason)
                && Objects.equals(payload, r.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, source, position, reason, payload);
    }

    @Override
    public String toString() {
        return "RejectedEvent{" + stream + " " + source + "@" + position + ": " + reason + "}";
    }
}
