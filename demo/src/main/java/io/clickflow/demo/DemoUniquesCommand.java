package io.clickflow.demo;

import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.ProgressReporter;
import io.clickflow.runner.TableCounts;
import io.clickflow.tables.UniquesTables;
import io.clickflow.uniques.FrameGenerator;
import io.clickflow.uniques.UniquesCommand;
import io.clickflow.uniques.UniquesJob;
import io.clickflow.uniques.UniquesOptions;
import io.clickflow.uniques.UniquesWorkflow;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow demo uniques}: a Kafka broker, generated frames at a steady rate with some late and malformed
 * ones, and the unique-users job over one-minute and one-hour windows in update mode, with the Web UI and a progress
 * line, until Ctrl-C or --duration.
 */
@Command(
        name = "uniques",
        header = "Start a Kafka broker, generate frames and count unique users per minute and hour, with the Web UI.",
        description = {
            "Starts a Kafka broker (KRaft, child process), generates frames of the unique-users seed's shape into the",
            "topic 'frames' (event time = now; some frames late, some malformed) and runs the unique-users job on them",
            "in a local MiniCluster with the Flink Web UI: exact counts over 1m and 1h windows, update mode, into",
            "output/demo-uniques/clickflow.db and the topic unique_users (exactly once). Everything lives under",
            "output/demo-uniques/ and is started afresh on each run. Ctrl-C (or --duration) stops it with a savepoint."
        })
public final class DemoUniquesCommand implements Callable<Integer> {
    static final Path DIR = Path.of("output", "demo-uniques");
    /** The minute windows' size in unique_users, for the progress line. */
    static final long MINUTE_SECONDS = 60;

    @Mixin
    DemoOptions demo;

    /** Where the demo lives; tests point it elsewhere. */
    Path dir = DIR;
    /** The broker's classpath file; null: where the launcher puts it. */
    Path kafkaClasspathFile;
    /** The API's classpath file; null: the launcher's (tests set it). */
    Path apiClasspathFile;

    @Mixin
    ResultsPageServer.PortOption pageOptions;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "300", description = "Generated frames per second.")
    int rate;

    @Option(names = "--users", paramLabel = "N", defaultValue = "5000", description = "Distinct users.")
    int users;

    @Option(
            names = "--late-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.01",
            description = "Frames whose time is --late-by in the past: too late for their minute (late_events), still"
                    + " counted in their hour while it is open.")
    double lateFraction;

    @Option(
            names = "--late-by",
            paramLabel = "DURATION",
            defaultValue = "2m",
            description = "How far in the past a late frame is.")
    Duration lateBy;

    @Option(
            names = "--malformed-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.005",
            description = "Lines that are not frames (bad JSON, no uid, a ts that is not a number): rejected_events.")
    double malformedFraction;

    @Override
    public Integer call() throws Exception {
        demo.check();
        Cli.range("--rate", rate, 1, 100_000);
        Cli.range("--users", users, 1, 10_000_000);
        Cli.fraction("--late-fraction", lateFraction);
        Cli.fraction("--malformed-fraction", malformedFraction);
        if (lateBy.isNegative() || lateBy.toSeconds() < 1) {
            throw new UsageException("--late-by must be at least 1s");
        }
        // Parse the job's options before starting anything, so a bad one stops the demo at once.
        int brokerPort = DemoSession.brokerPort();
        UniquesOptions job = jobOptions(brokerPort);
        String apiClasspath = ResultsPageServer.check(pageOptions.pagePort, demo.webPort, apiClasspathFile);
        try (DemoSession session = DemoSession.start(dir, kafkaClasspathFile, brokerPort)) {
            KafkaBroker broker = session.broker();
            session.createTopics(demo.partitions, job.framesTopic, job.outputTopic, ResultsPageServer.EVENTS_TOPIC);
            session.serveResultsPage(apiClasspath, pageOptions.pagePort, job.database.sqliteFile(), demo.webPort);
            FrameGenerator frames = new FrameGenerator(42, users, System.currentTimeMillis() / 1000, rate, 2)
                    .withFaults(lateFraction, lateBy.toSeconds(), malformedFraction);
            session.generate(
                    rate,
                    sender -> sender.send(
                            job.framesTopic, null, frames.next().json().getBytes(StandardCharsets.UTF_8)));
            System.out.printf(
                    "Generating %,d frames/s of %,d users into %s (late by %s: %s, malformed %s).%n",
                    rate, users, job.framesTopic, Durations.format(lateBy), lateFraction, malformedFraction);
            System.out.println("Unique users: " + UniquesCommand.describe(job));
            System.out.println("Watch the counts (read_committed):");
            System.out.println("  deploy/local-kafka.sh kafka-console-consumer --bootstrap-server "
                    + broker.bootstrapServers() + " --topic " + job.outputTopic + " --isolation-level read_committed");
            JobRunner.run(
                    "clickflow demo uniques",
                    job.runtime,
                    env -> UniquesJob.build(env, job),
                    progress(job),
                    session.whenSubmitted(demo.duration));
        }
        DemoSession.printQueries(
                job.database.sqliteFile(),
                "SELECT window_seconds, window_start, unique_users, is_final FROM " + UniquesTables.UNIQUE_USERS.name()
                        + " ORDER BY window_start DESC, window_seconds LIMIT 10",
                DemoSession.DEAD_LETTERS_QUERY);
        return 0;
    }

    /** The uniques progress line, with the newest minute's count next to the table's rows. */
    static ProgressReporter progress(UniquesOptions job) {
        TableCounts counts = new TableCounts(job.database)
                .rowsAndFinal(UniquesTables.UNIQUE_USERS, "windows")
                .add(
                        "SELECT COALESCE((SELECT unique_users FROM " + UniquesTables.UNIQUE_USERS.name()
                                + " WHERE window_seconds = " + MINUTE_SECONDS
                                + " ORDER BY window_start DESC LIMIT 1), 0)",
                        "users this minute")
                .withDeadLetters();
        return new ProgressReporter(counts, UniquesWorkflow.OPERATOR_NAME);
    }

    UniquesOptions jobOptions(int brokerPort) {
        return UniquesCommand.parse(demo.jobArgs(
                brokerPort,
                "clickflow-demo-uniques",
                dir,
                "--windows",
                "1m,1h",
                "--emit-mode",
                "update",
                "--jdbc-url",
                DemoOptions.sqliteUrl(dir)));
    }
}
