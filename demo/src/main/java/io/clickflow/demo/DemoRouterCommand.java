package io.clickflow.demo;

import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;
import io.clickflow.route.GenerateTenantEventsCommand;
import io.clickflow.route.RouteCommand;
import io.clickflow.route.RouteJob;
import io.clickflow.route.RouteOptions;
import io.clickflow.route.RouteTraffic;
import io.clickflow.runner.JobRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow demo router}: a Kafka broker with the seed's topics, generated multi-tenant traffic (some of it
 * bad), and the router in a local MiniCluster with the Web UI, until Ctrl-C or --duration; in Avro, with a schema
 * registry and the seed's producer and consumer records.
 */
@Command(
        name = "router",
        header = "Start a Kafka broker, generate multi-tenant events and route them, with the Web UI.",
        description = {
            "Starts a Kafka broker (KRaft, child process) with the seed's topics, generates events of many tenants",
            "into producer.to.processor (a share naming an unconfigured destination, malformed ones, decoys) and runs",
            "the router on them, exactly once, in a local MiniCluster with the Flink Web UI. --format avro shows the",
            "seed's own shapes: a schema registry (Apicurio, child process), the seed's producer records in Avro, and",
            "the seed's consumer record written to the destinations. Everything lives under output/demo-router/ and",
            "is started afresh on each run. Ctrl-C (or --duration) stops it with a savepoint."
        })
public final class DemoRouterCommand implements Callable<Integer> {
    static final Path DIR = Path.of("output", "demo-router");
    /** The seed's destinations (deploy/route/destinations.json holds the same). */
    static final String DESTINATIONS =
            "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": \"processor.to.consumer-value\"},"
                    + " \"MARKETING\": {\"output_topic\": \"processor.to.marketing\", \"output_subject\":"
                    + " \"processor.to.consumer-value\"},"
                    + " \"LOGISTICS\": {\"output_topic\": \"processor.to.logistics\", \"output_subject\":"
                    + " \"processor.to.consumer-value\"}}";

    static final String CHANGES_TOPIC = "processor.destinations";
    static final String SHARED_SUBJECT = "processor.to.consumer-value";
    static final String ADDED_TOPIC_PREFIX = "processor.to.";
    /** kafka-runtime's console-consumer formatter for registry-framed Avro (on local-kafka.sh's classpath). */
    static final String AVRO_FORMATTER = "io.clickflow.broker.RegistryAvroFormatter";

    @Mixin
    DemoOptions demo;

