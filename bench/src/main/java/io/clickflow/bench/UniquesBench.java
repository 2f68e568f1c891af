package io.clickflow.bench;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.decode.Decoded;
import io.clickflow.demo.KafkaBroker;
import io.clickflow.io.DecodingKafkaDeserializer;
import io.clickflow.io.LineFiles;
import io.clickflow.tables.Database;
import io.clickflow.tables.UniquesTables;
import io.clickflow.uniques.Frame;
import io.clickflow.uniques.FrameDecoder;
import io.clickflow.uniques.FrameGenerator;
import io.clickflow.uniques.GenerateFramesCommand;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ./clickflow bench uniques}: the unique-users job over the same frames from a folder of files and
 * from a Kafka topic, next to the parse ceiling of each (the job's decoder on plain threads, no Flink),
 * all in one run on this machine. Prints frames/s and MB/s.
 */
@Command(
        name = "uniques",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        sortOptions = false,
        abbreviateSynopsis = true,
        versionProvider = Cli.Version.class,
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
        BenchCommand.cases(cases, ALL_CASES);
    }

    @Override
    public Integer call() throws Exception {
        check();
        BenchCommand.profile = profile;
        warmUp = !cold;
        checkpointInterval = Durations.format(checkpointIntervalOption);
        Set<String> cases = BenchCommand.cases(this.cases, ALL_CASES);
        Path run = BenchCommand.runFolder(out, "uniques");
        Path log = run.resolve("bench.log");
        System.setProperty("clickflow.bench.log", log.toString());
        Map<String, Object> machine = BenchCommand.machine();
        System.out.printf(
                "clickflow bench uniques: %,d frames, %d partitions/files, parallelism %d, windows %s; %s%n",
                frames, partitions, parallelism, windows, machine.get("summary"));
        System.out.println("Run folder: " + run);

        // The same frames (same seed) go to the folder and to the topic.
        Path folder = run.resolve("frames");
        long t0 = System.nanoTime();
        writeFolder(generator(users), frames, folder, partitions);
        long fileBytes = BenchCommand.dirSize(folder, "");
        System.out.printf(
                "Wrote %,d frames to %d files, %s, in %.1f s%n",
                frames, partitions, BenchCommand.mb(fileBytes), (System.nanoTime() - t0) / 1e9);

        List<Row> rows = new ArrayList<>();
        Row fileCeiling = null;
        if (cases.contains("file-ceiling")) {
            fileParse(folder, parallelism); // warm-up: the JIT, the page cache
            long cpu = BenchCase.processCpuNanos();
            long[] r = fileParse(folder, parallelism);
            check(r[0], frames, "file ceiling");
            fileCeiling = new Row(
                    "file: parse ceiling (" + parallelism + " threads, no Flink)", frames, fileBytes, r[1], null);
            fileCeiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
            rows.add(print(fileCeiling, null));
        }
        for (String c : List.of("file-exact", "file-hll", "file-sql")) {
            if (cases.contains(c)) {
                boolean sql = c.equals("file-sql");
                String count = sql ? "exact" : c.substring(5);
                rows.add(print(
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
                BenchCommand.createTopics(bs, partitions, Map.of(), TOPIC, "bench_unique_users");
                System.out.printf("Pre-filling %,d frames...%n", frames);
                t0 = System.nanoTime();
                GenerateFramesCommand.toKafka(generator(users), frames, bs, TOPIC, false, 1000, new AtomicBoolean());
                System.out.printf(
                        "  %,d records in %.1f s; topic size %s (lz4)%n",
                        BenchCommand.recordCount(bs, partitions, TOPIC),
                        (System.nanoTime() - t0) / 1e9,
                        BenchCommand.mb(BenchCommand.dirSize(run.resolve("kafka"))));
                Row kafkaCeiling = null;
                if (cases.contains("kafka-ceiling")) {
                    kafkaParse(bs, partitions, parallelism);
                    long cpu = BenchCase.processCpuNanos();
                    long[] r = kafkaParse(bs, partitions, parallelism);
                    check(r[0], frames, "Kafka ceiling");
                    kafkaCeiling = new Row(
                            "kafka: parse ceiling (" + parallelism + " consumers, no Flink)",
                            frames,
                            fileBytes,
                            r[1],
                            null);
                    kafkaCeiling.cpuNanos = BenchCase.processCpuNanos() - cpu;
                    rows.add(print(kafkaCeiling, null));
                }
                for (String c : List.of("kafka-exact", "kafka-hll", "kafka-exact-rocksdb")) {
                    if (!cases.contains(c)) {
                        continue;
                    }
                    String count = c.contains("hll") ? "hll" : "exact";
                    String backend = c.endsWith("rocksdb") ? "rocksdb" : "hashmap";
                    rows.add(print(
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
        System.out.println(machine.get("summary"));
        String header = String.format(
                Locale.ROOT,
                "%-62s %11s %8s %9s %7s %8s %9s %9s %8s %6s",
                "case",
                "frames/s",
                "MB/s",
                "/ceiling",
                "time",
                "CPU us/f",
                "cold f/s",
                "peak RSS",
                "windows",
                "late");
        System.out.println(header);
        System.out.println("-".repeat(header.length()));
        List<String> csv = new ArrayList<>(
                List.of(
                        "case,frames,bytes,seconds,frames_per_second,mb_per_second,vs_ceiling,cpu_us_per_frame,peak_rss_bytes,windows,late_frames"));
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-62s %,11.0f %8.1f %9s %6.1fs %8s %9s %9s %8s %6s%n",
                    r.name,
                    r.framesPerSecond(),
                    r.mbPerSecond(),
                    r.ceiling == null
                            ? ""
                            : String.format(Locale.ROOT, "%.2fx", r.framesPerSecond() / r.ceiling.framesPerSecond()),
                    r.nanos / 1e9,
                    r.cpuNanos < 0 ? "" : String.format(Locale.ROOT, "%.1f", r.cpuNanos / 1e3 / r.frames),
                    r.coldNanos < 0 ? "" : String.format(Locale.ROOT, "%,.0f", r.frames / (r.coldNanos / 1e9)),
                    r.peakRss < 0 ? "" : BenchCommand.mb(r.peakRss),
                    r.windows < 0 ? "" : Long.toString(r.windows),
                    r.late < 0 ? "" : Long.toString(r.late));
            csv.add(String.join(
                    ",",
                    "\"" + r.name + "\"",
                    Long.toString(r.frames),
                    Long.toString(r.bytes),
                    String.format(Locale.ROOT, "%.3f", r.nanos / 1e9),
                    String.format(Locale.ROOT, "%.0f", r.framesPerSecond()),
                    String.format(Locale.ROOT, "%.1f", r.mbPerSecond()),
                    r.ceiling == null
                            ? ""
                            : String.format(Locale.ROOT, "%.3f", r.framesPerSecond() / r.ceiling.framesPerSecond()),
                    r.cpuNanos < 0 ? "" : String.format(Locale.ROOT, "%.2f", r.cpuNanos / 1e3 / r.frames),
                    Long.toString(r.peakRss),
                    Long.toString(r.windows),
                    Long.toString(r.late)));
        }
        System.out.println(
                "Target: >= 0.5x the ceiling. Job times run from submission to the last final count (MiniCluster start excluded);");
        System.out.println(
                "CPU us/f: CPU time of the measuring JVM per frame (all its threads; the broker's not included).");
        System.out.println(
                "cold f/s: the same job's first run in its fresh JVM (JIT compiling meanwhile); the row's numbers are its second run.");
        comparePeer(rows, run);
        Files.write(run.resolve("results.csv"), csv);
        System.out.println("CSV: " + run.resolve("results.csv"));
        return 0;
    }

    /**
     * The file cases next to the Flink SQL peer: speed ratios, and whether the peer's final counts agree with the
     * exact job's (they differ only in windows where clickflow corrected for frames later than the watermark, which
     * SQL's window aggregation drops).
     */
    private static void comparePeer(List<Row> rows, Path run) throws Exception {
        Row sql = rows.stream()
                .filter(r -> r.name.contains("Flink SQL"))
                .findFirst()
                .orElse(null);
        if (sql == null) {
            return;
        }
        for (Row r : rows) {
            if (r.name.startsWith("file: clickflow")) {
                System.out.printf(
                        Locale.ROOT,
                        "%s / Flink SQL peer: %.2fx frames/s, %.2fx CPU per frame%n",
                        r.name,
                        r.framesPerSecond() / sql.framesPerSecond(),
                        (double) r.cpuNanos / sql.cpuNanos);
            }
        }
        Path exact = run.resolve("file-exact.db");
        if (!Files.exists(exact)) {
            return;
        }
        String query = "SELECT window_seconds, window_start, unique_users FROM " + UniquesTables.UNIQUE_USERS.name()
                + " WHERE is_final = 1";
        Map<String, Long> ours = finalCounts(exact, query);
        Map<String, Long> peer = finalCounts(run.resolve("file-sql.db"), query);
        long same = ours.entrySet().stream()
                .filter(e -> e.getValue().equals(peer.get(e.getKey())))
                .count();
        System.out.printf(
                "Flink SQL peer's final counts: %,d of clickflow exact's %,d windows equal (%,d windows in the peer's"
                        + " table; the others differ by frames later than the watermark: clickflow corrects, SQL"
                        + " drops them)%n",
                same, ours.size(), peer.size());
    }

    private static Map<String, Long> finalCounts(Path db, String query) throws Exception {
        Map<String, Long> counts = new HashMap<>();
        try (Connection c = Database.of("jdbc:sqlite:" + db).connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                counts.put(rs.getLong(1) + "/" + rs.getString(2), rs.getLong(3));
            }
        }
        return counts;
    }

    /** One row of the table. */
    static final class Row {
        final String name;
        final long frames;
        final long bytes;
        final long nanos;
        final Row ceiling;
        long peakRss = -1;
        long windows = -1;
        long late = -1;
        /** CPU time of the measuring JVM (not the broker's) over the case. */
        long cpuNanos = -1;
        /** The same job's first run in a fresh JVM, when warmed up; -1 otherwise. */
        long coldNanos = -1;

        Row(String name, long frames, long bytes, long nanos, Row ceiling) {
            this.name = name;
            this.frames = frames;
            this.bytes = bytes;
            this.nanos = nanos;
            this.ceiling = ceiling;
        }

        double framesPerSecond() {
            return frames / (nanos / 1e9);
        }

        double mbPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }
    }

    private static Row print(Row r, Row ceiling) {
        Row row = ceiling == null ? r : new Row(r.name, r.frames, r.bytes, r.nanos, ceiling);
        row.peakRss = r.peakRss;
        row.windows = r.windows;
        row.late = r.late;
        row.cpuNanos = r.cpuNanos;
        row.coldNanos = r.coldNanos;
        System.out.printf(
                Locale.ROOT,
                "  %s: %,.0f frames/s, %.1f MB/s (%.1f s)%s%n",
                row.name,
                row.framesPerSecond(),
                row.mbPerSecond(),
                row.nanos / 1e9,
                ceiling == null
                        ? ""
                        : String.format(
                                Locale.ROOT, ", %.2fx the ceiling", row.framesPerSecond() / ceiling.framesPerSecond()));
        return row;
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
                Integer.toString(BenchCommand.freePort())));
        JsonNode r = BenchCommand.runCase(
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

    static FrameGenerator generator(int users) {
        // ~1,000 frames per event-second, 99.9% within 5 s (disorder 3 s), 0.1% 30 s late: the challenge's shape.
        return new FrameGenerator(
                        42, users, Instant.parse("2024-01-01T00:00:00Z").getEpochSecond(), 1000, 3)
                .withFaults(0.001, 30, 0.0001);
    }

    static void writeFolder(FrameGenerator generator, long frames, Path folder, int files) throws IOException {
        List<BufferedWriter> writers = new ArrayList<>();
        try {
            for (int f = 0; f < files; f++) {
                writers.add(LineFiles.writer(folder.resolve("frames-" + f + ".jsonl")));
            }
            // Consecutive slices, named in time order: how history is kept, and how the job reads a folder.
            long perFile = (frames + files - 1) / files;
            for (long i = 0; i < frames; i++) {
                BufferedWriter w = writers.get((int) (i / perFile));
                w.write(generator.next().json());
                w.write('\n');
            }
        } finally {
            for (BufferedWriter w : writers) {
                w.close();
            }
        }
    }

    private static void check(long read, long expected, String what) {
        if (read != expected) {
            throw new IllegalStateException("the " + what + " read " + read + " of " + expected + " frames");
        }
    }

    /** Every file of the folder split into lines and decoded on {@code threads} threads: {frames, nanos}. */
    static long[] fileParse(Path folder, int threads) throws Exception {
        List<Path> files;
        try (var list = Files.list(folder)) {
            files = list.sorted().toList();
        }
        List<Callable<Long>> tasks = new ArrayList<>();
        for (Path file : files) {
            tasks.add(() -> parseFile(file));
        }
        return inParallel(threads, tasks);
    }

    /** Runs the tasks on {@code threads} threads: {sum of their counts, nanos until the last ended}. */
    private static long[] inParallel(int threads, List<Callable<Long>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Long>> futures = new ArrayList<>();
            for (var task : tasks) {
                futures.add(pool.submit(task));
            }
            long n = 0;
            for (Future<Long> f : futures) {
                n += f.get();
            }
            return new long[] {n, System.nanoTime() - start};
        } finally {
            pool.shutdownNow();
        }
    }

    private static long parseFile(Path file) throws IOException {
        FrameDecoder decoder = new FrameDecoder();
        String name = file.getFileName().toString();
        long n = 0;
        long sink = 0;
        byte[] buf = new byte[1 << 16];
        byte[] line = new byte[8192];
        int len = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                for (int i = 0; i < r; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        Decoded<Frame> d = decoder.decode(line, 0, len, name, null);
                        sink += d.event == null ? 1 : d.event.eventTime;
                        n++;
                        len = 0;
                    } else {
                        if (len == line.length) {
                            line = Arrays.copyOf(line, len * 2);
                        }
                        line[len++] = b;
                    }
                }
            }
        }
        if (sink == 42) {
            System.out.print(""); // keeps the decoding from being optimized away
        }
        return n;
    }

    /** Plain consumers decoding every frame with the job's Kafka deserializer: {frames, nanos}. */
    static long[] kafkaParse(String bs, int partitions, int threads) throws Exception {
        List<Callable<Long>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (int p = t; p < partitions; p += threads) {
                mine.add(new TopicPartition(TOPIC, p));
            }
            tasks.add(() -> consume(bs, mine));
        }
        return inParallel(threads, tasks);
    }

    private static long consume(String bs, List<TopicPartition> partitions) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bs);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500"); // as the Flink Kafka source
        DecodingKafkaDeserializer<Frame> deserializer =
                new DecodingKafkaDeserializer<>(new FrameDecoder(), FrameDecoder.TYPE);
        long[] n = new long[1];
        Collector<Decoded<Frame>> count = new Collector<>() {
            @Override
            public void collect(Decoded<Frame> d) {
                n[0]++;
            }

            @Override
            public void close() {}
        };
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long remaining = consumer.endOffsets(partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
            while (remaining > 0) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    deserializer.deserialize(r, count);
                    remaining--;
                }
            }
        }
        return n[0];
    }
}
