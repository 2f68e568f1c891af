package io.clickflow.uniques;

import io.clickflow.cli.CommandLine;
import io.clickflow.functions.CountMode;
import io.clickflow.functions.EmitMode;
import io.clickflow.functions.Sketches;
import io.clickflow.functions.UniqueCounting;
import io.clickflow.io.KafkaPreflight;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.ProgressReporter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code ./clickflow uniques}: parses the options, then runs the job locally or on the cluster it was submitted to. */
public final class UniquesCommand {
    private UniquesCommand() {}

    public static void run(String[] args) throws Exception {
        CommandLine cl = UniquesOptions.commandLine().parse(args);
        if (cl.helpRequested()) {
            System.out.print(cl.help());
            return;
        }
        UniquesOptions options = UniquesOptions.parse(cl);
        System.out.println("Unique users: " + describe(options));
        List<String> topics = new ArrayList<>();
        if (!options.fileMode()) {
            topics.add(options.framesTopic);
        }
        if (options.outputTopic != null) {
            topics.add(options.outputTopic);
        }
        if (!topics.isEmpty()) {
            KafkaPreflight.checkTopics(options.kafka.bootstrapServers(), topics);
        }
        JobRunner.run("clickflow uniques", options.runtime, env -> UniquesJob.build(env, options), progress(options));
    }

    static String describe(UniquesOptions o) {
        UniqueCounting c = o.settings.counting();
        String in = o.fileMode()
                ? "file " + o.framesFile
                : "Kafka " + o.kafka.bootstrapServers() + " topic " + o.framesTopic
                        + " (group " + o.kafka.groupId() + (o.kafka.bounded() ? ", bounded" : "") + ")";
        String out = o.database.describe() + (o.outputTopic == null ? "" : " + Kafka topic " + o.outputTopic + " (" + o.outputDelivery.cliName() + ")");
        String count = c.countMode() == CountMode.EXACT ? "exact"
                : String.format("hll lgK %d (relative standard error %.2f%%, bounds at 2 sigma)", c.hllLgK(),
                        100 * Sketches.relativeStandardError(c.hllLgK()));
        return in + " -> " + out + "; windows " + o.windows.stream().map(CommandLine::formatDuration).collect(Collectors.joining(","))
                + ", count " + count
                + ", emit " + c.emitMode().cliName()
                + (c.emitMode() == EmitMode.UPDATE ? " every " + CommandLine.formatDuration(Duration.ofMillis(c.updateIntervalMillis())) : "")
                + ", out-of-orderness " + CommandLine.formatDuration(o.settings.outOfOrderness())
                + ", allowed lateness " + CommandLine.formatDuration(Duration.ofMillis(c.allowedLatenessMillis()))
                + JobRunner.describe(o.runtime);
    }

    public static ProgressReporter progress(UniquesOptions o) {
        Map<String, List<String>> counts = new LinkedHashMap<>();
        counts.put("SELECT COUNT(*), COALESCE(SUM(is_final), 0) FROM unique_users", List.of("windows", "final"));
        counts.put("SELECT COUNT(*) FROM late_events", List.of("late"));
        counts.put("SELECT COUNT(*) FROM rejected_events", List.of("rejected"));
        return new ProgressReporter(o.database, counts, "count unique users per window");
    }
}
