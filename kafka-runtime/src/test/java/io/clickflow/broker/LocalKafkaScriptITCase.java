package io.clickflow.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.clickflow.commandline.ChildProcesses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * deploy/local-kafka.sh as a user runs it: a broker that outlives the script, Kafka's own console tools
 * round-tripping keyed records through it, stop and status, and the one-line refusals.
 */
class LocalKafkaScriptITCase {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("deploy/local-kafka.sh");

    /** What one run of the script left behind. */
    record Result(List<String> args, int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        /** Everything, for assertion messages: a failing run explains itself. */
        @Override
        public String toString() {
            return "local-kafka.sh " + String.join(" ", args) + " -> exit " + exit + "\n--- stdout:\n" + out
                    + "--- stderr:\n" + err;
        }
    }

    /**
     * The script would build what is missing, which must not happen inside a test run: the reactor packages
     * kafka-runtime (its classes and classpath.txt) before these tests.
     */
    @BeforeAll
    static void buildOutputIsThere() {
        assertThat(ROOT.resolve("kafka-runtime/target/classpath.txt"))
                .as("run the tests through the reactor, e.g. mvn -pl kafka-runtime -am verify")
                .isRegularFile();
        assertThat(ROOT.resolve("kafka-runtime/target/classes/io/clickflow/broker/LocalKafka.class"))
                .isRegularFile();
    }

