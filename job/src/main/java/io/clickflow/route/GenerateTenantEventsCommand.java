package io.clickflow.route;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.io.KafkaSender;
import io.clickflow.options.GeneratorOptions;
import io.clickflow.runner.KafkaPreflight;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code ./clickflow generate-tenant-events}: the seed 003 producer's records, for the router, to Kafka. */
@Command(
        name = "generate-tenant-events",
        resourceBundle = "io.clickflow.route.GenerateTenantEventsHelp",
        header = "Write the seed 003 producer's records (one destination each) to Kafka, for the router.",
        description = {
            "Writes what the seed's producer writes: records of its ProducerToProcessor schema (origin_service_id,",
            "origin_service_type, destination_service_type, event_timestamp = now, payload), one per destination in",
            "turn, keyed by the producer's id plus the destination type; as JSON objects or as Avro in the Confluent",
            "wire format, the schema registered under <topic>-value. The seed's -amount_of_messages is --count,",
            "-sleep_between_messages_in_seconds is 1 / --rate."
        })
public final class GenerateTenantEventsCommand implements Callable<Integer> {
    @Mixin
    GeneratorOptions.Brokers kafka;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            defaultValue = "producer.to.processor",
            description = "Topic to write to (the router's --input-topic).")
    String topic;

    @Option(
            names = "--origin-service-type",
            paramLabel = "TYPE",
            defaultValue = "financial",
            description = "The producer's service type (origin_service_type).")
    String originServiceType;

    @Option(
            names = "--origin-service-id",
            paramLabel = "ID",
            defaultValue = "123456",
            description = "The producer's id (origin_service_id; the key is ID:DESTINATION).")
    String originServiceId;

    @Option(
            names = "--destinations",
            paramLabel = "NAME[,NAME...]",
            split = ",",
            defaultValue = "FINANCE,MARKETING",
            description = "Destination types, one record each in turn (destination_service_type; upper-cased).")
    List<String> destinations;

    @Mixin
    GeneratorOptions.Pace pace;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "json",
            description = "json: a JSON object of the five fields | avro: Confluent wire-format Avro (needs "
                    + "--schema-registry).")
    RouteOptions.Format format;

    @Option(
            names = "--schema-registry",
            paramLabel = "URL",
            description = "avro: a Confluent-compatible schema registry; the seed's producer schema is registered "
                    + "under <topic>-value. Default: none.")
    String schemaRegistry;

    @Mixin
    RegistryCredentialOptions schemaRegistryCredentials;

    @Override
    public Integer call() throws Exception {
        SeedProducer producer = producer();
        long count = pace.count(Long.MAX_VALUE);
        int rate = pace.rate();
        String given = RouteCommand.schemaRegistry(format, schemaRegistry);
        RegistryCredentials credentials = schemaRegistryCredentials.credentials(given);
        String registry = RegistryCredentials.strip(given);
        if (topic.isBlank()) {
            throw new UsageException("--topic: give a name");
        }
        KafkaPreflight.checkTopics(kafka.bootstrapServers(), List.of(new KafkaPreflight.Topic(topic, "--topic")));
        int schemaId = registry == null ? -1 : register(registry, credentials, topic);
        System.out.printf(
                "Writing %s records of producer %s (%s) to %s, destinations %s, %,d/s%s%n",
                Cli.name(format),
                originServiceId,
                originServiceType,
                topic,
                String.join(", ", producer.destinations()),
                rate,
                registry == null ? "" : ", schema id " + schemaId + " under " + subject(topic));
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
        long sent = toKafka(producer, count, kafka.bootstrapServers(), topic, schemaId, rate, stop);
        System.out.printf("Sent %,d records to %s%n", sent, topic);
        return 0;
    }

    SeedProducer producer() {
        List<String> names = destinations.stream().map(String::strip).toList();
        if (names.isEmpty() || names.stream().anyMatch(String::isEmpty)) {
            throw new UsageException("--destinations: give names separated by commas, e.g. FINANCE,marketing");
        }
        if (originServiceType.isBlank()) {
            throw new UsageException("--origin-service-type: give a type");
        }
        if (originServiceId.isBlank()) {
            throw new UsageException("--origin-service-id: give an id");
        }
        return new SeedProducer(originServiceType, originServiceId, names, System.nanoTime());
    }

    /** The seed producer's subject for {@code topic} (Confluent's TopicNameStrategy). */
    public static String subject(String topic) {
        return topic + "-value";
    }

    /** Registers the seed's producer schema under {@code <topic>-value}; a registry that is not usable stops here. */
    public static int register(String registry, String topic) {
        return register(registry, null, topic);
    }

    /** As {@link #register(String, String)}, with HTTP basic auth ({@code credentials} null: none). */
    public static int register(String registry, RegistryCredentials credentials, String topic) {
        try {
            return HttpSchemaRegistry.checking(registry, credentials)
                    .register(subject(topic), SeedProducer.SCHEMA_TEXT);
        } catch (UncheckedIOException e) {
            throw RegistryCredentialOptions.refusal(e, credentials);
        } catch (RoutingReader.Refused e) {
            throw new UsageException("--schema-registry: " + e.getMessage());
        }
    }

    /**
     * Sends {@code count} records (or until {@code stop}) at {@code rate} per second, event time = now; Avro framed
     * with {@code schemaId}, or JSON when it is negative.
     */
    public static long toKafka(
            SeedProducer producer,
            long count,
            String bootstrapServers,
            String topic,
            int schemaId,
            double rate,
            AtomicBoolean stop)
            throws Exception {
        long n = 0;
        try (KafkaSender sender = new KafkaSender(bootstrapServers, 64 * 1024, "lz4")) {
            for (; n < count && !stop.get(); n++) {
                sender.pace(n, rate);
                SeedProducer.Event e = producer.next(System.currentTimeMillis());
                sender.send(topic, e.key(), producer.value(e.record(), schemaId));
            }
        }
        return n;
    }
}
