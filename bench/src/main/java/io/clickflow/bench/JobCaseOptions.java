package io.clickflow.bench;

import io.clickflow.bench.CountReport.Row;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The options of a bench whose cases are bounded jobs over the same generated input, each in its own JVM (uniques,
 * analytics), and how it runs one such case.
 */
final class JobCaseOptions {
    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of the input topic (and files in the input folder).")
    int partitions;

    @Option(names = "--users", paramLabel = "N", defaultValue = "100000", description = "Distinct users.")
    int users;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of every job (and threads of the ceilings).")
    int parallelism;

    @Option(names = "--job-heap", paramLabel = "SIZE", defaultValue = "2g", description = "-Xmx of each job's JVM.")
    String jobHeap;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description =
                    "The jobs' --checkpoint-interval (a bounded job ends with a checkpoint, so up to one interval is in its time).")
    Duration checkpointInterval;

    @Option(
            names = "--cold",
            description =
                    "Measure each job's first run in a fresh JVM (default: a first run over the same input warms the JIT).")
    boolean cold;

    @Option(
            names = "--profile",
            description = "Record each job's JVM with Java Flight Recorder (<case>.jfr in the run folder).")
    boolean profile;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (input files, broker data, databases, logs, results) goes.")
    Path out;

    /** The bench's body: its run over the cases asked for. */
    @FunctionalInterface
    interface Body {
        int run(BenchRun bench, Set<String> cases) throws Exception;
    }

    /** Checks these options and the bench's {@code --cases} (of {@code all}) as picocli cannot, one line each. */
    void check(String cases, List<String> all) {
        Cli.range("--partitions", partitions, 1, 64);
        Cli.range("--users", users, 1, 100_000_000);
        Cli.range("--parallelism", parallelism, 1, 64);
        BenchOptions.checkHeap(jobHeap);
        BenchOptions.cases(cases, all);
    }

    /** Runs the bench {@code name} over the cases of {@code cases} in a new run folder of {@code --out}. */
    int start(String name, String cases, List<String> all, Body body) throws Exception {
        try (BenchRun bench = BenchRun.start(out, name, name + "-results.csv")) {
            return body.run(bench, BenchOptions.cases(cases, all));
        }
    }

    /** A case's Kafka input: {@code topic} (its job's option {@code topicOption}) from the start to its end. */
    static List<String> kafkaInput(String bootstrapServers, String topicOption, String topic, String c) {
        return List.of(
                "--bootstrap-servers",
                bootstrapServers,
                topicOption,
                topic,
                "--group-id",
                "bench-" + c,
                "--starting-offsets",
                "earliest",
                "--bounded");
    }

    /**
     * Runs case {@code c}, the job {@code kind} of {@link BenchCase} with {@code caseOptions} and its own database,
     * checkpoints and web port, in its own JVM (twice unless {@code --cold}), and returns its row.
     */
    Row run(BenchRun bench, String name, String kind, String c, long records, long bytes, List<String> caseOptions)
            throws Exception {
        System.out.println(name + "...");
        List<String> options = new ArrayList<>(caseOptions);
        options.addAll(List.of(
                "--jdbc-url",
                "jdbc:sqlite:" + bench.resolve(c + ".db"),
                "--checkpoint-interval",
                Durations.format(checkpointInterval),
                "--checkpoint-dir",
                bench.resolve("checkpoints/" + c).toString(),
                "--web-port",
                Integer.toString(ChildProcesses.freePort())));
        ChildJvm.configure(profile, "");
        JsonNode r = ChildJvm.runCase(
                kind,
                cold ? List.of() : List.of("-Dclickflow.bench.warmup=true"),
                options,
                jobHeap,
                bench.log,
                bench.resolve(c + ".jfr"));
        Row row = new Row(name, records, bytes, r.path("nanos").asLong());
        row.peakRss = r.path("peakRssBytes").asLong(-1);
        row.windows = r.path("finalRows").asLong(-1);
        row.late = r.path("late").asLong(-1);
        row.cpuNanos = r.path("cpuNanos").asLong(-1);
        row.coldNanos = r.path("coldNanos").asLong(-1);
        StringBuilder threads = new StringBuilder();
        r.path("threadCpuMillis")
                .fields()
                .forEachRemaining(e -> threads.append(threads.length() == 0 ? "" : ", ")
                        .append(e.getKey())
                        .append(' ')
                        .append(String.format(Locale.ROOT, "%.2f", e.getValue().asLong() * 1000.0 / records)));
        System.out.println("  CPU us per record by thread (measured run): " + threads);
        return row;
    }
}
