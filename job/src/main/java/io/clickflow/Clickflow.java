package io.clickflow;

import io.clickflow.analytics.AnalyticsCommand;
import io.clickflow.attribution.AttributionCommand;
import io.clickflow.attribution.GenerateCommand;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.demo.DemoCommand;
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

import java.util.Map;

/**
 * The entry point of the jar, {@code clickflow <command> [options]}, locally or under {@code flink run}, and the one
 * registry of commands: main, help, {@code submit} and the unknown-command message all read the list below.
 */
@Command(
        name = "clickflow",
        customSynopsis = "./clickflow <command> [options]",
        description = "Flink jobs that turn ad and clickstream events into correct numbers in a database.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run './clickflow <command> --help' for a command's options."},
        subcommands = {
            DemoCommand.class,
            AttributionCommand.class,
            UniquesCommand.class,
            AnalyticsCommand.class,
            RouteCommand.class,
            GenerateCommand.class,
            GenerateFramesCommand.class,
            GenerateTenantEventsCommand.class,
            Clickflow.Serve.class,
            Clickflow.Bench.class,
            SubmitCommand.class,
            Clickflow.Test.class
        })
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

    /** The whole command line, with clickflow's converters. */
    public static CommandLine commandLine() {
        return Cli.commandLine(new Clickflow());
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

    /** {@code ./clickflow serve} runs the HTTP API from its own module (no Flink); listed here so help shows it. */
    @Command(
            name = "serve",
            header = "The HTTP analytics API: POST events, GET hourly unique users, clicks and impressions.",
            description =
                    "The API server lives in the api module, outside the job jar; ./clickflow serve builds and runs it.")
    static final class Serve implements Runnable {
        @Override
        public void run() {
            System.err.println(
                    "clickflow serve: run it through the launcher, ./clickflow serve (it is not part of the job jar)");
        }
    }

    /** {@code ./clickflow test} is the launcher's own (it installs what the tests need); listed here so help shows it. */
    @Command(
            name = "test",
            // No path in the header: the command list's column, as wide as its longest name, may wrap it at a '/'.
            header = "Every test (mvn verify), after installing what the tests need where missing.",
            description = "The launcher runs it: Debian's maven, chromium, chromium-driver and docker-compose are "
                    + "installed when missing, then mvn verify runs with the options given.")
    static final class Test implements Runnable {
        @Override
        public void run() {
            System.err.println("clickflow test: run it through the launcher, ./clickflow test (it runs Maven)");
        }
    }

    /** {@code ./clickflow bench} runs from its own module (the launcher starts it); listed here so help shows it. */
    @Command(
            name = "bench",
            header = "Measure throughput and freshness against the decode ceiling and Flink SQL.",
            description =
                    "The benchmark lives in the bench module, outside the job jar; ./clickflow bench builds and runs it.")
    static final class Bench implements Runnable {
        @Override
        public void run() {
            System.err.println(
                    "clickflow bench: run it through the launcher, ./clickflow bench (it is not part of the job jar)");
        }
    }
}
