package io.clickflow.bench;

import io.clickflow.bench.UniquesReport.Row;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.ChildProcesses;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.uniques.GenerateFramesCommand;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./clickflow bench uniques}: the unique-users job over the same frames from a folder of files and
 * from a Kafka topic, next to the parse ceiling of each (the job's decoder on plain threads, no Flink),
 * all in one run on this machine. Prints frames/s and MB/s.
 */
@Command(
        name = "uniques",
        description = {
            "Measures the unique-users job on this machine: frames/s and MB/s from files and from Kafka, each next",
            "to the parse ceiling (the job's decoder on plain threads, no Flink), in one run."
        })
public final class UniquesBench implements Callable<Integer> {
    static final List<String> ALL_CASES = List.of(
            "file-ceiling",
            "file-exact",
            "file-hll",
            "file-sql",
            "kafka-ceiling",
            "kafka-exact",
            "kafka-hll",
            "kafka-exact-rocksdb");
    static final String TOPIC = "bench_frames";
    private static String checkpointInterval = "10s";
    private static boolean warmUp = true;

    @Option(
            names = "--frames",
            paramLabel = "N",
            defaultValue = "1000000",
            description = "Frames (~2 KB each) written to the files and the topic.")
    long frames;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of the frames topic (and files in the folder).")
    int partitions;

    @Option(names = "--users", paramLabel = "N", defaultValue = "100000", description = "Distinct users.")
    int users;

    @Option(names = "--windows", paramLabel = "LIST", defaultValue = "1m", description = "The job's --windows.")
    String windows;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of every job, and threads of the ceilings.")
    int parallelism;

    @Option(
            names = "--cases",
            paramLabel = "LIST",
            defaultValue =
                    "file-ceiling,file-exact,file-hll,file-sql,kafka-ceiling,kafka-exact,kafka-hll,kafka-exact-rocksdb",
            description = "Which cases to run, comma-separated.")
    String cases;

    @Option(names = "--job-heap", paramLabel = "SIZE", defaultValue = "2g", description = "-Xmx of each job's JVM.")
    String jobHeap;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "10s",
            description =
                    "The jobs' --checkpoint-interval (a bounded job ends with a checkpoint, so up to one interval is in its time).")
    Duration checkpointIntervalOption;

    @Option(
            names = "--cold",
            description =
                    "Measure each job's first run in a fresh JVM (default: a first run over the same input warms the JIT, as for the ceilings).")
    boolean cold;

    @Option(
            names = "--profile",
            description = "Record each job's JVM with Java Flight Recorder (<case>.jfr in the run folder).")
    boolean profile;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "output/bench",
            description = "Where the run's folder (frames, broker data, databases, logs, results) goes.")
    Path out;

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        if (frames < 1000) {
            throw new UsageException("--frames: must be at least 1000, not " + frames);
        }
        Cli.range("--partitions", partitions, 1, 64);
        Cli.range("--users", users, 1, 100_000_000);
        Cli.range("--parallelism", parallelism, 1, 64);
        BenchOptions.cases(cases, ALL_CASES);
    }

    @Override
    public Integer call() throws Exception {
        check();
        ChildJvm.configure(profile, "");
        warmUp = !cold;
        checkpointInterval = Durations.format(checkpointIntervalOption);
        Set<String> cases = BenchOptions.cases(this.cases, ALL_CASES);
        try (BenchRun bench = BenchRun.start(out, "uniques", "uniques-results.csv")) {
            return run(bench, cases);
        }
    }

    private int run(BenchRun bench, Set<String> cases) throws Exception {
        Path run = bench.folder;
        Path log = bench.log;
        String machine = BenchRun.machine();
        System.out.printf(
                "clickflow bench uniques: %,d frames, %d partitions/files, parallelism %d, windows %s; %s%n",
                frames, partitions, parallelism, windows, machine);
        System.out.println("Run folder: " + run);

        // The same frames (same seed) go to the folder and to the topic.
        Path folder = run.resolve("frames");
        long t0 = System.nanoTime();
        UniquesCeiling.writeFolder(UniquesCeiling.generator(users), frames, folder, partitions);
        long fileBytes = BenchKafka.dirSize(folder, "");
        System.out.printf(
                "Wrote %,d frames to %d files, %s, in %.1f s%n",
                frames, partitions, Table.mb(fileBytes), (System.nanoTime() - t0) / 1e9);

        List<Row> rows = new ArrayList<>();
        Row fileCeiling = null;
        if (cases.contains("file-ceiling")) {
            UniquesCeiling.fileParse(folder, parallelism); // warm-up: the JIT, the page cache
            long cpu = BenchCase.processCpuNanos();
            long[] r = UniquesCeiling.fileParse(folder, parallelism);
            UniquesCeiling.check(r[0], frames, "file ceiling");
            fileCeiling = new Row(
                    "file: parse ceiling (" + parallelism + " threads, no Flink)", frames, fileBytes, r[1], null);
            fileCeiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
            rows.add(UniquesReport.progress(fileCeiling, null));
        }
        for (String c : List.of("file-exact", "file-hll", "file-sql")) {
            if (cases.contains(c)) {
                boolean sql = c.equals("file-sql");
                String count = sql ? "exact" : c.substring(5);
                rows.add(UniquesReport.progress(
                        job(
                                sql
                                        ? "file: Flink SQL peer, COUNT(DISTINCT) over TUMBLE, heap"
                                        : "file: clickflow uniques, " + count + ", heap",
                                sql ? "uniques-sql" : "uniques",
                                c,
                                run,
                                log,
                                jobHeap,
                                frames,
                                fileBytes,
                                List.of(
                                        "--frames-file",
                                        folder.toString(),
                                        "--count",
                                        count,
                                        "--windows",
                                        windows,
                                        "--parallelism",
                                        Integer.toString(parallelism))),
                        fileCeiling));
            }
        }

        if (cases.stream().anyMatch(c -> c.startsWith("kafka"))) {
            try (KafkaBroker broker = KafkaBroker.start(run.resolve("kafka"), KafkaBroker.defaultRuntimeClasspath())) {
                String bs = broker.bootstrapServers();
                BenchKafka.createTopics(bs, partitions, Map.of(), TOPIC, "bench_unique_users");
                System.out.printf("Pre-filling %,d frames...%n", frames);
                t0 = System.nanoTime();
                GenerateFramesCommand.toKafka(
                        UniquesCeiling.generator(users), frames, bs, TOPIC, false, 1000, new AtomicBoolean());
                System.out.printf(
                        "  %,d records in %.1f s; topic size %s (lz4)%n",
                        BenchKafka.recordCount(bs, partitions, TOPIC),
                        (System.nanoTime() - t0) / 1e9,
                        Table.mb(BenchKafka.logBytes(run.resolve("kafka"))));
                Row kafkaCeiling = null;
                if (cases.contains("kafka-ceiling")) {
                    UniquesCeiling.kafkaParse(bs, partitions, parallelism);
                    long cpu = BenchCase.processCpuNanos();
                    long[] r = UniquesCeiling.kafkaParse(bs, partitions, parallelism);
                    UniquesCeiling.check(r[0], frames, "Kafka ceiling");
                    kafkaCeiling = new Row(
                            "kafka: parse ceiling (" + parallelism + " consumers, no Flink)",
                            frames,
                            fileBytes,
                            r[1],
                            null);
                    kafkaCeiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
                    rows.add(UniquesReport.progress(kafkaCeiling, null));
                }
                for (String c : List.of("kafka-exact", "kafka-hll", "kafka-exact-rocksdb")) {
                    if (!cases.contains(c)) {
                        continue;
                    }
                    String count = c.contains("hll") ? "hll" : "exact";
                    String backend = c.endsWith("rocksdb") ? "rocksdb" : "hashmap";
                    rows.add(UniquesReport.progress(
                            job(
                                    "kafka: clickflow uniques, " + count + ", "
                                            + (backend.equals("rocksdb") ? "RocksDB" : "heap")
                                            + ", exactly-once output topic",
                                    "uniques",
                                    c,
                                    run,
                                    log,
                                    jobHeap,
                                    frames,
                                    fileBytes,
                                    List.of(
                                            "--bootstrap-servers",
                                            bs,
                                            "--frames-topic",
                                            TOPIC,
                                            "--group-id",
                                            "bench-" + c,
                                            "--starting-offsets",
                                            "earliest",
                                            "--bounded",
                                            "--output-topic",
                                            "bench_unique_users",
                                            "--count",
                                            count,
                                            "--windows",
                                            windows,
                                            "--state-backend",
                                            backend,
                                            "--parallelism",
                                            Integer.toString(parallelism))),
                            kafkaCeiling));
                }
            }
        }
        System.out.println();
        System.out.printf(
                "clickflow bench uniques — %,d frames of ~%,d bytes, %d partitions/files, parallelism %d, windows %s%n",
                frames, fileBytes / Math.max(1, frames), partitions, parallelism, windows);
        System.out.println(machine);
        UniquesReport.TABLE.print(System.out, rows);
        System.out.println(
                "Target: >= 0.5x the ceiling. Job times run from submission to the last final count (MiniCluster start excluded);");
        System.out.println(
                "CPU us/f: CPU time of the measuring JVM per frame (all its threads; the broker's not included).");
        System.out.println(
                "cold f/s: the same job's first run in its fresh JVM (JIT compiling meanwhile); the row's numbers are its second run.");
        UniquesReport.comparePeer(rows, run);
        bench.saveCsv(UniquesReport.TABLE.csv(rows));
        return 0;
    }

    private static Row job(
            String name,
            String kind,
            String c,
            Path run,
            Path log,
            String heap,
            long frames,
            long bytes,
            List<String> caseOptions)
            throws Exception {
        System.out.println(name + "...");
        List<String> options = new ArrayList<>(caseOptions);
        options.addAll(List.of(
                "--jdbc-url",
                "jdbc:sqlite:" + run.resolve(c + ".db"),
                "--checkpoint-interval",
                checkpointInterval,
                "--checkpoint-dir",
                run.resolve("checkpoints/" + c).toString(),
                "--web-port",
                Integer.toString(ChildProcesses.freePort())));
        JsonNode r = ChildJvm.runCase(
                kind,
                warmUp ? List.of("-Dclickflow.bench.warmup=true") : List.of(),
                options,
                heap,
                log,
                run.resolve(c + ".jfr"));
        Row row = new Row(name, frames, bytes, r.path("nanos").asLong(), null);
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
                        .append(String.format(
                                Locale.ROOT, "%.1f s", e.getValue().asLong() / 1000.0)));
        System.out.println("  CPU by thread (JVM lifetime): " + threads);
        return row;
    }
}
