package io.clickflow.analytics;

import io.clickflow.cli.DatabaseOptions;
import io.clickflow.cli.JobCommand;
import io.clickflow.cli.KafkaOptions;
import io.clickflow.cli.RuntimeOptions;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.Sketches;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.runner.ProgressReporter;
import io.clickflow.runner.TableCounts;
import io.clickflow.stream.EmitMode;

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
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        abbreviateSynopsis = true,
        versionProvider = Cli.Version.class,
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
            names = "--count",
            paramLabel = "MODE",
            defaultValue = "exact",
            description =
                    "exact: every distinct user of an open hour held | hll: HyperLogLog sketches (see --hll-lg-k).")
    CountMode count;

    @Option(
            names = "--hll-lg-k",
            paramLabel = "N",
            defaultValue = "14",
            description =
                    "hll: log2 of the sketch's registers, 4..21; 14 = 16 KB per sketch, relative standard error 0.81%%.")
    int hllLgK;

    @Option(
            names = "--emit-mode",
            paramLabel = "MODE",
            defaultValue = "update",
            description = "update: provisional rows, then final | on-watermark: one final row per hour.")
    EmitMode emitMode;

    @Option(
            names = "--update-interval",
            paramLabel = "DURATION",
            defaultValue = "1s",
            description = "update: an hour's provisional row is refreshed at most this often, and a count reaches "
                    + "the table within about this long.")
    Duration updateInterval;

    @Option(
            names = "--out-of-orderness",
            paramLabel = "DURATION",
            defaultValue = "5s",
            description =
                    "How far event time may go backwards within a Kafka partition or file before an event is late.")
    Duration outOfOrderness;

    @Option(
            names = "--allowed-lateness",
            paramLabel = "DURATION",
            defaultValue = "24h",
            description = "A final hour is still corrected (and re-emitted) for events this late; later ones go "
                    + "to late_events.")
    Duration allowedLateness;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "A partition silent this long stops holding the watermark back (0: never).")
    Duration idleTimeout;

    @Mixin
    DatabaseOptions database;

    @Mixin
    RuntimeOptions runtime;

    /** Parses and checks a command line, as a run would before it starts anything. */
    public static AnalyticsOptions parse(String... args) {
        return Cli.parse(new AnalyticsCommand(), args).options();
    }

    /** The checked options; every mistake is a {@link UsageException} naming the option. */
    public AnalyticsOptions options() {
        AnalyticsOptions o = new AnalyticsOptions();
        o.eventsTopic = eventsTopic;
        if (eventsFile != null) {
            if (!Files.isRegularFile(eventsFile) && !Files.isDirectory(eventsFile)) {
                throw new UsageException("--events-file: no such file or folder " + eventsFile);
            }
            o.eventsFile = eventsFile;
        }
        Cli.range("--hll-lg-k", hllLgK, 4, 21);
        if (updateInterval.toMillis() < 10) {
            throw new UsageException("--update-interval must be at least 10ms");
        }
        o.settings = new AnalyticsWorkflow.Settings(
                AnalyticsWorkflow.counting(count, hllLgK, emitMode, updateInterval, allowedLateness),
                outOfOrderness,
                idleTimeout);
        o.database = database.database();
        o.runtime = runtime.validate();
        o.kafka = kafka.input(o.fileMode(), o.runtime);
        return o;
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
                + JobRunner.describe(o.runtime);
    }

    /** The progress line: Flink's events in and watermark, and the rows of the job's tables. */
    public static ProgressReporter progress(AnalyticsOptions o) {
        TableCounts counts = new TableCounts(o.database)
                .add("SELECT COUNT(*), COALESCE(SUM(is_final), 0) FROM hourly_stats", "hours", "final")
                .withDeadLetters();
        return new ProgressReporter(counts, AnalyticsWorkflow.OPERATOR_NAME);
    }
}
