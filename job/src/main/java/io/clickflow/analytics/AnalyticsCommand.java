package io.clickflow.analytics;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.DatabaseOptions;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.Sketches;
import io.clickflow.options.CountingOptions;
import io.clickflow.options.JobCommand;
import io.clickflow.options.KafkaOptions;
import io.clickflow.options.RetentionOptions;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.runner.ProgressReporter;
import io.clickflow.runner.TableCounts;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./clickflow analytics}: checks the options, then runs the job locally or on the cluster it was submitted to. */
@Command(
        name = "analytics",
        resourceBundle = "io.clickflow.analytics.AnalyticsHelp",
        header = "Count unique users, clicks and impressions per UTC hour (Kafka or a file in, database out).",
        description = {
            "Counts per UTC hour of event time (timestamp) the distinct users, clicks and impressions of the events",
            "API servers write, into the hourly_stats table, corrected for events up to --allowed-lateness late."
        })
public final class AnalyticsCommand implements Callable<Integer>, JobCommand {
    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--events-topic",
            paramLabel = "TOPIC",
            defaultValue = "analytics_events",
            description = "Topic of analytics events.")
    String eventsTopic;

    @Option(
            names = "--events-file",
            paramLabel = "PATH",
            description =
                    "Read events from a JSON-lines file, or every file in a folder (in parallel), instead of Kafka "
                            + "(.gz accepted); bounded.")
    Path eventsFile;

    @Option(
            names = "--dedup-window",
            paramLabel = "DURATION",
            defaultValue = "24h",
            description = "A POST's idempotency key counts once for this long after its event is first seen"
                    + " (processing time; each key's state is also dropped with its hour).")
    Duration dedupWindow;

    @Mixin
    CountingOptions counting;

    @Mixin
    DatabaseOptions database;

    @Mixin
    RetentionOptions retention;

    @Mixin
    RuntimeOptions runtime;

    /** Parses and checks a command line, as a run would before it starts anything. */
    public static AnalyticsOptions parse(String... args) {
        return Cli.parse(new AnalyticsCommand(), args).options();
    }

    /** The checked options; every mistake is a {@link UsageException} naming the option. */
    public AnalyticsOptions options() {
        if (eventsFile != null && !Files.isRegularFile(eventsFile) && !Files.isDirectory(eventsFile)) {
            throw new UsageException("--events-file: no such file or folder " + eventsFile);
        }
        if (dedupWindow.isZero() || dedupWindow.isNegative()) {
            throw new UsageException("--dedup-window must be positive, not " + Durations.format(dedupWindow));
        }
        AnalyticsWorkflow.Settings settings = new AnalyticsWorkflow.Settings(
                counting.counting(AnalyticsWorkflow::hours).withCounters(AssignHours.COUNTERS),
                counting.outOfOrderness(),
                counting.idleTimeout(kafka.boundedInput(eventsFile != null)),
                dedupWindow);
        Database db = database.database();
        RuntimeOptions checkedRuntime = runtime.validate();
        Duration kept = retention.validate(
                Duration.ofMillis(settings.counting().allowedLatenessMillis()), "--allowed-lateness");
        return new AnalyticsOptions(
                kafka.input(eventsFile != null, checkedRuntime, AnalyticsJob.CONSUMER_DEFAULTS),
                eventsTopic,
                eventsFile,
                settings,
                db,
                kept,
                checkedRuntime);
    }

    @Override
    public Integer call() throws Exception {
        AnalyticsOptions options = options();
        System.out.println("Hourly analytics: " + describe(options));
        if (!options.fileMode()) {
            KafkaPreflight.checkTopics(
                    options.kafka.bootstrapServers(),
                    List.of(new KafkaPreflight.Topic(options.eventsTopic, "--events-topic")));
        }
        JobRunner.run(
                "clickflow analytics", options.runtime, env -> AnalyticsJob.build(env, options), progress(options));
        return 0;
    }

    static String describe(AnalyticsOptions o) {
        CountingSettings c = o.settings.counting();
        String in = o.fileMode()
                ? "file " + o.eventsFile
                : "Kafka " + o.kafka.bootstrapServers() + " topic " + o.eventsTopic + " (group " + o.kafka.groupId()
                        + (o.kafka.bounded() ? ", bounded" : "") + ")";
        String count = c.countMode() == CountMode.EXACT
                ? "exact"
                : String.format(
                        "hll lgK %d (relative standard error %.2f%%)",
                        c.hllLgK(), 100 * Sketches.relativeStandardError(c.hllLgK()));
        return in + " -> " + o.database.describe() + "; hourly, users " + count
                + ", emit " + Cli.name(c.emitMode())
                + (c.emitMode() == EmitMode.UPDATE
                        ? " every " + Durations.format(Duration.ofMillis(c.updateIntervalMillis()))
                        : "")
                + ", out-of-orderness " + Durations.format(o.settings.outOfOrderness())
                + ", allowed lateness " + Durations.format(Duration.ofMillis(c.allowedLatenessMillis()))
                + ", dedup window " + Durations.format(o.settings.dedupWindow())
                + JobRunner.describe(o.runtime);
    }

    /** The progress line: Flink's events in and watermark, and the rows of the job's tables. */
    public static ProgressReporter progress(AnalyticsOptions o) {
        TableCounts counts = new TableCounts(o.database)
                .rowsAndFinal(AnalyticsTables.HOURLY, "hours")
                .withDeadLetters();
        return new ProgressReporter(counts, AnalyticsWorkflow.OPERATOR_NAME);
    }
}
