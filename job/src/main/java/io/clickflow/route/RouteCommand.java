package io.clickflow.route;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.io.KafkaSinks;
import io.clickflow.io.Sources;
import io.clickflow.options.DeliveryOptions;
import io.clickflow.options.JobCommand;
import io.clickflow.options.KafkaOptions;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.runner.ProgressReporter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./clickflow route}: checks the options and the topics, then runs the router locally or on a cluster. */
@Command(
        name = "route",
        resourceBundle = "io.clickflow.route.RouteHelp",
        header = "Fan one input topic out to per-destination topics, exactly once (Kafka in, Kafka out).",
        description = {
            "Sends each record of the input topic, unchanged, to the topic of every destination its \"destinations\"",
            "field names; a record that cannot go to all of them goes once to the dead-letter topic with the reason."
        })
public final class RouteCommand implements Callable<Integer>, JobCommand {
    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--input-topic",
            paramLabel = "TOPIC",
            defaultValue = "producer.to.processor",
            description = "Topic the tenants' producers write to.")
    String inputTopic;

    @Option(
            names = "--destinations",
            paramLabel = "CONFIG",
            required = true,
            description =
                    "The destinations: {\"NAME\": {\"output_topic\": \"...\", \"output_subject\": \"...\"}, ...}, "
                            + "inline or in a file; names ignore case.")
    String destinations;

    @Option(
            names = "--destinations-topic",
            paramLabel = "TOPIC",
            description = "A compacted topic of changes (key NAME, value {\"output_topic\": ...}, null removes it), "
                    + "applied while running on top of --destinations. Default: none.")
    String destinationsTopic;

    @Option(
            names = "--dead-letter-topic",
            paramLabel = "TOPIC",
            defaultValue = "processor.dead-letters",
            description = "Records that cannot go to all their destinations, unchanged, with the reason in headers.")
    String deadLetterTopic;

    @Mixin
    DeliveryOptions outputDelivery;

    @Option(
            names = "--transactional-id-prefix",
            paramLabel = "PREFIX",
            description = "exactly-once: prefix of the sink's transactional ids, unique per job on a Kafka cluster. "
                    + "Default: the consumer group id.")
    String transactionalIdPrefix;

    @Option(
            names = "--transaction-naming",
            paramLabel = "STRATEGY",
            defaultValue = "pooling",
            description = "exactly-once: pooling: a few transactional ids per subtask, reused (one long-lived producer "
                    + "each) | incrementing: a new id and producer per checkpoint per subtask.")
    KafkaSinks.TransactionNaming transactionNaming;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "json",
            description = "json: the seed's JSON events | avro: Confluent wire-format Avro (needs --schema-registry).")
    RouteOptions.Format format;

    @Option(
            names = "--schema-registry",
            paramLabel = "URL",
            description =
                    "avro: the URL of a Confluent-compatible schema registry, such as http://localhost:8081; schemas are read "
                            + "by id and registered under each destination's output_subject. Default: none.")
    String schemaRegistry;

    @Mixin
    RegistryCredentialOptions schemaRegistryCredentials;

    @Option(
            names = "--max-tenants",
            paramLabel = "N",
            defaultValue = "100",
            description = "Tenants (origin_service_type) with metrics of their own per subtask; the rest count as "
                    + "\"other\".")
    int maxTenants;

    @Option(
            names = "--output-record",
            paramLabel = "RECORD",
            defaultValue = "unchanged",
            description = "unchanged: each record as read, byte for byte | processor-to-consumer: the seed's "
                    + "ProcessorToConsumer record (origin_service_id, producer_event_timestamp, "
                    + "processor_event_timestamp, payload), Avro under each output_subject or a JSON object.")
    OutputRecord outputRecord;

    @Option(
            names = "--processor-id",
            paramLabel = "ID",
            description = "Names this router (the seed's -processor_id): a clickflow.processor header on every record "
                    + "it writes, and in its job name, so its metrics are told apart. Default: none.")
    String processorId;

    @Mixin
    RuntimeOptions runtime;

    /** Parses and checks a command line, as a run would before it starts anything. */
    public static RouteOptions parse(String... args) {
        return Cli.parse(new RouteCommand(), args).options();
    }

    /** The checked options; every mistake is a {@link UsageException} naming the option. */
    public RouteOptions options() {
        String input = topic("--input-topic", inputTopic);
        Destinations starting = Destinations.parseOption(destinations);
        String changes = destinationsTopic == null ? null : topic("--destinations-topic", destinationsTopic);
        String deadLetters = topic("--dead-letter-topic", deadLetterTopic);
        Cli.range("--max-tenants", maxTenants, 1, 10_000);
        RuntimeOptions checkedRuntime = runtime.validate();
        Sources.KafkaInput in = kafka.input(false, checkedRuntime);
        String prefix = transactionalIdPrefix != null
                ? topic("--transactional-id-prefix", transactionalIdPrefix)
                : in.groupId();
        String registry = schemaRegistry(format, schemaRegistry);
        RegistryCredentials credentials = schemaRegistryCredentials.credentials(registry);
        String processor = processorId(processorId);
        for (Destination d : starting.all()) {
            if (format == RouteOptions.Format.AVRO && d.outputSubject == null) {
                throw new UsageException("--destinations: " + d.name
                        + " has no output_subject, which --format avro needs to frame its records");
            }
            if (d.outputTopic.equals(input)) {
                throw new UsageException("--destinations: " + d.name + " writes to the input topic " + input
                        + ", which would route its records again");
            }
        }
        return new RouteOptions(
                in,
                input,
                starting,
                changes,
                deadLetters,
                outputDelivery.delivery(),
                prefix,
                transactionNaming,
                maxTenants,
                format,
                RegistryCredentials.strip(registry),
                credentials,
                checkedRuntime,
                outputRecord,
                processor);
    }

    static String schemaRegistry(RouteOptions.Format format, String url) {
        if (format != RouteOptions.Format.AVRO) {
            if (url != null) {
                throw new UsageException("--schema-registry: only for --format avro");
            }
            return null;
        }
        if (url == null || url.isBlank()) {
            throw new UsageException("--format avro needs --schema-registry URL");
        }
        String u = url.strip();
        URI uri;
        // A URL that may hold a password is not repeated in the message.
        String shown = u.contains("@") ? "the URL" : "'" + u + "'";
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new UsageException("--schema-registry: " + shown + " is not a URL");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new UsageException("--schema-registry: " + shown + " is not an http(s) URL with a host");
        }
        return u;
    }

    /** A header value and part of the job's name: printable ASCII, no spaces at its ends. */
    private static String processorId(String id) {
        if (id == null) {
            return null;
        }
        String s = id.strip();
        if (s.isEmpty() || s.length() > 200 || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new UsageException("--processor-id: give a name of printable ASCII characters (at most 200)");
        }
        return s;
    }

    private static String topic(String option, String value) {
        if (value.isBlank()) {
            throw new UsageException(option + ": give a name");
        }
        return value.strip();
    }

    @Override
    public Integer call() throws Exception {
        RouteOptions options = options();
        System.out.println("Route: " + describe(options));
        KafkaPreflight.checkTopics(options.kafka.bootstrapServers(), topics(options));
        checkSchemaRegistry(options);
        JobRunner.run(jobName(options), options.runtime, env -> RouteJob.build(env, options), progress());
        return 0;
    }

    /**
     * Every topic the job reads or writes at start: a missing output topic would block the producer and stall the
     * transaction, so it stops the command instead.
     */
    static List<KafkaPreflight.Topic> topics(RouteOptions o) {
        List<KafkaPreflight.Topic> topics = new ArrayList<>();
        topics.add(new KafkaPreflight.Topic(o.inputTopic, "--input-topic"));
        topics.add(new KafkaPreflight.Topic(o.deadLetterTopic, "--dead-letter-topic"));
        if (o.destinationsTopic != null) {
            topics.add(new KafkaPreflight.Topic(o.destinationsTopic, "--destinations-topic"));
        }
        for (Destination d : o.destinations.all()) {
            topics.add(new KafkaPreflight.Topic(d.outputTopic, "--destinations " + d.name));
        }
        return topics;
    }

    /** A registry that does not answer, or refuses the credentials, stops the command at start in one line. */
    static void checkSchemaRegistry(RouteOptions o) {
        if (o.schemaRegistry != null) {
            RegistryCredentialOptions.check(o.schemaRegistry, o.schemaRegistryCredentials);
        }
    }

    /** The job's name: with {@code --processor-id}, which Flink's metric scopes (and the dashboard's job filter) show. */
    public static String jobName(RouteOptions o) {
        return o.processorId == null ? "clickflow route" : "clickflow route " + o.processorId;
    }

    /** The progress line: records in, routed per destination, dead letters (no watermark: routing has no event time). */
    public static ProgressReporter progress() {
        return new ProgressReporter(null, RouteWorkflow.OPERATOR_NAME)
                .withoutWatermark()
                .withCounter("routed", RouteMetrics.ROUTED)
                .withCounter("dead letters", RouteMetrics.DEAD_LETTERS);
    }

    public static String describe(RouteOptions o) {
        return "Kafka " + o.kafka.bootstrapServers() + " topic " + o.inputTopic + " (group " + o.kafka.groupId()
                + (o.kafka.bounded() ? ", bounded" : "") + ") -> "
                + o.destinations.all().size()
                + (o.destinations.all().size() == 1 ? " destination " : " destinations ") + o.destinations
                + (o.destinationsTopic == null ? "" : ", changes from " + o.destinationsTopic)
                + (o.schemaRegistry == null ? "" : ", Avro with schema registry " + o.schemaRegistry)
                + (o.schemaRegistryCredentials == null ? "" : " as " + o.schemaRegistryCredentials)
                + (o.outputRecord == OutputRecord.UNCHANGED ? "" : ", writing " + Cli.name(o.outputRecord))
                + (o.processorId == null ? "" : ", processor " + o.processorId)
                + ", dead letters to " + o.deadLetterTopic + " (" + Cli.name(o.delivery) + ")"
                + JobRunner.describe(o.runtime);
    }
}
