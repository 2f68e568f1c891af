package io.clickflow.route;

import java.io.Serializable;

/**
 * The two calls the Avro router makes to a Confluent-compatible schema registry: a writer schema by its id, and
 * the id of a schema under a subject (registering it when new). A registry that cannot be reached is an
 * {@link java.io.UncheckedIOException}, never an answer: records must not become dead letters for it.
 */
public interface SchemaRegistry {
    /** The schema's text as registered, or null when the registry has no schema of this id. */
    String schema(int id);

    /**
     * The id of {@code schema} under {@code subject}, registered if new (idempotent for an identical schema).
     *
     * @throws RoutingReader.Refused when the registry refuses the schema (incompatible with the subject's,
     *     invalid): the record's problem, not the registry's
     */
    int register(String subject, String schema) throws RoutingReader.Refused;

    /** How a subtask connects: shipped with the job, opened where it runs. */
    interface Factory extends Serializable {
        SchemaRegistry open();
    }
}
