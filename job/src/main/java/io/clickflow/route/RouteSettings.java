package io.clickflow.route;

import java.io.Serializable;

/**
 * What the routing operator needs: the starting destinations, the dead-letter topic, how to read a record's
 * routing fields (and what to write for it), how to learn which topics exist, how many tenants get metrics of their
 * own, and the processor id its records carry (null: none).
 */
public record RouteSettings(
        Destinations destinations,
        String deadLetterTopic,
        RoutingReader reader,
        TopicCatalog.Factory topics,
        int maxTenants,
        String processorId)
        implements Serializable {
    public RouteSettings(
            Destinations destinations,
            String deadLetterTopic,
            RoutingReader reader,
            TopicCatalog.Factory topics,
            int maxTenants) {
        this(destinations, deadLetterTopic, reader, topics, maxTenants, null);
    }
}
