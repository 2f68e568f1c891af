package io.clickflow.bench;

import io.clickflow.bench.CountReport.Row;
import io.clickflow.broker.KafkaBroker;
import io.clickflow.tables.UniquesTables;
import io.clickflow.uniques.FrameGenerator;
import io.clickflow.uniques.GenerateFramesCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./clickflow bench uniques}: the unique-users job over the same frames from a folder of files and
 * from a Kafka topic, next to the parse ceiling of each (the job's decoder on plain threads, no Flink) and to
 * its Flink SQL peer, all in one run on this machine. Prints frames/s and MB/s.
 */
@Command(
        name = "uniques",
        description = {
            "Measures the unique-users job on this machine: frames/s and MB/s from files and from Kafka, each next",
            "to the parse ceiling (the job's decoder on plain threads, no Flink) and to its Flink SQL peer, in one run."
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
            "kafka-exact-rocksdb",
            "kafka-exact-db",
            "kafka-sql");
    static final String TOPIC = "bench_frames";

    @Option(
            names = "--frames",
            paramLabel = "N",
            defaultValue = "1000000",
            description = "Frames (~2 KB each) written to the files and the topic.")
    long frames;

    @Option(names = "--windows", paramLabel = "LIST", defaultValue = "1m", description = "The job's --windows.")
    String windows;

    @Option(
            names = "--cases",
            paramLabel = "LIST",
            defaultValue = "file-ceiling,file-exact,file-hll,file-sql,kafka-ceiling,kafka-exact,kafka-hll,"
                    + "kafka-exact-rocksdb,kafka-exact-db,kafka-sql",
            description = "Which cases to run, comma-separated.")
    String cases;

    @Mixin
    JobCaseOptions jobs;

    /** Checks the options that picocli cannot, as one line each, before anything starts. */
    void check() {
        BenchOptions.atLeast("--frames", frames, 1000);
        jobs.check(cases, ALL_CASES);
    }

    @Override
    public Integer call() throws Exception {
        check();
        return jobs.start("uniques", cases, ALL_CASES, this::run);
    }

    private int run(BenchRun bench, Set<String> cases) throws Exception {
        Path run = bench.folder;
        int partitions = jobs.partitions;
        int parallelism = jobs.parallelism;
        String machine = BenchRun.machine();
        System.out.printf(
                "clickflow bench uniques: %,d frames, %d partitions/files, parallelism %d, windows %s; %s%n",
                frames, partitions, parallelism, windows, machine);
        System.out.println("Run folder: " + run);

        // The same frames (same seed) go to the folder and to the topic.
        Path folder = run.resolve("frames");
        long t0 = System.nanoTime();
        FrameGenerator files = UniquesCeiling.generator(jobs.users);
        BenchRun.writeFolder(() -> files.next().json(), frames, folder, "frames", partitions);
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
            fileCeiling =
                    new Row("file: parse ceiling (" + parallelism + " threads, no Flink)", frames, fileBytes, r[1]);
            fileCeiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
            rows.add(CountReport.progress(fileCeiling, null, CountReport.FRAMES));
        }
        for (String c : List.of("file-exact", "file-hll", "file-sql")) {
            if (cases.contains(c)) {
                rows.add(job(
                        bench,
                        c,
                        fileBytes,
                        List.of("--frames-file", folder.toString(), "--windows", windows),
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
                        UniquesCeiling.generator(jobs.users), frames, bs, TOPIC, false, 1000, new AtomicBoolean());
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
                            "kafka: parse ceiling (" + parallelism + " consumers, no Flink)", frames, fileBytes, r[1]);
                    kafkaCeiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
                    rows.add(CountReport.progress(kafkaCeiling, null, CountReport.FRAMES));
                }
                for (String c :
                        List.of("kafka-exact", "kafka-hll", "kafka-exact-rocksdb", "kafka-exact-db", "kafka-sql")) {
                    if (cases.contains(c)) {
                        List<String> options =
                                new ArrayList<>(JobCaseOptions.kafkaInput(bs, "--frames-topic", TOPIC, c));
                        options.addAll(List.of(
                                "--output-topic",
                                c.endsWith("-db") || c.endsWith("-sql") ? "none" : "bench_unique_users",
                                "--state-backend",
                                c.endsWith("rocksdb") ? "rocksdb" : "hashmap",
                                "--windows",
                                windows));
                        rows.add(job(bench, c, fileBytes, options, kafkaCeiling));
                    }
                }
            }
        }
        System.out.println();
        System.out.printf(
                "clickflow bench uniques — %,d frames of ~%,d bytes, %d partitions/files, parallelism %d, windows %s%n",
                frames, fileBytes / Math.max(1, frames), partitions, parallelism, windows);
        System.out.println(machine);
        Table<Row> table = CountReport.table(CountReport.FRAMES, true);
        table.print(System.out, rows);
        System.out.println(
                "Target: >= 0.5x the ceiling. Job times run from submission to the last final count (MiniCluster start excluded);");
        System.out.println(
                "CPU us/f: CPU time of the measuring JVM per frame (all its threads; the broker's not included).");
        System.out.println(
                "cold f/s: the same job's first run in its fresh JVM (JIT compiling meanwhile); the row's numbers are its second run.");
        CountReport.comparePeers(
                rows,
                CountReport.FRAMES,
                r -> r.name.endsWith("output topic")
                        ? " (it also writes the output topic, the peer only the database)"
                        : "");
        compareFinalCounts(run, "file-exact", "file-sql");
        compareFinalCounts(
                run, Files.exists(run.resolve("kafka-exact-db.db")) ? "kafka-exact-db" : "kafka-exact", "kafka-sql");
        bench.saveCsv(table.csv(rows));
        return 0;
    }

    /**
     * Case {@code c} of a job, or of the SQL peer ({@code -sql}), with the options of its source; its row, measured
     * against {@code ceiling}.
     */
    private Row job(BenchRun bench, String c, long fileBytes, List<String> sourceOptions, Row ceiling)
            throws Exception {
        String source = c.substring(0, c.indexOf('-'));
        boolean sql = c.endsWith("-sql");
        String count = c.contains("hll") ? "hll" : "exact";
        String name = sql
                ? source + ": Flink SQL peer, COUNT(DISTINCT) over TUMBLE, heap"
                : source + ": clickflow uniques, " + count + ", " + (c.endsWith("rocksdb") ? "RocksDB" : "heap")
                        + (source.equals("file")
                                ? ""
                                : c.endsWith("-db") ? ", database only" : ", exactly-once output topic");
        List<String> options = new ArrayList<>(sourceOptions);
        options.addAll(List.of("--count", count, "--parallelism", Integer.toString(jobs.parallelism)));
        Row row = jobs.run(bench, name, sql ? "uniques-sql" : "uniques", c, frames, fileBytes, options);
        return CountReport.progress(row, ceiling, CountReport.FRAMES);
    }

    /**
     * Whether the peer's final counts agree with the exact job's: they differ only in windows where clickflow
     * corrected for frames later than the watermark, which SQL's window aggregation drops.
     */
    private static void compareFinalCounts(Path run, String exact, String peer) throws Exception {
        Path ours = run.resolve(exact + ".db");
        Path theirs = run.resolve(peer + ".db");
        if (!Files.exists(ours) || !Files.exists(theirs)) {
            return;
        }
        String query = "SELECT window_seconds || '/' || window_start, unique_users FROM "
                + UniquesTables.UNIQUE_USERS.name() + " WHERE is_final = 1";
        Map<String, List<Long>> counts = CountReport.finalCounts(ours, query);
        Map<String, List<Long>> peers = CountReport.finalCounts(theirs, query);
        long same = counts.entrySet().stream()
                .filter(e -> e.getValue().equals(peers.get(e.getKey())))
                .count();
        System.out.printf(
                "Flink SQL peer's final counts (%s): %,d of clickflow %s's %,d windows equal (%,d windows in the"
                        + " peer's table; the others differ by frames later than the watermark: clickflow corrects, SQL"
                        + " drops them)%n",
                peer, same, exact, counts.size(), peers.size());
    }
}
