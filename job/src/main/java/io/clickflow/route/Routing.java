package io.clickflow.route;

import java.util.List;

/**
 * What a record says about where it goes: its distinct destination names (upper case, first-seen order) and
 * its tenant, or why it cannot be routed; and, when the output is the seed's consumer record, the fields it is
 * built from ({@code content}, null otherwise).
 */
public record Routing(
        List<String> destinations,
        String tenantType,
        String tenantId,
        String error,
        ProcessorToConsumer.Fields content) {
    public Routing(List<String> destinations, String tenantType, String tenantId, String error) {
        this(destinations, tenantType, tenantId, error, null);
    }

    static Routing failed(String error, String tenantType, String tenantId) {
        return new Routing(List.of(), tenantType, tenantId, error);
    }

    public boolean ok() {
        return error == null;
    }

    /** {@code type/id} as far as known, or null. */
    public String tenant() {
        if (tenantType == null && tenantId == null) {
            return null;
        }
        return (tenantType == null ? "" : tenantType) + "/" + (tenantId == null ? "" : tenantId);
    }
}
