package io.clickflow.options;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;

import picocli.CommandLine.Option;

import java.time.Instant;

/**
 * The options every generator repeats (generate, generate-frames, generate-tenant-events), each group a mixin so a
 * generator lists it where its help always had it, around its own topics and files. What a generator writes
 * (events, frames, records) and route's slower default rate come from its resource bundle, by the option's key.
 */
public final class GeneratorOptions {
    private GeneratorOptions() {}

    /** Where the records go: the Kafka brokers. */
    public static final class Brokers {
        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOST:PORT",
                defaultValue = "localhost:9092",
                description = "Kafka brokers.")
        private String bootstrapServers;

        public String bootstrapServers() {
            return bootstrapServers;
        }
    }

    /** How many records, and how many a second. */
    public static final class Pace {
        @Option(
                names = "--count",
                paramLabel = "N",
                descriptionKey = "count",
                description = "Events to write. Default: files 100000, Kafka until Ctrl-C")
        private Long count;

        @Option(
                names = "--rate",
                paramLabel = "N",
                defaultValue = "${bundle:rate.default:-1000}",
                descriptionKey = "rate",
                description = "Events per second of event time (Kafka: also of wall-clock time).")
        private int rate;

        /** --count, at least 1; {@code otherwise} when it was not given. */
        public long count(long otherwise) {
            if (count != null && count < 1) {
                throw new UsageException("--count: must be at least 1, not " + count);
            }
            return count != null ? count : otherwise;
        }

        /** --rate, checked. */
        public int rate() {
            return Cli.range("--rate", rate, 1, 10_000_000);
        }
    }

    /** Event time of generators that also write files: where it starts, and whether Kafka is paced by the clock. */
    public static final class Clock {
        @Option(
                names = "--as-fast-as-possible",
                description = "Kafka: do not pace; event time still advances at --rate from --start-time.")
        private boolean asFastAsPossible;

        @Option(
                names = "--start-time",
                paramLabel = "ISO-8601",
                descriptionKey = "start-time",
                description = "Event time of the first event; only late events are earlier. Default: now for Kafka, "
                        + "2024-01-01T00:00:00Z for files")
        private String startTime;

        /** --start-time, or by default now for Kafka and 2024-01-01T00:00:00Z (a fixed, repeatable day) for files. */
        public Instant start(boolean files) {
            if (startTime != null) {
                return Cli.instant("--start-time", startTime);
            }
            return files ? Instant.parse("2024-01-01T00:00:00Z") : Instant.now();
        }

        /** Kafka: sends are paced at --rate in real time. */
        public boolean paced() {
            return !asFastAsPossible;
        }
    }
}
