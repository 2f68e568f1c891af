package io.clickflow.route;

import java.io.Serializable;
import java.util.List;

/**
 * The calls the Avro router makes to a Confluent-compatible schema registry: a writer schema by its id (and the
 * schemas it references, by subject and version), and the id of a schema under a subject (registering it when
 * new). A registry that cannot be reached, or that refuses the router's credentials, is an
 * {@link java.io.UncheckedIOException}, never an answer: records must not become dead letters for it.
 */
public interface SchemaRegistry {
    /** The schema as registered, or null when the registry has no schema of this id. */
    Registered schema(int id);

    /** The schema registered as {@code version} of {@code subject}, or null when the registry has none. */
    Registered schema(String subject, int version);

    /**
     * The id of {@code schema} (with its references) under {@code subject}, registered if new (idempotent for an
     * identical schema).
     *
     * @throws RoutingReader.Refused when the registry refuses the schema (incompatible with the subject's,
     *     invalid): the record's problem, not the registry's
     */
    int register(String subject, Registered schema) throws RoutingReader.Refused;

    /** A schema without references under {@code subject}. */
    default int register(String subject, String schema) throws RoutingReader.Refused {
        return register(subject, new Registered(schema, List.of()));
    }

    /** A schema's text as registered and the named types it takes from other subjects' schemas. */
    record Registered(String text, List<Reference> references) implements Serializable {
        public Registered {
            references = List.copyOf(references);
        }
    }

    /** A named type ({@code name}, as the schema's text uses it) defined by a version of another subject. */
    record Reference(String name, String subject, int version) implements Serializable {
        @Override
        public String toString() {
            return name + " (subject " + subject + " version " + version + ")";
        }
    }

    /** How a subtask connects: shipped with the job, opened where it runs. */
    interface Factory extends Serializable {
        SchemaRegistry open();
    }
}
