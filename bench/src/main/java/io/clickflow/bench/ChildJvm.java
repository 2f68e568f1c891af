package io.clickflow.bench;

import io.clickflow.commandline.ChildProcesses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bench's child JVMs: a {@link BenchCase} run to its result, or started and left serving once it is ready;
 * stopping children; a free port for them.
 */
final class ChildJvm {
    /** {@code --profile}: a JFR recording of each case's JVM. */
    private static boolean profile;
    /** {@code --job-jvm}: more flags for each case's JVM. */
    private static List<String> jobJvm = List.of();

    private ChildJvm() {}

    /** The bench's {@code --profile} and {@code --job-jvm}, for every case it starts after this. */
    static void configure(boolean profileCases, String jobJvmFlags) {
        profile = profileCases;
        jobJvm = jobJvmFlags.isBlank() ? List.of() : List.of(jobJvmFlags.trim().split("\\s+"));
    }

    /** Whether cases are profiled ({@code --profile}). */
    static boolean profiling() {
        return profile;
    }

    private static List<String> command(String kind, String heap, Path log, List<String> jvm, Path jfr) {
        List<String> command = new ArrayList<>(
                List.of(ChildProcesses.javaBin(), "-Xmx" + heap, "-Xms" + heap, "-Dclickflow.bench.log=" + log));
        command.addAll(jvm);
        command.addAll(jobJvm);
        if (profile && jfr != null) {
            command.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchCase.class.getName(), kind));
        return command;
    }

    /**
     * Runs a bounded case in its own JVM (standard error appended to {@code log}) and returns the result it printed;
     * with {@code --profile} a JFR recording goes to {@code jfr} (null: none).
     */
    static JsonNode runCase(String kind, List<String> jvm, List<String> options, String heap, Path log, Path jfr)
            throws Exception {
        List<String> command = command(kind, heap, log, jvm, jfr);
        command.addAll(options);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        JsonNode result = null;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith(BenchCase.RESULT)) {
                    result = new ObjectMapper().readTree(line.substring(BenchCase.RESULT.length()));
                } else {
                    out.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the " + kind + " case failed (exit "
                    + (p.isAlive() ? "none" : p.exitValue()) + "); output:\n" + out + "see " + log);
        }
        return result;
    }

    /**
     * Starts an unbounded case in its own JVM, as {@link #runCase} does, and returns once it printed
     * {@link BenchCase#READY} (within {@code timeout}); its output goes on into {@code out}. The caller stops it.
     */
    static Process startServing(String kind, List<String> options, String heap, Path log, Path out, Duration timeout)
            throws Exception {
        List<String> command = command(kind, heap, log, List.of(), null);
        command.addAll(options);
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                            PrintStream to =
                                    new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            to.println(line);
                            if (line.equals(BenchCase.READY)) {
                                ready.complete(true);
                            }
                        }
                    } catch (IOException e) {
                        // the case ended
                    }
                    ready.complete(false);
                },
                kind + "-output");
        reader.setDaemon(true);
        reader.start();
        boolean started;
        try {
            started = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            started = false;
        }
        if (!started) {
            p.destroyForcibly();
            throw new IllegalStateException("the " + kind + " case did not start; see " + log + " and " + out);
        }
        return p;
    }

    /** Stops the children still alive, each as {@link #stop} does. */
    static void stopAll(List<Process> children) {
        for (Process p : children) {
            if (p.isAlive()) {
                try {
                    stop(p);
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** SIGTERM (servers and jobs shut down gracefully), then SIGKILL after 20 s. */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
