package io.clickflow.uniques;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.io.KafkaSender;
import io.clickflow.io.LineFiles;
import io.clickflow.options.GeneratorOptions;
import io.clickflow.runner.KafkaPreflight;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code ./clickflow generate-frames}: synthetic ~2 KB frames of the unique-users challenge to Kafka or a file. */
@Command(
        name = "generate-frames",
        resourceBundle = "io.clickflow.uniques.GenerateFramesHelp",
        header = "Write synthetic ~2 KB JSON frames (for uniques) to Kafka or to a file.",
        description = {
            "Writes synthetic ~2 KB JSON frames (root-level uid and ts among many keys, decoys in nested objects,",
            "escapes, non-ASCII) to Kafka (default, paced at --rate, event time = now) or to a JSON-lines file."
        })
public final class GenerateFramesCommand implements Callable<Integer> {
    @Mixin
    GeneratorOptions.Brokers kafka;

    @Option(
            names = "--frames-topic",
            paramLabel = "TOPIC",
            defaultValue = "frames",
            description = "Topic of frames (keyed by uid).")
    String framesTopic;

    @Option(names = "--frames-file", paramLabel = "PATH", description = "Write to this file instead (.gz compresses).")
    Path framesFile;

    @Mixin
    GeneratorOptions.Pace pace;

    @Mixin
    GeneratorOptions.Clock clock;

    @Option(
            names = "--users",
            paramLabel = "N",
            defaultValue = "100000",
            description = "Distinct users (uids of 19 hex characters).")
    int users;

    @Option(
            names = "--max-disorder",
            paramLabel = "DURATION",
            defaultValue = "3s",
            description =
                    "A frame's ts is up to this much behind the newest (keep it below the job's --out-of-orderness).")
    Duration maxDisorder;

    @Option(
            names = "--late-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0.001",
            description = "Fraction of frames made late by --late-by beyond the disorder.")
    double lateFraction;

    @Option(
            names = "--late-by",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "How far late frames lag behind.")
    Duration lateBy;

    @Option(
            names = "--malformed-fraction",
            paramLabel = "FRACTION",
            defaultValue = "0",
            description = "Fraction of lines that are malformed (bad JSON, no root uid, bad ts).")
    double malformedFraction;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "42",
            description = "Random seed: the same seed and options give the same frames.")
    long seed;

    @Override
    public Integer call() throws Exception {
        boolean file = framesFile != null;
        long n = pace.count(file ? 100_000 : Long.MAX_VALUE);
        long start = clock.start(file).getEpochSecond();
        int rate = pace.rate();
        Cli.range("--users", users, 1, 100_000_000);
        long disorder = maxDisorder.toSeconds();
        if (disorder > Integer.MAX_VALUE) {
            throw new UsageException("--max-disorder is too large");
        }
        FrameGenerator generator = new FrameGenerator(seed, users, start, rate, (int) disorder)
                .withFaults(
                        Cli.fraction("--late-fraction", lateFraction),
                        lateBy.toSeconds(),
                        Cli.fraction("--malformed-fraction", malformedFraction));
        if (file) {
            writeFile(generator, n, framesFile);
            System.out.printf("Wrote %,d frames to %s%n", n, framesFile);
        } else {
            KafkaPreflight.checkTopics(
                    kafka.bootstrapServers(), List.of(new KafkaPreflight.Topic(framesTopic, "--frames-topic")));
            AtomicBoolean stop = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
            long sent = toKafka(generator, n, kafka.bootstrapServers(), framesTopic, clock.paced(), rate, stop);
            System.out.printf("Sent %,d frames to %s%n", sent, kafka.bootstrapServers());
        }
        return 0;
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
    public static long toKafka(
            FrameGenerator generator,
            long count,
            String bootstrapServers,
            String topic,
            boolean paced,
            double rate,
            AtomicBoolean stop)
            throws Exception {
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
