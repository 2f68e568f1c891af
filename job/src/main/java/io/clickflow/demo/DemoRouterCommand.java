package io.clickflow.demo;

import io.clickflow.commandline.Cli;
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
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow demo router}: a Kafka broker with the seed's topics, generated multi-tenant traffic (some of it
 * bad), and the router in a local MiniCluster with the Web UI, until Ctrl-C or --duration.
 */
@Command(
        name = "router",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        abbreviateSynopsis = true,
        versionProvider = Cli.Version.class,
        header = "Start a Kafka broker, generate multi-tenant events and route them, with the Web UI.",
        description = {
            "Starts a Kafka broker (KRaft, child process) with the seed's topics, generates events of many tenants",
            "into producer.to.processor (a share naming an unconfigured destination, malformed ones, decoys) and runs",
            "the router on them, exactly once, in a local MiniCluster with the Flink Web UI. Everything lives under",
            "output/demo-router/ and is started afresh on each run. Ctrl-C (or --duration) stops it with a savepoint."
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

    @Mixin
    DemoOptions demo;

    /** Where the demo lives; tests point it elsewhere. */
    Path dir = DIR;
    /** The broker's classpath file; null: where the launcher puts it. */
    Path kafkaClasspathFile;

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
        RouteOptions job = jobOptions();
        List<String> names = job.destinations.all().stream().map(d -> d.name).toList();
        RouteTraffic.Config traffic =
                new RouteTraffic.Config(names, tenants, unconfiguredFraction, malformedFraction, 0.05, 42);

        try (DemoSession session = DemoSession.start(dir, kafkaClasspathFile)) {
            KafkaBroker broker = session.broker();
            session.createTopics(demo.partitions, job.inputTopic);
            List<String> outputs = new ArrayList<>();
            job.destinations.all().forEach(d -> outputs.add(d.outputTopic));
            outputs.add(job.deadLetterTopic);
            session.createTopics(demo.partitions, outputs.toArray(String[]::new));
            session.createTopics(1, CHANGES_TOPIC);
            job.kafka = session.kafkaInput(job.kafka);

            RouteTraffic events = new RouteTraffic(traffic);
            session.generate(rate, sender -> {
                RouteTraffic.Event e = events.next();
                sender.send(job.inputTopic, e.keyText(), e.value());
            });
            System.out.printf(
                    "Generating %,d events/s of %,d tenants into %s (unconfigured destination %s, malformed %s).%n",
                    rate, tenants, job.inputTopic, unconfiguredFraction, malformedFraction);
            System.out.println("Route: " + RouteCommand.describe(job));
            System.out.println("Watch a destination (read_committed, with the router's headers):");
            System.out.println(
                    "  deploy/local-kafka.sh kafka-console-consumer --bootstrap-server " + broker.bootstrapServers()
                            + " --topic " + job.destinations.all().get(0).outputTopic
                            + " --isolation-level read_committed --property print.headers=true");
            System.out.println("Add a destination while it runs (records naming LEGAL go to the dead-letter topic until"
                    + " then):");
            System.out.println("  deploy/local-kafka.sh kafka-topics --bootstrap-server " + broker.bootstrapServers()
                    + " --create --topic processor.to.legal");
            System.out.println("  echo 'LEGAL|{\"output_topic\": \"processor.to.legal\"}' | deploy/local-kafka.sh"
                    + " kafka-console-producer --bootstrap-server " + broker.bootstrapServers() + " --topic "
                    + CHANGES_TOPIC + " --property parse.key=true --property key.separator='|'");
            JobRunner.run(
                    "clickflow demo router",
                    job.runtime,
                    env -> RouteJob.build(env, job),
                    RouteCommand.progress(),
                    session.whenSubmitted(demo.duration));
        }
        return 0;
    }

    RouteOptions jobOptions() {
        return RouteCommand.parse(demo.jobArgs(
                "clickflow-demo-router", dir, "--destinations", DESTINATIONS, "--destinations-topic", CHANGES_TOPIC));
    }
}
