package io.clickflow.testing;

import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code clickflow <args>} in its own JVM (the test classpath: the same classes the jar holds), so a
 * test can kill it with SIGKILL like a crashed machine would.
 */
public final class ChildJob implements AutoCloseable {
    /**
     * Children still running when the test JVM exits are killed: a test that fails before it stops its child must
     * not leave a job running (and loading the machine) for the tests after it.
     */
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly), "kill-child-jobs"));
    }

    private final Process process;
    private final Path log;

    private ChildJob(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static ChildJob start(Path log, List<String> clickflowArgs) throws IOException {
        return start(
                log,
                List.of(
                        "-Xmx1g",
                        "-Dlog4j2.configurationFile=classpath:log4j2-child.properties",
                        "-Dclickflow.log.dir=" + log.resolveSibling(log.getFileName() + ".logs")),
                System.getProperty("java.class.path"),
                "io.clickflow.Clickflow",
                clickflowArgs);
    }

    /** Any main class in its own JVM, e.g. {@code ./clickflow serve} on the API module's classpath. */
    public static ChildJob start(
            Path log, List<String> jvmOptions, String classpath, String mainClass, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaBin());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass));
        command.addAll(args);
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        STARTED.add(p);
        p.onExit().thenRun(() -> STARTED.remove(p));
        return new ChildJob(p, log);
    }

    /** The classpath of a Kafka broker as a child process; the reactor builds kafka-runtime, the job's sibling, first. */
    public static Path kafkaClasspath() {
        return Optional.ofNullable(System.getProperty(KafkaBroker.CLASSPATH_PROPERTY))
                .map(Path::of)
                .orElse(Path.of("..", KafkaBroker.DEFAULT_CLASSPATH_FILE));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the child if it still runs (a test that failed before stopping it). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** SIGKILL: no shutdown hook, no savepoint, no flush. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    public int waitFor(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child job did not finish within " + seconds + " s; its output:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGTERM: the process's shutdown hooks run (a server's graceful stop). */
    public int stop(long seconds) throws Exception {
        process.destroy();
        return waitFor(seconds);
    }

    public String output() throws IOException {
        String s = Files.readString(log);
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    /**
     * The id of the newest complete checkpoint under a job's --checkpoint-dir ({@code chk-<id>/_metadata}; the
     * metadata is written last), or -1 when none is.
     */
    public static long newestCompletedCheckpoint(Path checkpoints) {
        return metadataFiles(checkpoints).stream()
                .filter(p -> p.getParent().getFileName().toString().startsWith("chk-"))
                .mapToLong(p ->
                        Long.parseLong(p.getParent().getFileName().toString().substring("chk-".length())))
                .max()
                .orElse(-1);
    }

    /** Whether a checkpoint under a job's --checkpoint-dir is complete (its _metadata is written last). */
    public static boolean hasCompletedCheckpoint(Path checkpoints) {
        return !metadataFiles(checkpoints).isEmpty();
    }

    /**
     * The {@code _metadata} files under a --checkpoint-dir. The running job deletes subsumed checkpoints while this
     * looks, so a directory vanishing under the walk means looking again, not a failure.
     */
    private static List<Path> metadataFiles(Path checkpoints) {
        while (true) {
            if (!Files.isDirectory(checkpoints)) {
                return List.of();
            }
            try (Stream<Path> files = Files.find(
                    checkpoints, 3, (p, a) -> p.getFileName().toString().equals("_metadata"))) {
                return files.toList();
            } catch (NoSuchFileException e) {
                // deleted while walked: walk again
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException)) {
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
