package io.clickflow.attribution;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.DatabaseOptions;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.options.EventTimeOptions;
import io.clickflow.options.JobCommand;
import io.clickflow.options.KafkaOptions;
import io.clickflow.options.RetentionOptions;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.runner.ProgressReporter;
import io.clickflow.runner.TableCounts;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./clickflow attribution}: checks the options, then runs the job locally or on the cluster it was submitted to. */
@Command(
        name = "attribution",
        header = "Attribute page views to ad clicks (Kafka or files in, database out).",
        description = {
            "Attributes each page view to the latest ad click of the same user within the attribution window",
            "and upserts the rows into a database. Reads Kafka (default) or two JSON-lines files."
        })
public final class AttributionCommand implements Callable<Integer>, JobCommand {
    @Mixin
    KafkaOptions kafka;

    @Mixin
    AttributionTopics topics;

    @Option(
            names = "--clicks-file",
            paramLabel = "PATH",
            description =
                    "Read clicks from a JSON-lines file (.gz accepted) instead of Kafka; needs --page-views-file.")
    Path clicksFile;

    @Option(
            names = "--page-views-file",
            paramLabel = "PATH",
            description = "Read page views from a JSON-lines file (.gz accepted); needs --clicks-file.")
    Path pageViewsFile;

    @Option(
            names = "--attribution-window",
            paramLabel = "DURATION",
            defaultValue = "30m",
            description = "A click is eligible for a page view up to this long before it (inclusive).")
    Duration attributionWindow;

    @Option(
            names = "--emit-mode",
            paramLabel = "MODE",
            defaultValue = "on-watermark",
            description = "on-watermark: one final row per page view | update: a row at once, updated, then final.")
    EmitMode emitMode;

    @Mixin
    EventTimeOptions.OutOfOrderness outOfOrderness;

    @Mixin
    EventTimeOptions.IdleTimeout idleTimeout;

    @Mixin
    DatabaseOptions database;

    @Mixin
    RetentionOptions retention;

    @Mixin
    RuntimeOptions runtime;

    /** Parses and checks a command line, as a run would before it starts anything. */
    public static AttributionOptions parse(String... args) {
        return Cli.parse(new AttributionCommand(), args).options();
    }

    /** The checked options; every mistake is a {@link UsageException} naming the option. */
    public AttributionOptions options() {
        if ((clicksFile != null) != (pageViewsFile != null)) {
            throw new UsageException("file mode needs both --clicks-file and --page-views-file");
        }
        boolean fileMode = clicksFile != null;
        if (fileMode) {
            existingFile("--clicks-file", clicksFile);
            existingFile("--page-views-file", pageViewsFile);
        }
        if (attributionWindow.isZero()) {
            throw new UsageException("--attribution-window must be longer than 0");
        }
        AttributionWorkflow.Settings settings = new AttributionWorkflow.Settings(
                attributionWindow,
                emitMode,
                outOfOrderness.value(),
                idleTimeout.forInput(kafka.boundedInput(fileMode)));
        Database db = database.database();
        RuntimeOptions checkedRuntime = runtime.validate();
        return new AttributionOptions(
                kafka.input(fileMode, checkedRuntime),
                topics.clicks,
                topics.pageViews,
                clicksFile,
                pageViewsFile,
                settings,
                db,
                // A page view's row is final once the watermark passes it: any retention leaves it alone.
                retention.validate(Duration.ZERO, "the time a row is final"),
                checkedRuntime);
    }

    @Override
    public Integer call() throws Exception {
        AttributionOptions options = options();
        System.out.println("Attribution: " + describe(options));
        if (!options.fileMode()) {
            KafkaPreflight.checkTopics(
                    options.kafka.bootstrapServers(),
                    List.of(
                            new KafkaPreflight.Topic(options.clicksTopic, "--clicks-topic"),
                            new KafkaPreflight.Topic(options.pageViewsTopic, "--page-views-topic")));
        }
        JobRunner.run(
                "clickflow attribution", options.runtime, env -> AttributionJob.build(env, options), progress(options));
        return 0;
    }

    static String describe(AttributionOptions o) {
        String in = o.fileMode()
                ? "files " + o.clicksFile + " + " + o.pageViewsFile
                : "Kafka " + o.kafka.bootstrapServers() + " topics " + o.clicksTopic + " + " + o.pageViewsTopic
                        + " (group " + o.kafka.groupId() + (o.kafka.bounded() ? ", bounded" : "") + ")";
        return in + " -> " + o.database.describe() + "; window " + Durations.format(o.settings.attributionWindow())
                + ", emit " + Cli.name(o.settings.emitMode())
                + ", out-of-orderness " + Durations.format(o.settings.outOfOrderness())
                + JobRunner.describe(o.runtime);
    }

    /** The progress line: Flink's events in and watermark, and the rows of the job's tables. */
    public static ProgressReporter progress(AttributionOptions o) {
        TableCounts counts = new TableCounts(o.database)
                .add(
                        "SELECT COUNT(*), COALESCE(SUM(is_final), 0), COUNT(attributed_click_id) FROM "
                                + AttributionTables.ATTRIBUTED.name(),
                        "rows",
                        "final",
                        "attributed")
                .withDeadLetters();
        return new ProgressReporter(counts, AttributionWorkflow.OPERATOR_NAME);
    }

    private static Path existingFile(String option, Path p) {
        if (!Files.isRegularFile(p)) {
            throw new UsageException(option + ": no such file " + p);
        }
        return p;
    }
}
