package io.clickflow.route;

import io.clickflow.cli.RuntimeOptions;
import io.clickflow.io.KafkaSinks;
import io.clickflow.io.Sources;

/** The checked options of a route run, as {@link RouteJob} wires them. */
public final class RouteOptions {
    public Sources.KafkaInput kafka;
    public String inputTopic;
    public Destinations destinations;
    /** Null: the starting destinations are all there is. */
    public String destinationsTopic;

    public String deadLetterTopic;
    public KafkaSinks.Delivery delivery;
    public String transactionalIdPrefix;
    public int maxTenants;
    public RuntimeOptions runtime;
}