    @Test
    @Timeout(300)
    void startsABrokerTheConsoleToolsRoundTripThroughThenStopsIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka");
        int port = ChildProcesses.freePort();
        String bootstrap = "127.0.0.1:" + port;
        try {
            long startNanos = System.nanoTime();
            Result started =
                    run(null, "start", "--port", Integer.toString(port), "--dir", dir.toString(), "--topic", "t:2");
            long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            assertThat(started.exit()).as(started.toString()).isZero();
            assertThat(started.out())
                    .as(started.toString())
                    .contains("Kafka broker up at " + bootstrap)
                    .contains("t (2 partitions)");
            System.out.println("local-kafka.sh start took " + startMillis + " ms; it printed:\n" + started.out());
            // The script has exited (run() waited for it and its output's end): the broker runs on without it.
            long pid =
                    Long.parseLong(Files.readString(dir.resolve("broker.pid")).strip());
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("broker pid " + pid)
                    .isPresent();

            Result status = run(null, "status", "--dir", dir.toString());
            assertThat(status.exit()).as(status.toString()).isZero();
            assertThat(status.out())
                    .as(status.toString())
                    .startsWith("running:")
                    .contains(bootstrap)
                    .contains("pid " + pid);

            Result second =
                    run(null, "start", "--dir", dir.toString(), "--port", Integer.toString(ChildProcesses.freePort()));
            assertThat(second.exit()).as(second.toString()).isNotZero();
            assertThat(second.out()).as(second.toString()).isEmpty();
            assertThat(second.errLines())
                    .as(second.toString())
                    .singleElement(STRING)
                    .contains("already running from " + dir)
                    .contains("pid " + pid);

            List<String> records =
                    List.of("u1:click-1", "u2:click-2", "u1:click-3", "u3:view-1", "u2:view-2", "u4:view-3");
            Result produced = run(
                    String.join("\n", records) + "\n",
                    "kafka-console-producer",
                    "--bootstrap-server",
                    bootstrap,
                    "--topic",
                    "t",
                    "--reader-property",
                    "parse.key=true",
                    "--reader-property",
                    "key.separator=:");
            assertThat(produced.exit()).as(produced.toString()).isZero();
            assertThat(produced.out() + produced.err()).as(produced.toString()).doesNotContainIgnoringCase("deprecat");

            Result consumed = run(
                    null,
                    "kafka-console-consumer",
                    "--bootstrap-server",
                    bootstrap,
                    "--topic",
                    "t",
                    "--from-beginning",
                    "--max-messages",
                    Integer.toString(records.size()),
                    "--formatter-property",
                    "print.key=true",
                    "--isolation-level",
                    "read_committed",
                    "--group",
                    "local-kafka-it",
                    "--timeout-ms",
                    "60000");
            assertThat(consumed.exit()).as(consumed.toString()).isZero();
            // print.key separates key and value with a tab. The flags are the help's examples, which Kafka 4.2
            // takes without the deprecation notice --property prints: stdout is the records and nothing else.
            assertThat(consumed.out().lines())
                    .as(consumed.toString())
                    .containsExactlyInAnyOrderElementsOf(
                            records.stream().map(r -> r.replaceFirst(":", "\t")).toList());
            assertThat(consumed.err()).as(consumed.toString()).doesNotContainIgnoringCase("deprecat");
            assertThat(consumed.out())
                    .as("log lines belong on stderr: " + consumed)
                    .doesNotContain(" WARN ", " INFO ");
            assertThat(consumed.err())
                    .as(consumed.toString())
                    .contains("Processed a total of " + records.size() + " messages");

            Result groups = run(null, "kafka-consumer-groups", "--bootstrap-server", bootstrap, "--list");
            assertThat(groups.exit()).as(groups.toString()).isZero();
            assertThat(groups.out().lines()).as(groups.toString()).contains("local-kafka-it");

            Result described = run(null, "kafka-topics", "--bootstrap-server", bootstrap, "--describe", "--topic", "t");
            assertThat(described.exit()).as(described.toString()).isZero();
            assertThat(described.out())
                    .as(described.toString())
                    .contains("Topic: t")
                    .contains("PartitionCount: 2");

            Result stopped = run(null, "stop", "--dir", dir.toString());
            assertThat(stopped.exit()).as(stopped.toString()).isZero();
            assertThat(stopped.out()).as(stopped.toString()).contains("stopped");
            // stop returns once the broker has exited (init reaps it later, so isAlive() may say yes a while yet)
            // and its port is free again.
            assertThat(ProcessHandle.of(pid).map(KafkaBroker::exited).orElse(true))
                    .as("broker pid " + pid + " exited")
                    .isTrue();
            assertThat(KafkaBroker.isFree(port))
                    .as("port " + port + " after stop")
                    .isTrue();
            assertThat(dir.resolve("broker.pid")).doesNotExist();

            Result after = run(null, "status", "--dir", dir.toString());
            assertThat(after.exit()).as(after.toString()).isEqualTo(LocalKafka.STOPPED);
            assertThat(after.out()).as(after.toString()).startsWith("stopped:");
        } finally {
            // No broker may outlive the test, whatever failed above; a no-op after a successful stop.
            KafkaBroker.stopDetached(dir);
        }
    }

    @Test
    @Timeout(120)
    void aBusyPortIsRefusedInOneLineBeforeAnythingStarts(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Result refused =
                    run(null, "start", "--port", Integer.toString(taken.getLocalPort()), "--dir", dir.toString());
            assertThat(refused.exit()).as(refused.toString()).isNotZero();
            assertThat(refused.out()).as(refused.toString()).isEmpty();
            assertThat(refused.errLines())
                    .as(refused.toString())
                    .singleElement(STRING)
                    .contains("port " + taken.getLocalPort() + " is in use");
        } finally {
            KafkaBroker.stopDetached(dir);
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    @Timeout(120)
    void aBadOptionOrCommandIsOneLineAndExitCode2() throws Exception {
        List<List<String>> mistakes = List.of(
                List.of("start", "--prot", "9092"),
                List.of("start", "--port"),
                List.of("start", "--port", "99999"),
                List.of("start", "--topic", "t:0"),
                List.of("start", "--topic", "no spaces"),
                List.of("stop", "--port", "9092"),
                List.of("strat"),
                List.of());
        for (List<String> args : mistakes) {
            Result r = run(null, args.toArray(String[]::new));
            assertThat(r.exit()).as(r.toString()).isEqualTo(2);
            assertThat(r.out()).as(r.toString()).isEmpty();
            assertThat(r.errLines()).as(r.toString()).singleElement(STRING).startsWith("local-kafka: ");
        }
    }

    @Test
    @Timeout(120)
    void helpPrintsTheUsageForTheScriptAndEachCommand() throws Exception {
        for (List<String> args : List.of(
                List.of("--help"),
                List.of("-h"),
                List.of("start", "--help"),
                List.of("start", "--port", "9092", "--help"),
                List.of("stop", "--help"),
                List.of("status", "-h"))) {
            Result r = run(null, args.toArray(String[]::new));
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out())
                    .as(r.toString())
                    .startsWith("Usage: deploy/local-kafka.sh")
                    .contains("--topic NAME[:PARTITIONS]")
                    .contains("--reader-property parse.key=true", "--formatter-property print.key=true")
                    .as("Kafka 4.2's console tools deprecate --property")
                    .doesNotContain("--property");
            assertThat(r.err()).as(r.toString()).isEmpty();
        }
        // A tool's --help is the tool's own, as Kafka's bin/kafka-topics.sh prints it (on stderr, exit code 1).
        Result topics = run(null, "kafka-topics", "--help");
        assertThat(topics.out() + topics.err())
                .as(topics.toString())
                .contains("--bootstrap-server")
                .contains("--describe");
    }

    /**
     * Runs the script with {@code stdin} (or none), waits for it, and requires its stdout and stderr to
     * end with it: a broker that inherited them would keep a caller's pipe open (`start | tee` hanging).
     */
    private static Result run(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("local-kafka.sh " + String.join(" ", args) + " did not finish within 180 s");
        }
        try {
            return new Result(
                    List.of(args), p.exitValue(), out.get(20, TimeUnit.SECONDS), err.get(20, TimeUnit.SECONDS));
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "local-kafka.sh " + String.join(" ", args)
                            + " exited but its stdout or stderr stayed open: a process it started holds them",
                    e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
