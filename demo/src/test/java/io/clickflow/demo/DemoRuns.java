package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.Clickflow;
import io.clickflow.api.ApiServerProcess;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.Cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How the demo tests run a demo in their own JVM, as the launcher would, and look at what it printed and left. */
final class DemoRuns {
    /** How often the demos under test print progress: several lines within their short runs. */
    static final Duration PROGRESS = Duration.ofSeconds(2);

    /** The classpath files the launcher builds, seen from the job module's folder, where the tests run. */
    static final Path KAFKA_CLASSPATH = Path.of("..", KafkaBroker.DEFAULT_CLASSPATH_FILE);

    static final Path API_CLASSPATH = Path.of("..", ApiServerProcess.DEFAULT_CLASSPATH_FILE);

    private DemoRuns() {}

    /** A demo's exit code and everything it printed, also shown as it runs. */
    record Run(int code, String output) {}

    /**
     * Runs a demo for {@code duration} at {@code rate} with the Web UI on {@code webPort}, progress every
     * {@link #PROGRESS} and topics of 2 partitions, then {@code more} of its options.
     */
    static Run run(Object command, Duration duration, int rate, int webPort, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--duration",
                duration.toSeconds() + "s",
                "--progress-interval",
                PROGRESS.toSeconds() + "s",
                "--rate",
                Integer.toString(rate),
                "--web-port",
                Integer.toString(webPort),
                "--partitions",
                "2"));
        args.addAll(List.of(more));
        return runCapturingOutput(command, args.toArray(String[]::new));
    }

    /** Runs a demo command as {@code ./clickflow demo ...} does, with {@code args}, in this JVM. */
    static Run runCapturingOutput(Object command, String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        // Written to both: the run's output stays visible in the test log and is kept for the assertions.
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int c) {
                out.write(c);
                captured.write(c);
            }

            @Override
            public void write(byte[] bytes, int off, int len) {
                out.write(bytes, off, len);
                captured.write(bytes, off, len);
            }

            @Override
            public void flush() {
                out.flush();
            }
        };
        System.setOut(new PrintStream(tee, true, StandardCharsets.UTF_8));
        try {
            return new Run(
                    Clickflow.execute(Cli.commandLine(command), args), captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
        }
    }

    /** The last match of {@code line} in {@code output}, which must have one: {@code what} says what it shows. */
    static MatchResult lastMatch(Pattern line, String output, String what) {
        MatchResult last = null;
        for (Matcher m = line.matcher(output); m.find(); ) {
            last = m.toMatchResult();
        }
        assertThat(last).as(what + "; output:\n" + output).isNotNull();
        return last;
    }

    /** A count the demo printed, as a number: digits with grouping commas. */
    static long count(MatchResult m, int group) {
        return Long.parseLong(m.group(group).replace(",", ""));
    }

    /** No child process of this JVM (broker, servers) is still alive. */
    static void assertNothingLeftRunning() {
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .as("processes left behind")
                .isEmpty();
    }

    static List<Integer> freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            }
            return Arrays.stream(sockets).map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
