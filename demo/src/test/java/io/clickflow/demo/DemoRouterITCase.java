package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.testing.Waits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./clickflow demo router} as the launcher runs it, on a free Web UI port: a real broker, generated
 * multi-tenant traffic, the router in a MiniCluster. While it runs, the commands it printed are run as printed (bash,
 * deploy/local-kafka.sh, Kafka's own tools 4.2): adding the destination it names makes its records arrive in the new
 * topic and in the progress line; the printed consumer reads a destination (Avro: decoded as the seed's consumer
 * record through the registry the demo started). It stops with a savepoint, and nothing is left running.
 */
class DemoRouterITCase {
    /** A bound only: each test stops the demo as soon as it has seen what it checks. */
    static final Duration LONGEST = Duration.ofSeconds(240);

    static final Duration WAIT = Duration.ofSeconds(150);
    static final int RATE = 300;
    static final Pattern PROGRESS_LINE = Pattern.compile(
            "\\| routed ([\\d,]+) \\(FINANCE ([\\d,]+), LOGISTICS ([\\d,]+), MARKETING ([\\d,]+)(?:, PAYROLL ([\\d,]+))?\\)"
                    + " \\| dead letters ([\\d,]+)");
    static final Pattern PAYROLL_ROUTED = Pattern.compile("PAYROLL [1-9][\\d,]*\\)");
    static final Pattern PRINTED_COMMAND = Pattern.compile("(?m)^  ((?:deploy/local-kafka\\.sh|echo ').*)$");

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void thePrintedDestinationChangeRoutesTheUnconfiguredNameWhileItRuns() throws Exception {
        LiveDemo live = LiveDemo.start(demo(), "--format", "json");
        try {
            live.await(Pattern.compile("Add a destination while it runs"), "the destination example");
            List<String> printed = live.printedCommands();
            assertThat(printed).hasSize(3);
            String watch = printed.get(0);
            assertThat(watch)
                    .contains("--formatter-property print.headers=true")
                    .doesNotContain("--property");
            assertThat(printed.get(2))
                    .contains("PAYROLL|")
                    .contains("--reader-property")
                    .doesNotContain("--property");
            live.awaitSubmitted();

            Shell created = Shell.run(printed.get(1));
            assertThat(created.code()).as(created.output()).isZero();
            Shell changed = Shell.run(printed.get(2));
            assertThat(changed.code()).as(changed.output()).isZero();

            // The printed watch command, on the added destination's topic: its records are there, committed.
            Shell read = Shell.run(watch.replace("--topic processor.to.finance", "--topic processor.to.payroll")
                    + " --from-beginning --max-messages 1 --timeout-ms 120000");
            assertThat(read.code()).as(read.output()).isZero();
            assertThat(read.output()).contains("clickflow.destination:PAYROLL").contains("\"PAYROLL\"");
            assertThat(eventTimeYears(read.output()))
                    .as(read.output())
                    .isNotEmpty()
                    .containsOnly(thisYear());
            live.await(PAYROLL_ROUTED, "a progress line with PAYROLL routed");
        } finally {
            live.stop();
        }
        DemoRuns.Run run = live.result();
        assertThat(run.code()).as("exit code; output:\n" + run.output()).isZero();
        String output = run.output();
        assertThat(output).contains("-> 3 destinations").contains("Stopped with a savepoint in");
        MatchResult last = DemoRuns.lastMatch(PROGRESS_LINE, output, "a progress line with every destination");
        for (int group = 2; group <= 6; group++) {
            assertThat(DemoRuns.count(last, group))
                    .as("count " + group + " in " + last.group())
                    .isPositive();
        }
        DemoRuns.assertNothingLeftRunning();
    }

    @Test
    @Timeout(300)
    void avroShowsTheSeedsShapesThroughARealRegistry() throws Exception {
        DemoRouterCommand demo = demo();
        demo.registryDir = Path.of(System.getProperty("clickflow.apicurio.dir", "target/apicurio-registry"));
        LiveDemo live = LiveDemo.start(demo, "--format", "avro");
        try {
            live.await(Pattern.compile("Add a destination while it runs"), "the destination example");
            List<String> printed = live.printedCommands();
            assertThat(printed).hasSize(3);
            String readAvro = printed.get(0);
            assertThat(readAvro).contains("--formatter " + DemoRouterCommand.AVRO_FORMATTER);
            assertThat(printed.get(2)).contains("\"output_subject\": \"processor.to.consumer-value\"");
            live.awaitSubmitted();

            // As printed (it reads from the beginning): the seed's consumer record, decoded through the registry.
            Shell read = Shell.run(readAvro + " --max-messages 2 --timeout-ms 120000");
            assertThat(read.code()).as(read.output()).isZero();
            assertThat(read.output())
                    .containsPattern(
                            "1\\d{5}:FINANCE\t\\{\"origin_service_id\": \"1\\d{5}\", \"producer_event_timestamp\":"
                                    + " \\d+, \"processor_event_timestamp\": \\d+, \"payload\": \"dummy-payload [0-9a-f-]{36}\"\\}");

            Shell created = Shell.run(printed.get(1));
            assertThat(created.code()).as(created.output()).isZero();
            Shell changed = Shell.run(printed.get(2));
            assertThat(changed.code()).as(changed.output()).isZero();
            live.await(PAYROLL_ROUTED, "a progress line with PAYROLL routed");
        } finally {
            live.stop();
        }
        DemoRuns.Run run = live.result();
        String output = run.output();
        assertThat(run.code()).as("exit code; output:\n" + output).isZero();
        assertThat(output)
                .contains("Avro with schema registry http://127.0.0.1:")
                .contains("writing processor-to-consumer")
                .contains("Stopped with a savepoint in");
        MatchResult last = DemoRuns.lastMatch(PROGRESS_LINE, output, "a progress line with every destination");
        for (int group = 2; group <= 6; group++) {
            assertThat(DemoRuns.count(last, group))
                    .as("count " + group + " in " + last.group())
                    .isPositive();
        }
        DemoRuns.assertNothingLeftRunning();
    }

    private DemoRouterCommand demo() {
        DemoRouterCommand demo = new DemoRouterCommand();
        demo.dir = dir.resolve("demo");
        demo.kafkaClasspathFile = DemoRuns.KAFKA_CLASSPATH;
        return demo;
    }

    /** The years of the ISO event times in {@code output}: the JSON demo's events carry now, not a fixed past. */
    private static List<String> eventTimeYears(String output) {
        List<String> years = new ArrayList<>();
        for (Matcher m = Pattern.compile("\"event_time\": \"(\\d{4})-").matcher(output); m.find(); ) {
            years.add(m.group(1));
        }
        return years;
    }

    private static String thisYear() {
        return Integer.toString(java.time.Year.now(java.time.ZoneOffset.UTC).getValue());
    }

    /** A demo running on its own thread, its output watched as it comes. */
    static final class LiveDemo {
        private final DemoRouterCommand demo;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        private final PrintStream originalOut = System.out;
        private CompletableFuture<DemoRuns.Run> run;

        private LiveDemo(DemoRouterCommand demo) {
            this.demo = demo;
        }

        static LiveDemo start(DemoRouterCommand demo, String... more) throws IOException {
            LiveDemo live = new LiveDemo(demo);
            OutputStream tee = new OutputStream() {
                @Override
                public void write(int c) {
                    live.originalOut.write(c);
                    synchronized (live.seen) {
                        live.seen.write(c);
                    }
                }

                @Override
                public void write(byte[] bytes, int off, int len) {
                    live.originalOut.write(bytes, off, len);
                    synchronized (live.seen) {
                        live.seen.write(bytes, off, len);
                    }
                }
            };
            System.setOut(new PrintStream(tee, true, StandardCharsets.UTF_8));
            int port = DemoRuns.freePorts(1).get(0);
            live.run = CompletableFuture.supplyAsync(() -> DemoRuns.run(demo, LONGEST, RATE, port, more));
            return live;
        }

        String output() {
            synchronized (seen) {
                return seen.toString(StandardCharsets.UTF_8);
            }
        }

        void await(Pattern pattern, String what) throws InterruptedException {
            Waits.until(
                    () -> pattern.matcher(output()).find() || run.isDone(),
                    WAIT,
                    what + " within " + WAIT.toSeconds() + " s; output:\n" + output());
            assertThat(output()).as(what + "; output:\n" + output()).containsPattern(pattern);
        }

        void awaitSubmitted() throws InterruptedException {
            Waits.until(() -> demo.stop != null || run.isDone(), WAIT, "the demo's job submitted");
            assertThat(demo.stop).as("the job submitted; output:\n" + output()).isNotNull();
        }

        List<String> printedCommands() {
            List<String> commands = new ArrayList<>();
            for (Matcher m = PRINTED_COMMAND.matcher(output()); m.find(); ) {
                commands.add(m.group(1));
            }
            return commands;
        }

        /** Stops the demo as Ctrl-C would (when its job runs), and puts System.out back. */
        void stop() throws Exception {
            try {
                if (demo.stop != null) {
                    demo.stop.run();
                }
                run.get(LONGEST.toSeconds(), TimeUnit.SECONDS);
            } finally {
                System.setOut(originalOut);
            }
        }

        DemoRuns.Run result() throws Exception {
            return run.get();
        }
    }

    /** A printed command line run by bash from the repository's root, as a user would paste it. */
    record Shell(int code, String output) {
        static Shell run(String line) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("bash", "-c", line)
                    .directory(Path.of("..").toFile())
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            return new Shell(p.exitValue(), out);
        }
    }
}
