package io.clickflow;

import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** {@code ./clickflow ARGS} run in this JVM: its exit code and what it printed, for tests of the command line. */
public record ClickflowRun(int code, String out, String err) {
    /** Runs the launcher's command line with stdout and stderr captured (and put back after). */
    public static ClickflowRun run(String... args) {
        return run(Clickflow::commandLine, args);
    }

    /**
     * Runs a command tree of its own (e.g. the demo's) as {@link #run(String...)} does; made after the streams are
     * swapped, so that it prints to them.
     */
    public static ClickflowRun run(Supplier<CommandLine> commandLine, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Clickflow.execute(commandLine.get(), args);
            return new ClickflowRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
