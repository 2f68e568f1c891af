package io.clickflow.route;

import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;

import java.util.function.Function;

/**
 * The routing rule, apart from Flink's operator plumbing: a record goes unchanged to the topic of each
 * destination it names, and to the dead-letter topic once, with the reasons, when it cannot go to all of them.
 */
public final class Router {
    public static final String DESTINATION_HEADER = "clickflow.destination";
    public static final String SOURCE_HEADER = "clickflow.source";
    public static final String REASON_HEADER = "clickflow.reason";
    public static final String TENANT_HEADER = "clickflow.tenant";

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

    Router(RoutingReader reader, String deadLetterTopic, TopicCatalog topics, Outcome outcome) {
        this.reader = reader;
        this.deadLetterTopic = deadLetterTopic;
        this.topics = topics;
        this.outcome = outcome;
    }

    /** A subtask's router: its own topic catalog (closed by {@link #close()}) and per-tenant metrics. */
    static Router open(RouteSettings settings, MetricGroup metrics) {
        return new Router(
                settings.reader().open(),
                settings.deadLetterTopic(),
                settings.topics().open(),
                new RouteMetrics(metrics, settings.maxTenants()));
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
                    byte[] value = reader.valueFor(d, record.value);
                    KafkaRecord routed = record.copyTo(d.outputTopic, DESTINATION_HEADER, name, SOURCE_HEADER, source);
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
        out.collect(
                tenant == null
                        ? record.copyTo(deadLetterTopic, REASON_HEADER, reason, SOURCE_HEADER, source)
                        : record.copyTo(
                                deadLetterTopic, REASON_HEADER, reason, SOURCE_HEADER, source, TENANT_HEADER, tenant));
    }
}
