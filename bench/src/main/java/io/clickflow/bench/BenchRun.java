package io.clickflow.bench;

import io.clickflow.io.LineFiles;

import org.apache.flink.runtime.util.EnvironmentInformation;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * One run of a bench: its folder ({@code <out>/<name>-<time>}) and log, the child processes it started (stopped
 * when it closes, or when the JVM exits first), the machine it ran on, and its CSV.
 */
final class BenchRun implements AutoCloseable {
    /** The run's folder: broker data, databases, logs, results.csv. */
    final Path folder;
    /** Where the cases' JVMs append their standard error. */
    final Path log;

    private final Path out;
    private final String latestCsv;
    private final List<Process> children = new CopyOnWriteArrayList<>();
    private final Thread cleanup;

    private BenchRun(Path out, String name, String latestCsv) throws IOException {
        this.out = out;
        this.latestCsv = latestCsv;
        folder = out.resolve(name + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                .toAbsolutePath();
        Files.createDirectories(folder);
        log = folder.resolve("bench.log");
        // The bench JVM's own log (log4j2.properties) goes with the run's.
        System.setProperty("clickflow.bench.log", log.toString());
        cleanup = new Thread(this::stopChildren, "bench-" + name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * A new run folder under {@code out}; its CSV is also copied to {@code <out>/<latestCsv>}, where the newest run
     * of this bench is always found.
     */
    static BenchRun start(Path out, String name, String latestCsv) throws IOException {
        return new BenchRun(out, name, latestCsv);
    }

    Path resolve(String name) {
        return folder.resolve(name);
    }

    /** {@code p}, to be stopped with the run. */
    Process child(Process p) {
        children.add(p);
        return p;
    }

    /** Writes {@code results.csv} and its copy, and says where. */
    void saveCsv(List<String> lines) throws IOException {
        Path csv = folder.resolve("results.csv");
        Files.write(csv, lines);
        Path latest = out.resolve(latestCsv).toAbsolutePath();
        Files.copy(csv, latest, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("CSV: " + csv + " (also " + latest + ")");
    }

    private void stopChildren() {
        ChildJvm.stopAll(children);
    }

    @Override
    public void close() {
        stopChildren();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException exiting) {
            // the hook runs anyway
        }
    }

    /**
     * {@code count} lines from {@code lines} into {@code files} files {@code <name>-NN.jsonl} of {@code folder},
     * consecutive slices named in time order: how history is kept, and how the jobs read a folder (in name order).
     */
    static void writeFolder(Supplier<String> lines, long count, Path folder, String name, int files)
            throws IOException {
        List<BufferedWriter> writers = new ArrayList<>();
        try {
            for (int f = 0; f < files; f++) {
                writers.add(LineFiles.writer(folder.resolve(String.format(Locale.ROOT, "%s-%02d.jsonl", name, f))));
            }
            long perFile = (count + files - 1) / files;
            for (long i = 0; i < count; i++) {
                BufferedWriter w = writers.get((int) (i / perFile));
                w.write(lines.get());
                w.write('\n');
            }
        } finally {
            for (BufferedWriter w : writers) {
                w.close();
            }
        }
    }

    /** Cores, CPU model, memory, Java and Flink versions, on one line. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException e) {
            // not Linux
        }
        return String.format(
                Locale.ROOT,
                "%d cores (%s), %s GB RAM, Java %s, Flink %s",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                memoryGb(),
                System.getProperty("java.version"),
                EnvironmentInformation.getVersion());
    }

    private static String memoryGb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return String.format(
                            Locale.ROOT, "%.0f", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "?";
    }

    /** The machine's load average, to tell a run disturbed by other work. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min)";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
