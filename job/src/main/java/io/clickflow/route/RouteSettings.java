package io.clickflow.route;

import java.io.Serializable;

/**
 * What the routing operator needs: the starting destinations, the dead-letter topic, how to read a record's
 * routing fields, how to learn which topics exist, and how many tenants get metrics of their own.
 */
public record RouteSettings(
        Destinations destinations,
        String deadLetterTopic,
        RoutingReader reader,
        TopicCatalog.Factory topics,
        int maxTenants)
        implements Serializable {}
