package io.clickflow;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** {@code ./clickflow ARGS} run in this JVM: its exit code and what it printed, for tests of the command line. */
public record ClickflowRun(int code, String out, String err) {
    /** Runs the launcher's command line with stdout and stderr captured (and put back after). */
    public static ClickflowRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Clickflow.execute(Clickflow.commandLine(), args);
            return new ClickflowRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
