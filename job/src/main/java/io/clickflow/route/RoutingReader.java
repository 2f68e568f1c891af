package io.clickflow.route;

import java.io.Serializable;

/**
 * Reads the routing fields of a record's value in one input format, and gives the value each destination gets.
 * Shipped with the job; {@link #open()} gives each subtask its own (caches, connections).
 */
public interface RoutingReader extends Serializable {
    Routing read(byte[] value);

    /**
     * The value to write to {@code destination} for a record {@link #read} accepted: the value itself unless the
     * format frames it per destination.
     *
     * @throws Refused when this destination cannot take the record (the reason goes to the dead-letter header)
     */
    default byte[] valueFor(Destination destination, byte[] value) throws Refused {
        return value;
    }

    /** The reader a subtask uses. */
    default RoutingReader open() {
        return this;
    }

    /** A destination cannot take a record it otherwise could: say why in one line. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The seed's JSON events. */
    static RoutingReader json() {
        return JsonRoutingFields::read;
    }

    /** Confluent wire-format Avro, schemas from and registered with {@code registry}. */
    static RoutingReader avro(SchemaRegistry.Factory registry) {
        return new AvroRoutingFields(registry);
    }
}
