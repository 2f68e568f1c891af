package io.clickflow.route;

import io.clickflow.io.KafkaSinks;
import io.clickflow.io.Sources;
import io.clickflow.options.RuntimeOptions;

import java.util.Set;
import java.util.TreeSet;

/** The checked options of a route run, as {@link RouteJob} wires them. */
public final class RouteOptions {
    public final Sources.KafkaInput kafka;
    public final String inputTopic;
    public final Destinations destinations;
    /** Null: the starting destinations are all there is. */
    public final String destinationsTopic;

    public final String deadLetterTopic;
    public final KafkaSinks.Delivery delivery;
    public final String transactionalIdPrefix;
    public final KafkaSinks.TransactionNaming transactionNaming;
    public final int maxTenants;
    public final Format format;
    /** Null for JSON; never with a {@code user:password@}. */
    public final String schemaRegistry;
    /** Null: the registry is used without credentials. */
    public final RegistryCredentials schemaRegistryCredentials;

    public final RuntimeOptions runtime;

    /** What a destination topic gets for each routed record. */
    public final OutputRecord outputRecord;
    /** The seed's -processor_id: a header on every record written and the job's name; null when not given. */
    public final String processorId;

    RouteOptions(
            Sources.KafkaInput kafka,
            String inputTopic,
            Destinations destinations,
            String destinationsTopic,
            String deadLetterTopic,
            KafkaSinks.Delivery delivery,
            String transactionalIdPrefix,
            KafkaSinks.TransactionNaming transactionNaming,
            int maxTenants,
            Format format,
            String schemaRegistry,
            RegistryCredentials schemaRegistryCredentials,
            RuntimeOptions runtime,
            OutputRecord outputRecord,
            String processorId) {
        this.kafka = kafka;
        this.inputTopic = inputTopic;
        this.destinations = destinations;
        this.destinationsTopic = destinationsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.delivery = delivery;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.transactionNaming = transactionNaming;
        this.maxTenants = maxTenants;
        this.format = format;
        this.schemaRegistry = schemaRegistry;
        this.schemaRegistryCredentials = schemaRegistryCredentials;
        this.runtime = runtime;
        this.outputRecord = outputRecord;
        this.processorId = processorId;
    }

    /** How the input's values are written. */
    public enum Format {
        /** The seed's JSON events, forwarded byte for byte. */
        JSON,
        /** Confluent wire-format Avro: bodies forwarded byte for byte, framed with the destination subject's id. */
        AVRO
    }

    /**
     * Where the exactly-once sink looks for transactions a crash left open: the destinations' topics and the
     * dead-letter topic; with a destinations topic, a destination added while running may name any topic, so
     * every topic the router can see.
     */
    public KafkaSinks.Topics outputTopics() {
        if (destinationsTopic != null) {
            return KafkaSinks.Topics.matching(".*");
        }
        Set<String> topics = new TreeSet<>();
        destinations.all().forEach(d -> topics.add(d.outputTopic));
        topics.add(deadLetterTopic);
        return KafkaSinks.Topics.of(topics);
    }

    /** The reader of the routing fields this format needs. */
    RoutingReader reader() {
        return format == Format.AVRO
                ? RoutingReader.avro(HttpSchemaRegistry.at(schemaRegistry, schemaRegistryCredentials), outputRecord)
                : RoutingReader.json(outputRecord);
    }
}
