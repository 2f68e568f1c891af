package io.clickflow.uniques;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.DatabaseOptions;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.Sketches;
import io.clickflow.counting.WindowKeys;
import io.clickflow.options.CountingOptions;
import io.clickflow.options.DeliveryOptions;
import io.clickflow.options.JobCommand;
import io.clickflow.options.KafkaOptions;
import io.clickflow.options.RetentionOptions;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.runner.ProgressReporter;
import io.clickflow.runner.TableCounts;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.tables.UniquesTables;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code ./clickflow uniques}: checks the options, then runs the job locally or on the cluster it was submitted to. */
@Command(
        name = "uniques",
        resourceBundle = "io.clickflow.uniques.UniquesHelp",
        header = "Count unique users per minute/hour/day in JSON frames (Kafka or a file in, database and Kafka out).",
        description = {
            "Counts unique users (root-level uid) per tumbling UTC window of event time (root-level ts) in JSON frames,",
            "exactly or with an HLL sketch, into the unique_users table and a Kafka topic. Reads Kafka (default) or a file."
        })
public final class UniquesCommand implements Callable<Integer>, JobCommand {
    /** --output-topic's default: the {@code unique_users} topic when reading Kafka, none when reading a file. */
    static final String AUTO = "auto";

    static final String DEFAULT_OUTPUT_TOPIC = "unique_users";

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--frames-topic", paramLabel = "TOPIC", defaultValue = "frames", description = "Topic of frames.")
    String framesTopic;

    @Option(
            names = "--frames-file",
            paramLabel = "PATH",
            description =
                    "Read frames from a JSON-lines file, or every file in a folder (in parallel), instead of Kafka "
                            + "(.gz accepted); bounded.")
    Path framesFile;

    @Option(
            names = "--windows",
            paramLabel = "LIST",
            defaultValue = "1m",
            description = "Window sizes, comma-separated (e.g. 1m,1h,1d): tumbling, aligned to UTC, whole seconds.")
    String windows;

    @Mixin
    CountingOptions counting;

    @Option(
            names = "--output-topic",
            paramLabel = "TOPIC",
            defaultValue = AUTO,
            description = "Kafka topic for the counts as JSON, keyed by window; none: only the database (auto: "
                    + DEFAULT_OUTPUT_TOPIC + " when reading Kafka, none when reading a file).")
    String outputTopic;

    @Mixin
    DeliveryOptions outputDelivery;

    @Mixin
    DatabaseOptions database;

    @Mixin
    RetentionOptions retention;

    @Mixin
    RuntimeOptions runtime;

    /** Parses and checks a command line, as a run would before it starts anything. */
    public static UniquesOptions parse(String... args) {
        return Cli.parse(new UniquesCommand(), args).options();
    }

    /** The checked options; every mistake is a {@link UsageException} naming the option. */
    public UniquesOptions options() {
        if (framesFile != null && !Files.isRegularFile(framesFile) && !Files.isDirectory(framesFile)) {
            throw new UsageException("--frames-file: no such file or folder " + framesFile);
        }
        boolean fileMode = framesFile != null;
        String topic = outputTopic.equals(AUTO)
                ? (fileMode ? null : DEFAULT_OUTPUT_TOPIC)
                : outputTopic.equals("none") ? null : outputTopic;
        if (topic != null && topic.isBlank()) {
            throw new UsageException("--output-topic: give a topic name, or none");
        }
        List<Duration> sizes;
        try {
            sizes = parseWindows(windows);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--windows: " + e.getMessage());
        }
        UniquesWorkflow.Settings settings = new UniquesWorkflow.Settings(
                counting.counting(count -> UniquesWorkflow.windowKeys(sizes, count)),
                counting.outOfOrderness(),
                counting.idleTimeout(kafka.boundedInput(fileMode)));
        Database db = database.database();
        RuntimeOptions checkedRuntime = runtime.validate();
        return new UniquesOptions(
                kafka.input(fileMode, checkedRuntime),
                framesTopic,
                framesFile,
                topic,
                outputDelivery.delivery(),
                sizes,
                settings,
                db,
                retention.validate(
                        Duration.ofMillis(settings.counting().allowedLatenessMillis()), "--allowed-lateness"),
                checkedRuntime);
    }

    /** {@code 1m,1h,1d}: distinct sizes of whole seconds, at most {@link WindowKeys#MAX_SIZES}. */
    static List<Duration> parseWindows(String list) {
        List<Duration> sizes = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            Duration d = Durations.parse(part);
            if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException(
                        "a window is whole seconds of at least 1s, not '" + part.trim() + "'");
            }
            if (sizes.contains(d)) {
                throw new IllegalArgumentException("window " + part.trim() + " is listed twice");
            }
            sizes.add(d);
        }
        if (sizes.size() > WindowKeys.MAX_SIZES) {
            throw new IllegalArgumentException(
                    "at most " + WindowKeys.MAX_SIZES + " window sizes, not " + sizes.size());
        }
        return sizes;
    }

    @Override
    public Integer call() throws Exception {
        UniquesOptions options = options();
        System.out.println("Unique users: " + describe(options));
        List<KafkaPreflight.Topic> topics = new ArrayList<>();
        if (!options.fileMode()) {
            topics.add(new KafkaPreflight.Topic(options.framesTopic, "--frames-topic"));
        }
        if (options.outputTopic != null) {
            topics.add(new KafkaPreflight.Topic(options.outputTopic, "--output-topic"));
        }
        if (!topics.isEmpty()) {
            KafkaPreflight.checkTopics(options.kafka.bootstrapServers(), topics);
        }
        JobRunner.run("clickflow uniques", options.runtime, env -> UniquesJob.build(env, options), progress(options));
        return 0;
    }

    /** The run in one line, as the command prints it at start. */
    public static String describe(UniquesOptions o) {
        CountingSettings c = o.settings.counting();
        String in = o.fileMode()
                ? "file " + o.framesFile
                : "Kafka " + o.kafka.bootstrapServers() + " topic " + o.framesTopic + " (group " + o.kafka.groupId()
                        + (o.kafka.bounded() ? ", bounded" : "") + ")";
        String out = o.database.describe()
                + (o.outputTopic == null
                        ? ""
                        : " + Kafka topic " + o.outputTopic + " (" + Cli.name(o.outputDelivery) + ")");
        String count = c.countMode() == CountMode.EXACT
                ? "exact"
                : String.format(
                        "hll lgK %d (relative standard error %.2f%%, bounds at 2 sigma)",
                        c.hllLgK(), 100 * Sketches.relativeStandardError(c.hllLgK()));
        return in + " -> " + out + "; windows "
                + o.windows.stream().map(Durations::format).collect(Collectors.joining(","))
                + ", count " + count
                + ", emit " + Cli.name(c.emitMode())
                + (c.emitMode() == EmitMode.UPDATE
                        ? " every " + Durations.format(Duration.ofMillis(c.updateIntervalMillis()))
                        : "")
                + ", out-of-orderness " + Durations.format(o.settings.outOfOrderness())
                + ", allowed lateness " + Durations.format(Duration.ofMillis(c.allowedLatenessMillis()))
                + JobRunner.describe(o.runtime);
    }

    /** The progress line: Flink's frames in and watermark, and the rows of the job's tables. */
    public static ProgressReporter progress(UniquesOptions o) {
        TableCounts counts = new TableCounts(o.database)
                .rowsAndFinal(UniquesTables.UNIQUE_USERS, "windows")
                .withDeadLetters();
        return new ProgressReporter(counts, UniquesWorkflow.OPERATOR_NAME);
    }
}