    /** Where the demo lives; tests point it elsewhere. */
    Path dir = DIR;
    /** The broker's classpath file; null: where the launcher puts it. */
    Path kafkaClasspathFile;
    /** Apicurio Registry's unpacked folder; null: next to the broker's classpath file, where kafka-runtime puts it. */
    Path registryDir;
    /** Stops the running demo as Ctrl-C does (tests); null until the job is submitted. */
    volatile Runnable stop;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "json",
            description = "json: events with a destinations array | avro: the seed's shapes: its producer's records"
                    + " (one destination_service_type each) as Avro through a schema registry started here (Apicurio),"
                    + " routed to the seed's consumer record (--output-record processor-to-consumer).")
    RouteOptions.Format format;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "1000", description = "Generated events per second.")
    int rate;

    @Option(names = "--tenants", paramLabel = "N", defaultValue = "50", description = "Distinct producers.")
    int tenants;

    @Option(
            names = "--unconfigured-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.02",
            description = "Events that also name a destination nobody configured (they go on to the others).")
    double unconfiguredFraction;

    @Option(
            names = "--malformed-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.01",
            description = "Events that are not routable (bad JSON, no or empty destinations).")
    double malformedFraction;

    @Override
    public Integer call() throws Exception {
        demo.check();
        Cli.range("--rate", rate, 1, 1_000_000);
        Cli.range("--tenants", tenants, 1, 1_000_000);
        Cli.fraction("--unconfigured-fraction", unconfiguredFraction);
        Cli.fraction("--malformed-fraction", malformedFraction);
        boolean avro = format == RouteOptions.Format.AVRO;
        int brokerPort = DemoSession.brokerPort();
        int registryPort = avro ? ChildProcesses.freePort() : 0;
        RouteOptions job = jobOptions(brokerPort, registryPort);
        List<String> names = job.destinations.all().stream().map(d -> d.name).toList();

        try (DemoSession session = DemoSession.start(dir, kafkaClasspathFile, brokerPort);
                SchemaRegistryProcess registry = avro ? startRegistry(session, registryPort) : null) {
            KafkaBroker broker = session.broker();
            session.createTopics(demo.partitions, job.inputTopic);
            List<String> outputs = new ArrayList<>();
            job.destinations.all().forEach(d -> outputs.add(d.outputTopic));
            outputs.add(job.deadLetterTopic);
            session.createTopics(demo.partitions, outputs.toArray(String[]::new));
            session.createTopics(1, CHANGES_TOPIC);
            String bootstrap = broker.bootstrapServers();

            if (avro) {
                int schemaId = GenerateTenantEventsCommand.register(registry.url(), job.inputTopic);
                SeedTraffic events = new SeedTraffic(names, tenants, unconfiguredFraction, malformedFraction, 42);
                session.generate(rate, sender -> {
                    SeedTraffic.Record r = events.next(schemaId);
                    sender.send(job.inputTopic, r.key(), r.value());
                });
                System.out.printf(
                        "Generating %,d records/s of the seed's producer (Avro, schema id %d under %s) from %,d"
                                + " producers into %s (unconfigured destination %s, malformed %s).%n",
                        rate,
                        schemaId,
                        GenerateTenantEventsCommand.subject(job.inputTopic),
                        tenants,
                        job.inputTopic,
                        unconfiguredFraction,
                        malformedFraction);
            } else {
                RouteTraffic events = new RouteTraffic(
                        new RouteTraffic.Config(names, tenants, unconfiguredFraction, malformedFraction, 0.05, 42));
                session.generate(rate, sender -> {
                    RouteTraffic.Event e = events.next(System.currentTimeMillis());
                    sender.send(job.inputTopic, e.keyText(), e.value());
                });
                System.out.printf(
                        "Generating %,d events/s of %,d tenants into %s (unconfigured destination %s, malformed %s).%n",
                        rate, tenants, job.inputTopic, unconfiguredFraction, malformedFraction);
            }
            System.out.println("Route: " + RouteCommand.describe(job));
            String firstTopic = job.destinations.all().get(0).outputTopic;
            if (avro) {
                System.out.println("Read a destination as Avro (the seed's ProcessorToConsumer, decoded with the"
                        + " registry's schema):");
                System.out.println("  " + readAvroCommand(bootstrap, firstTopic, registry.url()));
            } else {
                System.out.println("Watch a destination (read_committed, with the router's headers):");
                System.out.println("  " + watchCommand(bootstrap, firstTopic));
            }
            System.out.println("Add a destination while it runs (records naming " + RouteTraffic.UNCONFIGURED
                    + " go to the dead-letter topic until then; then the progress line shows "
                    + RouteTraffic.UNCONFIGURED + " and dead letters grow by the malformed ones only):");
            for (String line : addDestinationCommands(bootstrap, avro)) {
                System.out.println("  " + line);
            }
            JobRunner.run(
                    "clickflow demo router",
                    job.runtime,
                    env -> RouteJob.build(env, job),
                    RouteCommand.progress(),
                    session.whenSubmitted(demo.duration).andThen(stop -> this.stop = stop));
        }
        return 0;
    }

    private SchemaRegistryProcess startRegistry(DemoSession session, int port) throws Exception {
        Path from = registryDir != null
                ? registryDir
                : SchemaRegistryProcess.defaultDir(
                        kafkaClasspathFile != null ? kafkaClasspathFile : KafkaBroker.defaultRuntimeClasspath());
        Path log = session.dir().resolve("schema-registry.log");
        System.out.println("Starting a schema registry (Apicurio Registry, in memory, log in " + log + ")...");
        SchemaRegistryProcess registry = SchemaRegistryProcess.start(from, log, port);
        System.out.println("Schema registry at " + registry.url());
        return registry;
    }

    /** Kafka's console consumer on {@code topic}: committed records only, with the router's headers. */
    static String watchCommand(String bootstrap, String topic) {
        return "deploy/local-kafka.sh kafka-console-consumer --bootstrap-server " + bootstrap + " --topic " + topic
                + " --isolation-level read_committed --formatter-property print.headers=true";
    }

    /** Kafka's console consumer on {@code topic} with kafka-runtime's formatter decoding the registry's Avro. */
    static String readAvroCommand(String bootstrap, String topic, String registryUrl) {
        return "deploy/local-kafka.sh kafka-console-consumer --bootstrap-server " + bootstrap + " --topic " + topic
                + " --from-beginning --isolation-level read_committed --formatter " + AVRO_FORMATTER
                + " --formatter-property schema.registry.url=" + registryUrl + " --formatter-property print.key=true";
    }

    /** The shell commands that add the destination the generator names but nobody configured. */
    static List<String> addDestinationCommands(String bootstrap, boolean avro) {
        String name = RouteTraffic.UNCONFIGURED;
        String topic = ADDED_TOPIC_PREFIX + name.toLowerCase(Locale.ROOT);
        String entry = "{\"output_topic\": \"" + topic + "\""
                + (avro ? ", \"output_subject\": \"" + SHARED_SUBJECT + "\"" : "") + "}";
        return List.of(
                "deploy/local-kafka.sh kafka-topics --bootstrap-server " + bootstrap + " --create --topic " + topic,
                "echo '" + name + "|" + entry + "' | deploy/local-kafka.sh kafka-console-producer --bootstrap-server "
                        + bootstrap + " --topic " + CHANGES_TOPIC
                        + " --reader-property parse.key=true --reader-property key.separator='|'");
    }

    /** The router's options, naming the broker and (Avro) the registry on the ports they will listen on. */
    RouteOptions jobOptions(int brokerPort, int registryPort) {
        List<String> args =
                new ArrayList<>(List.of("--destinations", DESTINATIONS, "--destinations-topic", CHANGES_TOPIC));
        if (format == RouteOptions.Format.AVRO) {
            args.addAll(List.of(
                    "--format",
                    "avro",
                    "--schema-registry",
                    SchemaRegistryProcess.url(registryPort),
                    "--output-record",
                    "processor-to-consumer"));
        }
        return RouteCommand.parse(demo.jobArgs(brokerPort, "clickflow-demo-router", dir, args.toArray(String[]::new)));
    }
}
