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
    public Format format;
    /** Null for JSON; never with a {@code user:password@}. */
    public String schemaRegistry;
    /** Null: the registry is used without credentials. */
    public RegistryCredentials schemaRegistryCredentials;

    public RuntimeOptions runtime;

    /** What a destination topic gets for each routed record. */
    public OutputRecord outputRecord = OutputRecord.UNCHANGED;
    /** The seed's -processor_id: a header on every record written and the job's name; null when not given. */
    public String processorId;

    /** How the input's values are written. */
    public enum Format {
        /** The seed's JSON events, forwarded byte for byte. */
        JSON,
        /** Confluent wire-format Avro: bodies forwarded byte for byte, framed with the destination subject's id. */
        AVRO
    }

    /** The reader of the routing fields this format needs. */
    RoutingReader reader() {
        return format == Format.AVRO
                ? RoutingReader.avro(HttpSchemaRegistry.at(schemaRegistry, schemaRegistryCredentials), outputRecord)
                : RoutingReader.json(outputRecord);
    }
}
