package io.clickflow.attribution;

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
import java.util.concurrent.atomic.AtomicLong;

/** {@code ./clickflow generate}: synthetic clicks and page views to Kafka (keyed by user) or to two files. */
@Command(
        name = "generate",
        header = "Write synthetic ad clicks and page views to Kafka or to files.",
        description = {
            "Writes synthetic ad clicks and page views, keyed by user, to Kafka (default, paced at --rate in real",
            "time, event time = now) or to two JSON-lines files (event time from --start-time at --rate)."
        })
public final class GenerateCommand implements Callable<Integer> {
    @Mixin
    GeneratorOptions.Brokers kafka;

    @Mixin
    AttributionTopics topics;

    @Option(
            names = "--clicks-file",
            paramLabel = "PATH",
            description = "Write clicks to this file instead (.gz compresses); needs --page-views-file.")
    Path clicksFile;

    @Option(
            names = "--page-views-file",
            paramLabel = "PATH",
            description = "Write page views to this file instead (.gz compresses).")
    Path pageViewsFile;

    @Mixin
    GeneratorOptions.Pace pace;

    @Mixin
    GeneratorOptions.Clock clock;

    @Mixin
    TrafficOptions traffic;

    /** The options that shape generated traffic, shared with the demo (which sets other defaults). */
    public static final class TrafficOptions {
        @Option(names = "--users", paramLabel = "N", defaultValue = "1000", description = "Distinct users.")
        int users;

        @Option(names = "--campaigns", paramLabel = "N", defaultValue = "20", description = "Distinct campaigns.")
        int campaigns;

        @Option(
                names = "--click-ratio",
                paramLabel = "FRACTION",
                defaultValue = "0.2",
                description = "Fraction of events that are clicks.")
        double clickRatio;

        @Option(
                names = "--max-disorder",
                paramLabel = "DURATION",
                defaultValue = "3s",
                description = "Event times go back at most this much (keep it below the job's --out-of-orderness).")
        Duration maxDisorder;

        @Option(
                names = "--late-fraction",
                paramLabel = "FRACTION",
                defaultValue = "0",
                description = "Fraction of events made late by --late-by beyond the disorder.")
        public double lateFraction;

        @Option(
                names = "--late-by",
                paramLabel = "DURATION",
                defaultValue = "10m",
                description = "How far late events lag behind.")
        Duration lateBy;

        @Option(
                names = "--malformed-fraction",
                paramLabel = "FRACTION",
                defaultValue = "0",
                description = "Fraction of records that are malformed (bad JSON, missing fields, bad times).")
        public double malformedFraction;

        @Option(
                names = "--duplicate-fraction",
                paramLabel = "FRACTION",
                defaultValue = "0",
                description = "Fraction of events sent twice.")
        public double duplicateFraction;

        @Option(
                names = "--seed",
                paramLabel = "N",
                defaultValue = "42",
                description = "Random seed: the same seed and options give the same events.")
        long seed;

        /** The generator's configuration; {@code rate} events per second of event time from {@code start}. */
        public ClickstreamGenerator.Config config(long start, int rate) {
            Cli.range("--rate", rate, 1, 10_000_000);
            return new ClickstreamGenerator.Config(
                    seed,
                    Cli.range("--users", users, 1, 100_000_000),
                    Cli.range("--campaigns", campaigns, 1, 1_000_000),
                    Cli.fraction("--click-ratio", clickRatio),
                    start,
                    rate,
                    maxDisorder.toMillis(),
                    Cli.fraction("--late-fraction", lateFraction),
                    lateBy.toMillis(),
                    Cli.fraction("--malformed-fraction", malformedFraction),
                    Cli.fraction("--duplicate-fraction", duplicateFraction),
                    1);
        }
    }

    @Override
    public Integer call() throws Exception {
        boolean files = clicksFile != null || pageViewsFile != null;
        if (files && (clicksFile == null || pageViewsFile == null)) {
            throw new UsageException("file output needs both --clicks-file and --page-views-file");
        }
        long n = pace.count(files ? 100_000 : Long.MAX_VALUE);
        long start = clock.start(files).toEpochMilli();
        ClickstreamGenerator.Config config = traffic.config(start, pace.rate());
        if (files) {
            long written = writeFiles(new ClickstreamGenerator(config), n, clicksFile, pageViewsFile);
            System.out.printf("Wrote %,d events to %s and %s%n", written, clicksFile, pageViewsFile);
        } else {
            // A wrong broker or a missing topic is one line now, not a producer timeout a minute later.
            KafkaPreflight.checkTopics(
                    kafka.bootstrapServers(),
                    List.of(
                            new KafkaPreflight.Topic(topics.clicks, "--clicks-topic"),
                            new KafkaPreflight.Topic(topics.pageViews, "--page-views-topic")));
            AtomicBoolean stop = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
            long sent = toKafka(
                    new ClickstreamGenerator(config),
                    n,
                    kafka.bootstrapServers(),
                    topics.clicks,
                    topics.pageViews,
                    clock.paced(),
                    config.eventsPerSecond(),
                    stop,
                    null);
            System.out.printf("Sent %,d events to %s%n", sent, kafka.bootstrapServers());
        }
        return 0;
    }

    public static long writeFiles(ClickstreamGenerator generator, long count, Path clicksFile, Path viewsFile)
            throws IOException {
        try (BufferedWriter clicks = LineFiles.writer(clicksFile);
                BufferedWriter views = LineFiles.writer(viewsFile)) {
            for (long i = 0; i < count; i++) {
                ClickstreamGenerator.Event e = generator.next();
                BufferedWriter w = e.isClick() ? clicks : views;
                w.write(e.json());
                w.write('\n');
            }
        }
        return count;
    }

    /**
     * Sends events until {@code count} or {@code stop}; paced, event time tracks the wall clock.
     *
     * @param sent if not null, updated with the number sent so far
     */
    public static long toKafka(
            ClickstreamGenerator generator,
            long count,
            String bootstrapServers,
            String clicksTopic,
            String viewsTopic,
            boolean paced,
            double rate,
            AtomicBoolean stop,
            AtomicLong sent)
            throws Exception {
        long n = 0;
        try (KafkaSender sender = new KafkaSender(bootstrapServers, 256 * 1024, "none")) {
            for (; n < count && !stop.get(); n++) {
                if (paced) {
                    sender.pace(n, rate);
                }
                ClickstreamGenerator.Event e = generator.next();
                sender.send(
                        e.isClick() ? clicksTopic : viewsTopic,
                        e.userId(),
                        e.json().getBytes(StandardCharsets.UTF_8));
                if (sent != null) {
                    sent.lazySet(n + 1);
                }
            }
        }
        return n;
    }
}
