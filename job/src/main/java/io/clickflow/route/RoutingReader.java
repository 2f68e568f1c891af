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
     * format frames it per destination, or the seed's consumer record built from {@link Routing#content()}.
     *
     * @param processedAt when the router routes the record (epoch millis), for the consumer record
     * @throws Refused when this destination cannot take the record (the reason goes to the dead-letter header)
     */
    default byte[] valueFor(Destination destination, byte[] value, Routing routing, long processedAt) throws Refused {
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

    /** The seed's JSON events, forwarded unchanged. */
    static RoutingReader json() {
        return json(OutputRecord.UNCHANGED);
    }

    /** The seed's JSON events, written as {@code output} says. */
    static RoutingReader json(OutputRecord output) {
        return new JsonRoutingFields.Reader(output);
    }

    /** Confluent wire-format Avro, schemas from and registered with {@code registry}, forwarded unchanged. */
    static RoutingReader avro(SchemaRegistry.Factory registry) {
        return avro(registry, OutputRecord.UNCHANGED);
    }

    /** Confluent wire-format Avro, written as {@code output} says. */
    static RoutingReader avro(SchemaRegistry.Factory registry, OutputRecord output) {
        return new AvroRoutingFields(registry, output);
    }
}
