package io.clickflow.attribution;

import io.clickflow.cli.CommandLine;
import io.clickflow.io.KafkaPreflight;
import io.clickflow.runner.JobRunner;
import io.clickflow.runner.ProgressReporter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ./clickflow attribution}: parses the options, then runs the job locally or on the cluster it was submitted to. */
public final class AttributionCommand {
    private AttributionCommand() {}

    public static void run(String[] args) throws Exception {
        CommandLine cl = AttributionOptions.commandLine().parse(args);
        if (cl.helpRequested()) {
            System.out.print(cl.help());
            return;
        }
        AttributionOptions options = AttributionOptions.parse(cl);
        System.out.println("Attribution: " + describe(options));
        if (!options.fileMode()) {
            KafkaPreflight.checkTopics(options.kafka.bootstrapServers(), List.of(options.clicksTopic, options.pageViewsTopic));
        }
        JobRunner.run("clickflow attribution", options.runtime, env -> AttributionJob.build(env, options), progress(options));
    }

    static String describe(AttributionOptions o) {
        String in = o.fileMode()
                ? "files " + o.clicksFile + " + " + o.pageViewsFile
                : "Kafka " + o.kafka.bootstrapServers() + " topics " + o.clicksTopic + " + " + o.pageViewsTopic
                        + " (group " + o.kafka.groupId() + (o.kafka.bounded() ? ", bounded" : "") + ")";
        return in + " -> " + o.database.describe() + "; window " + CommandLine.formatDuration(o.settings.attributionWindow())
                + ", emit " + o.settings.emitMode().cliName()
                + ", out-of-orderness " + CommandLine.formatDuration(o.settings.outOfOrderness())
                + JobRunner.describe(o.runtime);
    }

    public static ProgressReporter progress(AttributionOptions o) {
        Map<String, List<String>> counts = new LinkedHashMap<>();
        counts.put("SELECT COUNT(*), COALESCE(SUM(is_final), 0), COUNT(attributed_click_id) FROM attributed_page_views",
                List.of("rows", "final", "attributed"));
        counts.put("SELECT COUNT(*) FROM late_events", List.of("late"));
        counts.put("SELECT COUNT(*) FROM rejected_events", List.of("rejected"));
        return new ProgressReporter(o.database, counts, "attribute page views");
    }
}
