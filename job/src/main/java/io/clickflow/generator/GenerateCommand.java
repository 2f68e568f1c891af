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

/** {@code ./clickflow generate}: synthetic clicks and page views to Kafka (keyed by user) or to two files. */
public final class GenerateCommand {
    private GenerateCommand() {}

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine("generate",
                "Writes synthetic ad clicks and page views, keyed by user, to Kafka (default, paced at --rate in real\n"
                        + "time, event time = now) or to two JSON-lines files (event time from --start-time at --rate).")
                .option("bootstrap-servers", "HOST:PORT", "localhost:9092", "Kafka brokers.")
                .option("clicks-topic", "TOPIC", "ad_clicks", "Topic of ad clicks.")
                .option("page-views-topic", "TOPIC", "page_views", "Topic of page views.")
                .option("clicks-file", "PATH", null, "Write clicks to this file instead (.gz compresses); needs --page-views-file.")
                .option("page-views-file", "PATH", null, "Write page views to this file instead (.gz compresses).")
                .option("count", "N", null, "Events to write (default: files 100000, Kafka until Ctrl-C).")
                .option("rate", "N", "1000", "Events per second of event time (Kafka: also of wall-clock time).")
                .flag("as-fast-as-possible", "Kafka: do not pace; event time still advances at --rate from --start-time.")
                .option("start-time", "ISO-8601", null, "Event time of the first event (default: now for Kafka, 2024-01-01T00:00:00Z for files).");
        declareTraffic(cl, new TrafficDefaults("1000", "0.2", "3s", "0", "0", "0"));
        return cl;
    }

    /** Defaults of the traffic options, which the demo sets differently. */
    public record TrafficDefaults(String users, String clickRatio, String maxDisorder, String lateFraction,
            String malformedFraction, String duplicateFraction) {}

    /** The options that shape generated traffic, shared with the demo; {@link #config} reads them. */
    public static void declareTraffic(CommandLine cl, TrafficDefaults d) {
        cl.option("users", "N", d.users(), "Distinct users.")
                .option("campaigns", "N", "20", "Distinct campaigns.")
                .option("click-ratio", "FRACTION", d.clickRatio(), "Fraction of events that are clicks.")
                .option("max-disorder", "DURATION", d.maxDisorder(), "Event times go back at most this much (keep it below the job's --out-of-orderness).")
                .option("late-fraction", "FRACTION", d.lateFraction(), "Fraction of events made late by --late-by beyond the disorder.")
                .option("late-by", "DURATION", "10m", "How far late events lag behind.")
                .option("malformed-fraction", "FRACTION", d.malformedFraction(), "Fraction of records that are malformed (bad JSON, missing fields, bad times).")
                .option("duplicate-fraction", "FRACTION", d.duplicateFraction(), "Fraction of events sent twice.")
                .option("seed", "N", "42", "Random seed: the same seed and options give the same events.");
    }

    public static void run(String[] args) throws Exception {
        CommandLine cl = commandLine().parse(args);
        if (cl.helpRequested()) {
            System.out.print(cl.help());
            return;
        }
        boolean files = cl.isSet("clicks-file") || cl.isSet("page-views-file");
        if (files && !(cl.isSet("clicks-file") && cl.isSet("page-views-file"))) {
            throw new UsageException("file output needs both --clicks-file and --page-views-file");
        }
        long count = cl.isSet("count") ? cl.longValue("count", 1) : (files ? 100_000 : Long.MAX_VALUE);
        ClickstreamGenerator.Config config = config(cl, files ? Instant.parse("2024-01-01T00:00:00Z").toEpochMilli() : System.currentTimeMillis());
        if (files) {
            long n = writeFiles(new ClickstreamGenerator(config), count, Path.of(cl.string("clicks-file")), Path.of(cl.string("page-views-file")));
            System.out.printf("Wrote %,d events to %s and %s%n", n, cl.string("clicks-file"), cl.string("page-views-file"));
        } else {
            // A wrong broker or a missing topic is one line now, not a producer timeout a minute later.
            KafkaPreflight.checkTopics(cl.string("bootstrap-servers"), List.of(cl.string("clicks-topic"), cl.string("page-views-topic")));
            AtomicBoolean stop = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
            long n = toKafka(new ClickstreamGenerator(config), count, cl.string("bootstrap-servers"), cl.string("clicks-topic"),
                    cl.string("page-views-topic"), !cl.flag("as-fast-as-possible"), config.eventsPerSecond(), stop, null);
            System.out.printf("Sent %,d events to %s%n", n, cl.string("bootstrap-servers"));
        }
    }

    public static ClickstreamGenerator.Config config(CommandLine cl, long defaultStart) {
        long start = cl.isDeclared("start-time") && cl.isSet("start-time") ? cl.get("start-time", s -> {
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + s + "' is not an ISO-8601 instant like 2024-01-01T00:00:00Z");
            }
        }) : defaultStart;
        int rate = cl.integer("rate", 1, 10_000_000);
        return new ClickstreamGenerator.Config(cl.longValue("seed", Long.MIN_VALUE), cl.integer("users", 1, 100_000_000),
                cl.integer("campaigns", 1, 1_000_000), cl.fraction("click-ratio"), start, rate,
                cl.duration("max-disorder").toMillis(), cl.fraction("late-fraction"), cl.duration("late-by").toMillis(),
                cl.fraction("malformed-fraction"), cl.fraction("duplicate-fraction"), 1);
    }

    public static long writeFiles(ClickstreamGenerator generator, long count, Path clicksFile, Path viewsFile) throws IOException {
        try (BufferedWriter clicks = LineFiles.writer(clicksFile); BufferedWriter views = LineFiles.writer(viewsFile)) {
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
    public static long toKafka(ClickstreamGenerator generator, long count, String bootstrapServers, String clicksTopic,
            String viewsTopic, boolean paced, double rate, AtomicBoolean stop, java.util.concurrent.atomic.AtomicLong sent)
            throws Exception {
        long n = 0;
        try (KafkaSender sender = new KafkaSender(bootstrapServers, 256 * 1024, "none")) {
            for (; n < count && !stop.get(); n++) {
                if (paced) {
                    sender.pace(n, rate);
                }
                ClickstreamGenerator.Event e = generator.next();
                sender.send(e.isClick() ? clicksTopic : viewsTopic, e.userId(), e.json().getBytes(StandardCharsets.UTF_8));
                if (sent != null) {
                    sent.lazySet(n + 1);
                }
            }
        }
        return n;
    }
}
