package io.clickflow.route;

import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The routing rule, apart from Flink's operator plumbing: a record goes to the topic of each destination it names
 * (unchanged, or as the seed's consumer record), and to the dead-letter topic once, unchanged, with the reasons,
 * when it cannot go to all of them.
 */
public final class Router {
    public static final String DESTINATION_HEADER = "clickflow.destination";
    public static final String SOURCE_HEADER = "clickflow.source";
    public static final String REASON_HEADER = "clickflow.reason";
    public static final String TENANT_HEADER = "clickflow.tenant";
    /** {@code --processor-id}, on every record a router writes when given. */
    public static final String PROCESSOR_HEADER = "clickflow.processor";

    /** Why a record is a dead letter, as a metric label: bounded, unlike the reason text in the header. */
    enum Failure {
        UNROUTABLE("unroutable"),
        UNKNOWN_DESTINATION("unknown-destination"),
        MISSING_TOPIC("missing-topic"),
        SCHEMA_REFUSED("schema-refused");

        final String label;

        Failure(String label) {
            this.label = label;
        }
    }

    /** What happened to one record, for the metrics. */
    interface Outcome {
        /** @param recordTimestamp the input record's Kafka timestamp (producer or broker time), epoch millis */
        void in(Routing routing, long recordTimestamp);

        void routed(Routing routing, String destination);

        void deadLetter(Routing routing, Failure failure);
    }

    private final RoutingReader reader;
    private final String deadLetterTopic;
    private final TopicCatalog topics;
    private final Outcome outcome;
    /** Null: no processor header. */
    private final String processorId;
    /** The processor_event_timestamp of the seed's consumer record. */
    private final LongSupplier clock;

    Router(RoutingReader reader, String deadLetterTopic, TopicCatalog topics, Outcome outcome) {
        this(reader, deadLetterTopic, topics, outcome, null, System::currentTimeMillis);
    }

    Router(
            RoutingReader reader,
            String deadLetterTopic,
            TopicCatalog topics,
            Outcome outcome,
            String processorId,
            LongSupplier clock) {
        this.reader = reader;
        this.deadLetterTopic = deadLetterTopic;
        this.topics = topics;
        this.outcome = outcome;
        this.processorId = processorId;
        this.clock = clock;
    }

    /** A subtask's router: its own topic catalog (closed by {@link #close()}) and per-tenant metrics. */
    static Router open(RouteSettings settings, MetricGroup metrics) {
        return new Router(
                settings.reader().open(),
                settings.deadLetterTopic(),
                settings.topics().open(),
                new RouteMetrics(metrics, settings.maxTenants()),
                settings.processorId(),
                System::currentTimeMillis);
    }

    void close() {
        topics.close();
    }

    /**
     * @param destinations the destination of a name (upper case), or null (or a removed one) when not configured
     */
    void route(KafkaRecord record, Function<String, Destination> destinations, Collector<KafkaRecord> out) {
        Routing routing = reader.read(record.value);
        outcome.in(routing, record.timestamp);
        String source = record.position();
        if (!routing.ok()) {
            deadLetter(record, routing, routing.error(), source, out);
            outcome.deadLetter(routing, Failure.UNROUTABLE);
            return;
        }
        StringBuilder reasons = null;
        Failure failure = null;
        // One time for all of a record's copies; a replay after a crash gets a new one, but the aborted
        // transaction's copies are never seen by a read_committed consumer.
        long processedAt = routing.content() == null ? 0 : clock.getAsLong();
        for (String name : routing.destinations()) {
            Destination d = destinations.apply(name);
            String problem = null;
            if (d == null || d.isRemoved()) {
                problem = "unknown destination " + name;
                failure = failure == null ? Failure.UNKNOWN_DESTINATION : failure;
            } else if (!topics.exists(d.outputTopic)) {
                problem = "destination " + name + ": topic " + d.outputTopic + " does not exist";
                failure = failure == null ? Failure.MISSING_TOPIC : failure;
            } else {
                try {
                    byte[] value = reader.valueFor(d, record.value, routing, processedAt);
                    KafkaRecord routed =
                            record.copyTo(d.outputTopic, headers(DESTINATION_HEADER, name, SOURCE_HEADER, source));
                    routed.value = value;
                    out.collect(routed);
                    outcome.routed(routing, name);
                } catch (RoutingReader.Refused e) {
                    problem = "destination " + name + ": " + e.getMessage();
                    failure = failure == null ? Failure.SCHEMA_REFUSED : failure;
                }
            }
            if (problem != null) {
                reasons = reasons == null
                        ? new StringBuilder(problem)
                        : reasons.append("; ").append(problem);
            }
        }
        if (reasons != null) {
            deadLetter(record, routing, reasons.toString(), source, out);
            outcome.deadLetter(routing, failure);
        }
    }

    private void deadLetter(
            KafkaRecord record, Routing routing, String reason, String source, Collector<KafkaRecord> out) {
        String tenant = routing.tenant();
        out.collect(record.copyTo(
                deadLetterTopic,
                tenant == null
                        ? headers(REASON_HEADER, reason, SOURCE_HEADER, source)
                        : headers(REASON_HEADER, reason, SOURCE_HEADER, source, TENANT_HEADER, tenant)));
    }

    /** Header names and values to append, with the processor's id when there is one. */
    private String[] headers(String... pairs) {
        if (processorId == null) {
            return pairs;
        }
        String[] all = Arrays.copyOf(pairs, pairs.length + 2);
        all[pairs.length] = PROCESSOR_HEADER;
        all[pairs.length + 1] = processorId;
        return all;
    }
}
