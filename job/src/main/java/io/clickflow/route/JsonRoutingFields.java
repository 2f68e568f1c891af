package io.clickflow.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the routing fields of a JSON event (its destinations: the seed's {@code destination_service_type} or
 * clickflow's {@code destinations} array; {@code origin_service_type}, {@code origin_service_id}) from the top
 * level only, streaming: the payload and any nested field of the same name are skipped, never built into a tree
 * (unless the output is the seed's consumer record, which needs {@code event_timestamp} and {@code payload}).
 */
public final class JsonRoutingFields {
    static final String DESTINATIONS = "destinations";
    /** The seed's shape: one destination per record. */
    static final String DESTINATION_TYPE = "destination_service_type";

    static final String EVENT_TIMESTAMP = "event_timestamp";
    static final String PAYLOAD = "payload";
    static final String TENANT_TYPE = "origin_service_type";
    static final String TENANT_ID = "origin_service_id";

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonRoutingFields() {}

    static final String NEITHER = "no \"destinations\" or \"destination_service_type\"";
    static final String BOTH = "both \"destinations\" and \"destination_service_type\" (give one)";
    static final String TYPE_NOT_A_STRING = "\"destination_service_type\" is not a string";
    static final String TYPE_EMPTY = "\"destination_service_type\" is empty";
    private static final String FOR_CONSUMER = " for --output-record processor-to-consumer";

    /** The routing fields only, for {@link OutputRecord#UNCHANGED}. */
    public static Routing read(byte[] value) {
        return read(value, false);
    }

    /**
     * @param content also read the fields of the seed's consumer record ({@code origin_service_id},
     *     {@code event_timestamp}, {@code payload}); a record without them is a dead letter
     */
    public static Routing read(byte[] value, boolean content) {
        if (value == null) {
            return Routing.failed("no value (a tombstone)", null, null);
        }
        List<String> destinations = null;
        String tenantType = null;
        String tenantId = null;
        String error = null;
        boolean sawDestinations = false;
        boolean sawType = false;
        String type = null;
        Long eventTimestamp = null;
        String payload = null;
        boolean payloadIsJson = false;
        try (JsonParser p = FACTORY.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Routing.failed("not a JSON object", null, null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                switch (field) {
                    case DESTINATIONS -> {
                        if (sawDestinations) {
                            error = "\"destinations\" is given twice";
                            p.skipChildren();
                        } else {
                            sawDestinations = true;
                            destinations = destinations(p, token);
                            if (destinations == null) {
                                error = "\"destinations\" is not an array of strings";
                            }
                        }
                    }
                    case DESTINATION_TYPE -> {
                        if (sawType) {
                            error = "\"destination_service_type\" is given twice";
                        } else {
                            sawType = true;
                            type = token == JsonToken.VALUE_STRING ? p.getText() : null;
                        }
                        p.skipChildren();
                    }
                    case EVENT_TIMESTAMP -> {
                        if (content
                                && token == JsonToken.VALUE_NUMBER_INT
                                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                            eventTimestamp = p.getLongValue();
                        }
                        p.skipChildren();
                    }
                    case PAYLOAD -> {
                        if (content && token == JsonToken.VALUE_STRING) {
                            payload = p.getText();
                            payloadIsJson = false;
                        } else if (content && token != JsonToken.VALUE_NULL) {
                            payload = raw(p);
                            payloadIsJson = true;
                        } else {
                            p.skipChildren();
                        }
                    }
                    case TENANT_TYPE -> tenantType = scalar(p, token);
                    case TENANT_ID -> tenantId = scalar(p, token);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return Routing.failed("not a single JSON object", tenantType, tenantId);
            }
        } catch (IOException e) {
            return Routing.failed("not valid JSON: " + firstLine(e.getMessage()), tenantType, tenantId);
        }
        if (error != null) {
            return Routing.failed(error, tenantType, tenantId);
        }
        String problem = shape(sawDestinations, sawType);
        if (problem != null) {
            return Routing.failed(problem, tenantType, tenantId);
        }
        if (sawType) {
            if (type == null) {
                return Routing.failed(TYPE_NOT_A_STRING, tenantType, tenantId);
            }
            if (type.isBlank()) {
                return Routing.failed(TYPE_EMPTY, tenantType, tenantId);
            }
            destinations = List.of(Destination.normalise(type));
        }
        if (destinations.isEmpty()) {
            return Routing.failed("\"destinations\" is empty", tenantType, tenantId);
        }
        if (!content) {
            return new Routing(destinations, tenantType, tenantId, null);
        }
        return withContent(destinations, tenantType, tenantId, eventTimestamp, payload, payloadIsJson);
    }

    /**
     * The rule for a record's two possible shapes of destinations: exactly one of them, or the record is a dead
     * letter with this reason (neither: nowhere to go; both: which one the producer meant is a guess).
     */
    static String shape(boolean destinations, boolean destinationServiceType) {
        if (destinations && destinationServiceType) {
            return BOTH;
        }
        return destinations || destinationServiceType ? null : NEITHER;
    }

    /** A routable record with the fields of the seed's consumer record, or a dead letter naming the one missing. */
    static Routing withContent(
            List<String> destinations,
            String tenantType,
            String tenantId,
            Long eventTimestamp,
            String payload,
            boolean payloadIsJson) {
        String missing = null;
        if (tenantId == null) {
            missing = "no \"origin_service_id\" (a string)";
        } else if (eventTimestamp == null) {
            missing = "no \"event_timestamp\" (an integer, epoch milliseconds)";
        } else if (payload == null) {
            missing = "no \"payload\"";
        }
        if (missing != null) {
            return Routing.failed(missing + FOR_CONSUMER, tenantType, tenantId);
        }
        return new Routing(
                destinations,
                tenantType,
                tenantId,
                null,
                new ProcessorToConsumer.Fields(tenantId, eventTimestamp, payload, payloadIsJson));
    }

    /** The current value's JSON text as it was (compacted), the parser left at its end. */
    private static String raw(JsonParser p) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(text)) {
            g.copyCurrentStructure(p);
        }
        return text.toString();
    }

    /** Reads JSON records; with {@link OutputRecord#PROCESSOR_TO_CONSUMER}, writes the seed's consumer record. */
    record Reader(OutputRecord output) implements RoutingReader {
        @Override
        public Routing read(byte[] value) {
            return JsonRoutingFields.read(value, output == OutputRecord.PROCESSOR_TO_CONSUMER);
        }

        @Override
        public byte[] valueFor(Destination destination, byte[] value, Routing routing, long processedAt) {
            return routing.content() == null ? value : ProcessorToConsumer.json(routing.content(), processedAt);
        }
    }

    /** The distinct names of a {@code destinations} array, or null (after skipping it) when it is not one of strings. */
    private static List<String> destinations(JsonParser p, JsonToken token) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            p.skipChildren();
            return null;
        }
        List<String> names = new ArrayList<>(2);
        boolean allNames = true;
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.VALUE_STRING && !p.getText().isBlank()) {
                String name = Destination.normalise(p.getText());
                if (!names.contains(name)) {
                    names.add(name);
                }
            } else {
                allNames = false;
                p.skipChildren();
            }
        }
        return allNames ? names : null;
    }

    /** A string or number as text; anything else (an object, an array, null) is not a tenant name. */
    private static String scalar(JsonParser p, JsonToken token) throws IOException {
        if (token.isScalarValue() && token != JsonToken.VALUE_NULL) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
