package io.clickflow.route;

import java.util.HashMap;
import java.util.Map;

/**
 * A registry in a map, for harness tests of the Avro reading: ids as given; registering a schema under a subject
 * gives an id of that subject's own (as a registry numbering versions rather than contents does), the same one
 * for the same text, so the router's reframing shows. The subject {@code refusing} refuses every schema.
 */
final class MapSchemaRegistry implements SchemaRegistry {
    static final int FIRST_NEW_ID = 1000;

    private final Map<Integer, String> schemas;
    private final String refusing;
    private final Map<String, Integer> registered = new HashMap<>();
    int registrations;

    MapSchemaRegistry(Map<Integer, String> schemas, String refusing) {
        this.schemas = new HashMap<>(schemas);
        this.refusing = refusing;
    }

    /** A factory for the operator: each subtask gets its own copy of {@code schemas}. */
    static SchemaRegistry.Factory of(Map<Integer, String> schemas, String refusing) {
        HashMap<Integer, String> copy = new HashMap<>(schemas);
        return () -> new MapSchemaRegistry(copy, refusing);
    }

    @Override
    public String schema(int id) {
        return schemas.get(id);
    }

    @Override
    public int register(String subject, String schema) throws RoutingReader.Refused {
        if (subject.equals(refusing)) {
            throw new RoutingReader.Refused("subject " + subject + " refused it (409 incompatible)");
        }
        registrations++;
        return registered.computeIfAbsent(subject + "\n" + schema, k -> {
            int id = FIRST_NEW_ID + registered.size();
            schemas.put(id, schema);
            return id;
        });
    }
}
