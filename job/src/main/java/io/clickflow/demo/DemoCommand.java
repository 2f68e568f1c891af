package io.clickflow.demo;

import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.AttributionJob;
import io.clickflow.attribution.AttributionOptions;
import io.clickflow.cli.CommandLine;
import io.clickflow.generator.ClickstreamGenerator;
import io.clickflow.generator.GenerateCommand;
import io.clickflow.runner.JobRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@code ./clickflow demo}: a real Kafka broker as a child process, the generator writing to it, and
 * the attribution job reading it in a local MiniCluster with the Web UI, until Ctrl-C or --duration.
 */
public final class DemoCommand {
    private DemoCommand() {}

    static final Path DEMO_DIR = Path.of("output", "demo");

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine("demo",
                "Starts a Kafka broker (KRaft, child process), creates the topics, generates traffic into them and runs\n"
                        + "the attribution job on it in a local MiniCluster with the Flink Web UI. Everything lives under\n"
                        + DEMO_DIR + "/ and is started afresh on each run. Ctrl-C stops it all.")
                .option("duration", "DURATION", "0", "Stop by itself after this long (0: run until Ctrl-C).")
                .option("partitions", "N", "4", "Partitions of each topic.")
                .option("rate", "N", "1000", "Generated events per second.")
                .option("emit-mode", "MODE", "update", "on-watermark | update (see ./clickflow attribution --help).")
                .option("out-of-orderness", "DURATION", "5s", "Watermark bound of the job.")
                .option("attribution-window", "DURATION", "30m", "Attribution window of the job.")
                .option("parallelism", "N", "2", "Parallelism of the job.")
                .option("state-backend", "NAME", "hashmap", "hashmap | rocksdb.")
                .option("web-port", "PORT", "8081", "Port of the Flink Web UI.")
                .option("progress-interval", "DURATION", "5s", "How often a progress line is printed.");
        GenerateCommand.declareTraffic(cl, new GenerateCommand.TrafficDefaults("20000", "0.1", "2s", "0.001", "0.001", "0.002"));
        return cl;
    }

    public static void run(String[] args) throws Exception {
        CommandLine cl = commandLine().parse(args);
        if (cl.helpRequested()) {
            System.out.print(cl.help());
            return;
        }
        Duration duration = cl.duration("duration");
        int partitions = cl.integer("partitions", 1, 64);
        ClickstreamGenerator.Config generatorConfig = GenerateCommand.config(cl, System.currentTimeMillis());
        // Parse the job's options before starting anything, so a bad one stops the demo at once.
        AttributionOptions job = jobOptions(cl);
        Path classpath = KafkaBroker.defaultRuntimeClasspath();

        deleteRecursively(DEMO_DIR);
        Files.createDirectories(DEMO_DIR);
        System.out.println("Starting a Kafka broker (KRaft, logs in " + DEMO_DIR.resolve("kafka") + ")...");
        KafkaBroker broker = KafkaBroker.start(DEMO_DIR.resolve("kafka"), classpath);
        AtomicBoolean stopGenerator = new AtomicBoolean();
        Thread generator = null;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-timer");
            t.setDaemon(true);
            return t;
        });
        try {
            broker.createTopic(job.clicksTopic, partitions);
            broker.createTopic(job.pageViewsTopic, partitions);
            System.out.println("Kafka at " + broker.bootstrapServers() + "; topics " + job.clicksTopic + " and " + job.pageViewsTopic
                    + " with " + partitions + " partitions each.");
            job.kafka = new io.clickflow.io.Sources.KafkaInput(broker.bootstrapServers(), job.kafka.groupId(),
                    job.kafka.startingOffsets(), false, job.kafka.properties());

            generator = new Thread(() -> {
                try {
                    // Event time starts now, not when the options were read: the broker took seconds to start.
                    ClickstreamGenerator live = new ClickstreamGenerator(generatorConfig.withStartTime(System.currentTimeMillis()));
                    GenerateCommand.toKafka(live, Long.MAX_VALUE, broker.bootstrapServers(),
                            job.clicksTopic, job.pageViewsTopic, true, generatorConfig.eventsPerSecond(), stopGenerator, null);
                } catch (Exception e) {
                    if (!stopGenerator.get()) {
                        System.err.println("Generator stopped: " + e);
                    }
                }
            }, "demo-generator");
            generator.setDaemon(true);
            generator.start();
            System.out.printf("Generating %,.0f events/s for %,d users (late %s, malformed %s, duplicates %s).%n",
                    generatorConfig.eventsPerSecond(), generatorConfig.users(), cl.string("late-fraction"),
                    cl.string("malformed-fraction"), cl.string("duplicate-fraction"));

            System.out.println("Attribution: " + job.database.describe() + ", emit " + job.settings.emitMode().cliName());
            JobRunner.run("clickflow demo attribution", job.runtime, env -> AttributionJob.build(env, job),
                    AttributionCommand.progress(job), client -> {
                        if (!duration.isZero()) {
                            timer.schedule(() -> client.cancel(), duration.toMillis(), TimeUnit.MILLISECONDS);
                        }
                    });
        } finally {
            timer.shutdownNow();
            stopGenerator.set(true);
            if (generator != null) {
                generator.join(10_000);
            }
            broker.close();
        }
        Path db = job.database.sqliteFile();
        System.out.println();
        System.out.println("Look at the result:");
        System.out.println("  sqlite3 " + db + " \"SELECT * FROM attributed_page_views ORDER BY event_time DESC LIMIT 10\"");
        System.out.println("  sqlite3 " + db + " \"SELECT is_final, COUNT(*), COUNT(attributed_click_id) FROM attributed_page_views GROUP BY is_final\"");
        System.out.println("  sqlite3 " + db + " \"SELECT * FROM late_events LIMIT 5; SELECT * FROM rejected_events LIMIT 5\"");
    }

    static AttributionOptions jobOptions(CommandLine cl) {
        List<String> args = new ArrayList<>(List.of(
                "--starting-offsets", "earliest",
                "--group-id", "clickflow-demo",
                "--jdbc-url", "jdbc:sqlite:" + DEMO_DIR.resolve("clickflow.db"),
                "--checkpoint-dir", DEMO_DIR.resolve("checkpoints").toString()));
        for (String pass : List.of("emit-mode", "out-of-orderness", "attribution-window", "parallelism", "state-backend",
                "web-port", "progress-interval")) {
            args.add("--" + pass);
            args.add(cl.string(pass));
        }
        return AttributionOptions.parse(AttributionOptions.commandLine().parse(args.toArray(String[]::new)));
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
