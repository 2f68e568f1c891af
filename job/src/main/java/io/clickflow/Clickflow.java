package io.clickflow;

import io.clickflow.attribution.AttributionCommand;
import io.clickflow.cli.UsageException;
import io.clickflow.demo.DemoCommand;
import io.clickflow.generator.GenerateCommand;
import io.clickflow.generator.GenerateFramesCommand;
import io.clickflow.runner.JobRunner;
import io.clickflow.submit.SubmitCommand;
import io.clickflow.uniques.UniquesCommand;

import java.util.Arrays;

/** The entry point of the jar: {@code clickflow <command> [options]}, locally or under {@code flink run}. */
public final class Clickflow {
    private Clickflow() {}

    static final String USAGE = String.join("\n",
            "Usage: ./clickflow <command> [options]",
            "",
            "Commands:",
            "  demo             Start a Kafka broker, generate traffic and run attribution on it, with the Web UI.",
            "  attribution      Attribute page views to ad clicks (Kafka or files in, database out).",
            "  uniques          Count unique users per minute/hour/day in JSON frames (Kafka or a file in, database and Kafka out).",
            "  generate         Write synthetic ad clicks and page views to Kafka or to files.",
            "  generate-frames  Write synthetic ~2 KB JSON frames (for uniques) to Kafka or to a file.",
            "  submit           Run a job on a Flink cluster: upload this jar over REST and start it there.",
            "",
            "Run './clickflow <command> --help' for a command's options.",
            "");

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.print(USAGE);
            return;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "attribution" -> AttributionCommand.run(rest);
                case "uniques" -> UniquesCommand.run(rest);
                case "generate" -> GenerateCommand.run(rest);
                case "generate-frames" -> GenerateFramesCommand.run(rest);
                case "demo" -> DemoCommand.run(rest);
                case "submit" -> SubmitCommand.run(rest);
                default -> throw new UsageException("unknown command '" + command + "'; commands: demo, attribution, uniques, generate, generate-frames, submit");
            }
        } catch (UsageException e) {
            if (!JobRunner.isLocal()) {
                // Under flink run or the REST API this main runs inside the client or the JobManager:
                // System.exit would take that process down. The caller shows the message instead.
                throw new IllegalArgumentException("clickflow " + command + ": " + e.getMessage(), e);
            }
            System.err.println("clickflow " + command + ": " + e.getMessage());
            System.err.println("Run './clickflow " + (command.startsWith("-") ? "" : command + " ") + "--help' for the options.");
            System.exit(2);
        }
    }
}
