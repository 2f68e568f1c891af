package io.clickflow.route;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry in a map, for harness tests of the Avro reading: ids as given; registering a schema under a subject
 * gives an id of that subject's own (as a registry numbering versions rather than contents does), the same one
 * for the same schema, so the router's reframing shows. The subject {@code refusing} refuses every schema.
 * Subject versions (what references name) are added with {@link #version}.
 */
final class MapSchemaRegistry implements SchemaRegistry {
    static final int FIRST_NEW_ID = 1000;

    private final Map<Integer, Registered> schemas = new HashMap<>();
    private final Map<String, Registered> versions = new HashMap<>();
    private final String refusing;
    private final Map<String, Integer> registered = new HashMap<>();
    int registrations;
    /** Calls of {@link #schema(String, int)}. */
    int versionLookups;

    MapSchemaRegistry(Map<Integer, String> schemas, String refusing) {
        schemas.forEach((id, text) -> this.schemas.put(id, new Registered(text, List.of())));
        this.refusing = refusing;
    }

    /** A factory for the operator: each subtask gets its own copy of {@code schemas}. */
    static SchemaRegistry.Factory of(Map<Integer, String> schemas, String refusing) {
        HashMap<Integer, String> copy = new HashMap<>(schemas);
        return () -> new MapSchemaRegistry(copy, refusing);
    }

    /** Adds a schema with references under {@code id}. */
    MapSchemaRegistry schema(int id, Registered schema) {
        schemas.put(id, schema);
        return this;
    }

    /** Adds {@code schema} as {@code version} of {@code subject}. */
    MapSchemaRegistry version(String subject, int version, Registered schema) {
        versions.put(subject + "\n" + version, schema);
        return this;
    }

    @Override
    public Registered schema(int id) {
        return schemas.get(id);
    }

    @Override
    public Registered schema(String subject, int version) {
        versionLookups++;
        return versions.get(subject + "\n" + version);
    }

    @Override
    public int register(String subject, Registered schema) throws RoutingReader.Refused {
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
