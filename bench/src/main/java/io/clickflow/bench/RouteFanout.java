package io.clickflow.bench;

import io.clickflow.route.Destination;
import io.clickflow.route.Destinations;
import io.clickflow.route.JsonRoutingFields;
import io.clickflow.route.Router;
import io.clickflow.route.Routing;

/**
 * The router's rule for the ceiling, the Kafka Streams peer and the expected counts: the routing fields read by the
 * router's own {@link JsonRoutingFields}, a copy per configured destination with the router's headers, and one
 * dead letter when a record cannot go to all of its destinations. The topic catalog's missing-topic check is left
 * out: every topic of a bench run exists.
 */
final class RouteFanout {
    /** Receives each output of one record: its topic and the headers to add, name and value side by side. */
    interface Emit {
        void to(String topic, String... headers);
    }

    private final Destinations destinations;
    private final String deadLetterTopic;

    RouteFanout(Destinations destinations, String deadLetterTopic) {
        this.destinations = destinations;
        this.deadLetterTopic = deadLetterTopic;
    }

    /** Emits the outputs of one record read at {@code source} ({@code topic/partition/offset}); returns how many. */
    int route(byte[] value, String source, Emit emit) {
        Routing routing = JsonRoutingFields.read(value);
        if (!routing.ok()) {
            deadLetter(routing, routing.error(), source, emit);
            return 1;
        }
        int n = 0;
        StringBuilder reasons = null;
        for (String name : routing.destinations()) {
            Destination d = destinations.get(name);
            if (d == null) {
                String problem = "unknown destination " + name;
                reasons = reasons == null
                        ? new StringBuilder(problem)
                        : reasons.append("; ").append(problem);
            } else {
                emit.to(d.outputTopic, Router.DESTINATION_HEADER, name, Router.SOURCE_HEADER, source);
                n++;
            }
        }
        if (reasons != null) {
            deadLetter(routing, reasons.toString(), source, emit);
            n++;
        }
        return n;
    }

    private void deadLetter(Routing routing, String reason, String source, Emit emit) {
        String tenant = routing.tenant();
        if (tenant == null) {
            emit.to(deadLetterTopic, Router.REASON_HEADER, reason, Router.SOURCE_HEADER, source);
        } else {
            emit.to(
                    deadLetterTopic,
                    Router.REASON_HEADER,
                    reason,
                    Router.SOURCE_HEADER,
                    source,
                    Router.TENANT_HEADER,
                    tenant);
        }
    }
}
