package io.clickflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A bad option stops serve with one line and exit code 2, before anything connects or listens. */
@Timeout(60)
class ServeCommandTest {
    /** What a run printed on stderr and its exit code. */
    record Run(int code, String err) {}

    static Run run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Cli.execute(Cli.commandLine(new ServeCommand()), args);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    static void refused(String line, String... args) {
        Run run = run(args);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("clickflow serve: " + line + System.lineSeparator());
    }

    @Test
    void badOptionsAreOneLine() {
        refused("unknown option --cache-refrsh (did you mean --cache-refresh?)", "--cache-refrsh", "1s");
        refused("--cache-refresh: '5' is not a duration (e.g. 500ms, 5s, 30m, 2h, 1d)", "--cache-refresh", "5");
        refused("--port: must be between 0 and 65535, not 70000", "--port", "70000");
        refused("--max-user-length: must be between 1 and 1000000, not 0", "--max-user-length", "0");
        refused("--cache-refresh: must be more than 0", "--cache-refresh", "0");
        refused("--delivery-timeout: must be at least --linger + 500ms, not 100ms", "--delivery-timeout", "100ms");
        refused(
                "--jdbc-url: unsupported URL 'jdbc:mysql://x/y': use jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB",
                "--jdbc-url",
                "jdbc:mysql://x/y");
        refused("unexpected argument 'extra' (options start with --)", "extra");
    }

    /** Without a broker serve says at once that it waits and how long, then the one line that stops it. */
    @Test
    void aMissingBrokerIsWaitedForOutLoud() throws Exception {
        int closed = ChildProcesses.freePort(); // nothing answers there
        String broker = "127.0.0.1:" + closed;
        Run run = run("--bootstrap-servers", broker, "--port", "0");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().lines().filter(l -> l.startsWith("clickflow serve: ")))
                .containsExactly(
                        "clickflow serve: waiting for a Kafka broker at " + broker + " (--bootstrap-servers), at most"
                                + " 15 s",
                        "clickflow serve: no Kafka broker answered at " + broker
                                + " within 15 s (check --bootstrap-servers)");
    }

    @Test
    void helpShowsEveryDefault() {
        String help = Cli.commandLine(new ServeCommand()).getUsageMessage();
        for (String option : new String[] {
            "--port",
            "--bind",
            "--bootstrap-servers",
            "--events-topic",
            "--jdbc-url",
            "--max-age",
            "--max-future",
            "--cache-refresh",
            "--max-user-length",
            "--delivery-timeout",
            "--event-loops"
        }) {
            assertThat(help).contains(option);
        }
        assertThat(Cli.commandLine(new ServeCommand()).getCommandSpec().options().stream()
                        .filter(o -> o.defaultValue() == null && !o.usageHelp() && !o.versionHelp())
                        .map(o -> o.longestName()))
                .containsExactlyInAnyOrder("--jdbc-user", "--jdbc-password", "--producer-property", "--flink-rest");
        for (var o : Cli.commandLine(new ServeCommand()).getCommandSpec().options()) {
            if (o.defaultValue() != null) {
                assertThat(help)
                        .as("help shows the default of " + o.longestName())
                        .contains("Default: " + o.defaultValue());
            }
        }
    }
}
