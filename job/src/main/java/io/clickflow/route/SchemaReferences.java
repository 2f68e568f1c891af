package io.clickflow.route;

import org.apache.avro.Schema;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses a writer schema together with the schemas it references, as Confluent's serializers do: each referenced
 * subject version (and what it references, first) is parsed into one {@link Schema.Parser}, so the named types the
 * writer schema uses resolve, then the writer schema itself.
 */
final class SchemaReferences {
    /** More referenced schemas than any real one has: a registry answering in a loop must not stall a subtask. */
    static final int MAX_REFERENCED = 1000;

    private SchemaReferences() {}

    /** A referenced schema by subject and version, or null when the registry has none (cached by the caller). */
    interface Lookup {
        SchemaRegistry.Registered schema(SchemaRegistry.Reference reference);
    }

    /** Why a schema cannot be parsed with its references; {@code askAgain}: the registry may have them later. */
    static final class Unresolved extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean askAgain;

        Unresolved(String message, boolean askAgain) {
            super(message, null, false, false);
            this.askAgain = askAgain;
        }
    }

    /**
     * The schema of {@code writer}'s text with the named types of its references defined.
     *
     * @throws Unresolved when a reference is missing, not Avro, or part of a cycle
     * @throws org.apache.avro.SchemaParseException when the writer's own text is not an Avro schema
     */
    static Schema parse(SchemaRegistry.Registered writer, Lookup lookup) throws Unresolved {
        Schema.Parser parser = new Schema.Parser();
        define(writer.references(), parser, lookup, new HashSet<>(), new HashSet<>());
        return parser.parse(writer.text());
    }

    private static void define(
            List<SchemaRegistry.Reference> references,
            Schema.Parser parser,
            Lookup lookup,
            Set<String> defined,
            Set<String> path)
            throws Unresolved {
        for (SchemaRegistry.Reference r : references) {
            String key = r.subject() + "\n" + r.version();
            if (defined.contains(key)) {
                continue; // two schemas referencing a third: its types are defined once
            }
            if (!path.add(key)) {
                throw new Unresolved("its references go round in a cycle through " + r, false);
            }
            if (defined.size() + path.size() > MAX_REFERENCED) {
                throw new Unresolved("it references more than " + MAX_REFERENCED + " schemas", false);
            }
            SchemaRegistry.Registered referenced = lookup.schema(r);
            if (referenced == null) {
                throw new Unresolved("it references " + r + ", which the registry does not have", true);
            }
            define(referenced.references(), parser, lookup, defined, path);
            try {
                parser.parse(referenced.text());
            } catch (RuntimeException e) {
                throw new Unresolved("its reference " + r + " is not an Avro schema: " + e.getMessage(), false);
            }
            path.remove(key);
            defined.add(key);
        }
    }
}
