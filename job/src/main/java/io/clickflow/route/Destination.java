package io.clickflow.route;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/** A configured destination: the topic its records go to and the schema subject they are framed with (Avro). */
public class Destination implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Upper case: names match case-insensitively. */
    public String name;
    /** Null for a removed destination (a tombstone on the destinations topic). */
    public String outputTopic;
    /** Null when not configured; only Avro needs it. */
    public String outputSubject;

    public Destination() {}

    public Destination(String name, String outputTopic, String outputSubject) {
        this.name = normalise(name);
        this.outputTopic = outputTopic;
        this.outputSubject = outputSubject;
    }

    /** A removal of {@code name}: it shadows the starting configuration's entry of the same name. */
    public static Destination removed(String name) {
        return new Destination(name, null, null);
    }

    public boolean isRemoved() {
        return outputTopic == null;
    }

    /** The form names are compared in. */
    public static String normalise(String name) {
        return name.trim().toUpperCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Destination d
                && Objects.equals(name, d.name)
                && Objects.equals(outputTopic, d.outputTopic)
                && Objects.equals(outputSubject, d.outputSubject);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, outputTopic, outputSubject);
    }

    @Override
    public String toString() {
        return isRemoved() ? name + " (removed)" : name + " -> " + outputTopic;
    }
}
