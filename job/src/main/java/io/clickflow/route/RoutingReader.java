package io.clickflow.route;

import java.io.Serializable;

/** Reads the routing fields of a record's value in one input format. */
public interface RoutingReader extends Serializable {
    Routing read(byte[] value);

    /** The seed's JSON events. */
    static RoutingReader json() {
        return JsonRoutingFields::read;
    }
}
