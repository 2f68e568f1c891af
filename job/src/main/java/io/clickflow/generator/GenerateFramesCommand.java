package io.clickflow.generator;

import io.clickflow.cli.CommandLine;
import io.clickflow.cli.UsageException;
import io.clickflow.io.KafkaPreflight;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code ./clickflow generate-frames}: synthetic ~2 KB frames of the unique-users challenge to Kafka or a file. */
public final class GenerateFramesCommand {
    private GenerateFramesCommand() {}

    public static CommandLine commandLine() {
        return new CommandLine("generate-frames",
                "Writes synthetic ~2 KB JSON frames (root-level uid and ts among many keys, decoys in nested objects,\n"
                        + "escapes, non-ASCII) to Kafka (default, paced at --rate, event time = now) or to a JSON-lines file.")
                .option("bootstrap-servers", "HOST:PORT", "localhost:9092", "Kafka brokers.")
                .option("frames-topic", "TOPIC", "frames", "Topic of frames (keyed by uid).")
                .option("frames-file", "PATH", null, "Write to this file instead (.gz compresses).")
                .option("count", "N", null, "Frames to write (default: a file 100000, Kafka until Ctrl-C).")
                .option("rate", "N", "1000", "Frames per second of event time (Kafka: also of wall-clock time).")
                .flag("as-fast-as-possible", "Kafka: do not pace; event time still advances at --rate from --start-time.")
                .option("start-time", "ISO-8601", null, "Event time of the first frame (default: now for Kafka, 2024-01-01T00:00:00Z for a file).")
                .option("users", "N", "100000", "Distinct users (uids of 19 hex characters).")
                .option("max-disorder", "DURATION", "3s", "A frame's ts is up to this much behind the newest (keep it below the job's --out-of-orderness).")
                .option("late-fraction", "FRACTION", "0.001", "Fraction of frames made late by --late-by beyond the disorder.")
                .option("late-by", "DURATION", "30s", "How far late frames lag behind.")
                .option("malformed-fraction", "FRACTION", "0", "Fraction of lines that are malformed (bad JSON, no root uid, bad ts).")
                .option("seed", "N", "42", "Random seed: the same seed and options give the same frames.");
    }

    public static void run(String[] args) throws Exception {
        CommandLine cl = commandLine().parse(args);
        if (cl.helpRequested()) {
            System.out.print(cl.help());
            return;
        }
        boolean file = cl.isSet("frames-file");
        long count = cl.isSet("count") ? cl.longValue("count", 1) : (file ? 100_000 : Long.MAX_VALUE);
        long start = cl.isSet("start-time") ? cl.get("start-time", s -> {
            try {
                return Instant.parse(s).getEpochSecond();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + s + "' is not an ISO-8601 instant like 2024-01-01T00:00:00Z");
            }
        }) : file ? Instant.parse("2024-01-01T00:00:00Z").getEpochSecond() : Instant.now().getEpochSecond();
        int rate = cl.integer("rate", 1, 10_000_000);
        long disorder = cl.duration("max-disorder").toSeconds();
        if (disorder > Integer.MAX_VALUE) {
            throw new UsageException("--max-disorder is too large");
        }
        FrameGenerator generator = new FrameGenerator(cl.longValue("seed", Long.MIN_VALUE), cl.integer("users", 1, 100_000_000),
                start, rate, (int) disorder)
                .withFaults(cl.fraction("late-fraction"), cl.duration("late-by").toSeconds(), cl.fraction("malformed-fraction"));
        if (file) {
            Path path = Path.of(cl.string("frames-file"));
            writeFile(generator, count, path);
            System.out.printf("Wrote %,d frames to %s%n", count, path);
        } else {
            KafkaPreflight.checkTopics(cl.string("bootstrap-servers"), List.of(cl.string("frames-topic")));
            AtomicBoolean stop = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
            long n = toKafka(generator, count, cl.string("bootstrap-servers"), cl.string("frames-topic"),
                    !cl.flag("as-fast-as-possible"), rate, stop);
            System.out.printf("Sent %,d frames to %s%n", n, cl.string("bootstrap-servers"));
        }
    }

    public static void writeFile(FrameGenerator generator, long count, Path file) throws IOException {
        try (BufferedWriter w = LineFiles.writer(file)) {
            for (long i = 0; i < count; i++) {
                w.write(generator.next().json());
                w.write('\n');
            }
        }
    }

    /** Sends frames keyed by uid until {@code count} or {@code stop}; paced, event time tracks the wall clock. */
    public static long toKafka(FrameGenerator generator, long count, String bootstrapServers, String topic, boolean paced,
            double rate, AtomicBoolean stop) throws Exception {
        long n = 0;
        try (KafkaSender sender = new KafkaSender(bootstrapServers, 512 * 1024, "lz4")) {
            for (; n < count && !stop.get(); n++) {
                if (paced) {
                    sender.pace(n, rate);
                }
                FrameGenerator.Generated f = generator.next();
                sender.send(topic, f.uid(), f.json().getBytes(StandardCharsets.UTF_8));
            }
        }
        return n;
    }
}
