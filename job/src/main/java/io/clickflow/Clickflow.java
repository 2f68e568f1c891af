package io.clickflow;

import io.clickflow.analytics.AnalyticsCommand;
import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.route.GenerateTenantEventsCommand;
import io.clickflow.route.RouteCommand;
import io.clickflow.runner.JobRunner;
import io.clickflow.submit.SubmitCommand;
import io.clickflow.uniques.GenerateFramesCommand;
import io.clickflow.uniques.UniquesCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;

/**
 * The entry point of the jar, {@code clickflow <command> [options]}, locally or under {@code flink run}, and the one
 * registry of commands: main, help, {@code submit} and the unknown-command message all read {@link #commandLine()}.
 */
@Command(
        name = "clickflow",
        customSynopsis = "./clickflow <command> [options]",
        description = "Flink jobs that turn ad and clickstream events into correct numbers in a database.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run './clickflow <command> --help' for a command's options."})
public final class Clickflow implements Runnable {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        int code = execute(commandLine(), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs a command; a refusal is one line on stderr and exit code 2 (locally). */
    public static int execute(CommandLine cl, String... args) {
        cl.setParameterExceptionHandler((e, a) -> refuse(e.getCommandLine(), Cli.message(e)));
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof UsageException) {
                return refuse(command, e.getMessage());
            }
            throw e;
        });
        return cl.execute(args);
    }

    /**
     * The whole command line, with clickflow's converters: the jobs and commands in this jar, and in help's order the
     * launcher's commands that run from other modules (listed so help shows them; run here, each says so).
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Clickflow());
        elsewhere(
                cl,
                "demo",
                "the demo module",
                "Start a Kafka broker, generate traffic and run attribution on it, with the Web UI and a results page.");
        for (Object command : List.of(
                new AttributionCommand(),
                new UniquesCommand(),
                new AnalyticsCommand(),
                new RouteCommand(),
                new GenerateCommand(),
                new GenerateFramesCommand(),
                new GenerateTenantEventsCommand())) {
            cl.addSubcommand(command);
        }
        elsewhere(
                cl,
                "serve",
                "the api module",
                "The HTTP analytics API: POST events, GET hourly unique users, clicks and impressions.");
        elsewhere(
                cl,
                "bench",
                "the bench module",
                "Measure throughput and freshness against the decode ceiling and Flink SQL.");
        cl.addSubcommand(new SubmitCommand());
        // No path in the header: the command list's column, as wide as its longest name, may wrap it at a '/'.
        elsewhere(
                cl,
                "test",
                "Maven (it installs what the tests need where missing)",
                "Every test (mvn verify), after installing what the tests need where missing.");
        return Cli.commandLine(cl);
    }

    /** A command the launcher runs from {@code where}, outside this jar. */
    private static void elsewhere(CommandLine cl, String name, String where, String header) {
        Runnable refuse = () -> System.err.println("clickflow " + name + ": run it through the launcher, ./clickflow "
                + name + " (it runs from " + where + ", not the job jar)");
        CommandSpec spec = CommandSpec.wrapWithoutInspection(refuse).name(name);
        spec.usageMessage().header(header).description("./clickflow " + name + " runs it from " + where + ".");
        cl.addSubcommand(name, new CommandLine(spec));
    }

    /** The commands {@code submit} can start on a cluster. */
    public static Map<String, Class<?>> jobs() {
        return SubmitCommand.jobsOf(commandLine().getCommandSpec());
    }

    /** No command: the list of commands. */
    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * One line and exit code 2, locally and under {@code flink run} (whose client process is ours to end). Through the
     * REST API this main runs inside the JobManager, where System.exit would take it down: the exception carries
     * the line to the caller instead ({@code submit} prints it).
     */
    private static int refuse(CommandLine command, String message) {
        String name = command.getCommandSpec().qualifiedName(" ");
        String line = (name.startsWith("clickflow") ? name : "clickflow " + name) + ": " + message;
        if (!JobRunner.isLocal() && !underFlinkCli()) {
            throw new IllegalArgumentException(line);
        }
        System.err.println(line);
        if (!JobRunner.isLocal()) {
            System.exit(2); // the Flink CLI would print its own 50-line trace around the message
        }
        return 2;
    }

    private static boolean underFlinkCli() {
        return System.getProperty("sun.java.command", "").startsWith("org.apache.flink.client.cli.CliFrontend");
    }
}
