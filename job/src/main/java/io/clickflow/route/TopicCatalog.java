package io.clickflow.route;

import java.io.Serializable;
import java.util.Set;

/**
 * Which topics exist. Writing to a missing topic blocks the producer and poisons the open transaction, so
 * the router asks first and sends records of a destination without a topic to the dead-letter topic.
 */
public interface TopicCatalog extends AutoCloseable {
    boolean exists(String topic);

    @Override
    default void close() {}

    /** Creates a subtask's catalog when the operator opens: catalogs hold connections and are not shipped. */
    interface Factory extends Serializable {
        TopicCatalog open();
    }

    /** A fixed set of topics, for tests and for a job that must not look (the set given is all there is). */
    static Factory fixed(Set<String> topics) {
        String[] names = topics.toArray(String[]::new); // no java.util field for Flink's closure cleaner to walk
        return () -> Set.of(names)::contains;
    }
}
