package io.clickflow.options;

import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The event-time options every job repeats, each a mixin of its own so a job lists it where its help always had it.
 * Where a job's text or default differs on purpose (what is late in it: a frame, an event; how long it corrects), its
 * resource bundle says so under the option's key.
 */
public final class EventTimeOptions {
    private EventTimeOptions() {}

    /** {@code --out-of-orderness}: the watermark's bound. */
    public static final class OutOfOrderness {
        @Option(
                names = "--out-of-orderness",
                paramLabel = "DURATION",
                defaultValue = "5s",
                descriptionKey = "out-of-orderness",
                description =
                        "How far event time may go backwards within a Kafka partition or file before a record is late.")
        private Duration value;

        public Duration value() {
            return value;
        }
    }

    /** {@code --allowed-lateness}: how long a final result is still corrected; the default is the job's bundle's. */
    public static final class AllowedLateness {
        @Option(
                names = "--allowed-lateness",
                paramLabel = "DURATION",
                defaultValue = "${bundle:allowed-lateness.default:-1m}",
                descriptionKey = "allowed-lateness",
                description = "A final count is still corrected (and re-emitted) for frames this late; later ones go to"
                        + " late_events.")
        private Duration value;

        public Duration value() {
            return value;
        }
    }

    /** {@code --idle-timeout}: when a silent partition stops holding the watermark back. */
    public static final class IdleTimeout {
        @Option(
                names = "--idle-timeout",
                paramLabel = "DURATION",
                defaultValue = "30s",
                description = "Kafka: a partition silent this long stops holding the watermark back (0: never). "
                        + "Files and --bounded runs read every partition to its end and never go idle.")
        private Duration value;

        public Duration value() {
            return value;
        }

        /**
         * The timeout for an input; none for a bounded one (files, {@code --bounded}). Such an input is never
         * silent, only at times slow (a reader restored from an older savepoint first reads up to its position),
         * and a source subtask that has finished holds the end-of-time watermark: idleness would let that
         * watermark through and make every later record late.
         */
        public Duration forInput(boolean bounded) {
            return bounded ? Duration.ZERO : value;
        }
    }
}
