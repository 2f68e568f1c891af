package io.clickflow.route;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the routing fields of a JSON event (the seed's {@code destinations}, {@code origin_service_type},
 * {@code origin_service_id}) from the top level only, streaming: the payload and any nested field of the same
 * name are skipped, never built into a tree.
 */
public final class JsonRoutingFields {
    static final String DESTINATIONS = "destinations";
    static final String TENANT_TYPE = "origin_service_type";
    static final String TENANT_ID = "origin_service_id";

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonRoutingFields() {}

    public static Routing read(byte[] value) {
        if (value == null) {
            return Routing.failed("no value (a tombstone)", null, null);
        }
        List<String> destinations = null;
        String tenantType = null;
        String tenantId = null;
        String error = null;
        boolean sawDestinations = false;
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
        if (destinations == null) {
            return Routing.failed("no \"destinations\"", tenantType, tenantId);
        }
        if (destinations.isEmpty()) {
            return Routing.failed("\"destinations\" is empty", tenantType, tenantId);
        }
        return new Routing(destinations, tenantType, tenantId, null);
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
