package io.clickflow.route;

import io.clickflow.cli.JobCommand;
import io.clickflow.cli.KafkaOptions;
import io.clickflow.cli.RuntimeOptions;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.io.KafkaSinks;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.runner.ProgressReporter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./clickflow route}: checks the options and the topics, then runs the router locally or on a cluster. */
@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        abbreviateSynopsis = true,
        versionProvider = Cli.Version.class,
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

    @Option(
            names = "--output-delivery",
            paramLabel = "GUARANTEE",
            defaultValue = "exactly-once",
            description =
                    "exactly-once: Kafka transactions per checkpoint | at-least-once: at once, repeats after a restart.")
    KafkaSinks.Delivery outputDelivery;

    @Option(
            names = "--transactional-id-prefix",
            paramLabel = "PREFIX",
            description = "exactly-once: prefix of the sink's transactional ids, unique per job on a Kafka cluster. "
                    + "Default: the consumer group id.")
    String transactionalIdPrefix;

    @Option(
            names = "--max-tenants",
            paramLabel = "N",
            defaultValue = "100",
            description = "Tenants (origin_service_type) with metrics of their own per subtask; the rest count as "
                    + "\"other\".")
    int maxTenants;

    @Mixin
    RuntimeOptions runtime;

    /** Parses and checks a command line, as a run would before it starts anything. */
    public static RouteOptions parse(String... args) {
        return Cli.parse(new RouteCommand(), args).options();
    }

    /** The checked options; every mistake is a {@link UsageException} naming the option. */
    public RouteOptions options() {
        RouteOptions o = new RouteOptions();
        o.inputTopic = topic("--input-topic", inputTopic);
        o.destinations = Destinations.parseOption(destinations);
        o.destinationsTopic = destinationsTopic == null ? null : topic("--destinations-topic", destinationsTopic);
        o.deadLetterTopic = topic("--dead-letter-topic", deadLetterTopic);
        o.delivery = outputDelivery;
        Cli.range("--max-tenants", maxTenants, 1, 10_000);
        o.maxTenants = maxTenants;
        o.runtime = runtime.validate();
        o.kafka = kafka.input(false, o.runtime);
        o.transactionalIdPrefix = transactionalIdPrefix != null
                ? topic("--transactional-id-prefix", transactionalIdPrefix)
                : o.kafka.groupId();
        for (Destination d : o.destinations.all()) {
            if (d.outputTopic.equals(o.inputTopic)) {
                throw new UsageException("--destinations: " + d.name + " writes to the input topic " + o.inputTopic
                        + ", which would route its records again");
            }
        }
        return o;
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
        JobRunner.run(
                "clickflow route",
                options.runtime,
                env -> RouteJob.build(env, options),
                new ProgressReporter(null, RouteWorkflow.OPERATOR_NAME)
                        .withoutWatermark()
                        .withCounter("routed", RouteMetrics.ROUTED)
                        .withCounter("dead letters", RouteMetrics.DEAD_LETTERS));
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

    static String describe(RouteOptions o) {
        return "Kafka " + o.kafka.bootstrapServers() + " topic " + o.inputTopic + " (group " + o.kafka.groupId()
                + (o.kafka.bounded() ? ", bounded" : "") + ") -> "
                + o.destinations.all().size()
                + " destinations " + o.destinations
                + (o.destinationsTopic == null ? "" : ", changes from " + o.destinationsTopic)
                + ", dead letters to " + o.deadLetterTopic + " (" + Cli.name(o.delivery) + ")"
                + JobRunner.describe(o.runtime);
    }
}
