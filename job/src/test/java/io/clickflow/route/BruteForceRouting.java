package io.clickflow.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where each event should go, worked out the slow, obvious way (a whole JSON tree per event) and independently
 * of the router's streaming reader: the topics it reaches, and whether it is a dead letter.
 */
final class BruteForceRouting {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event's expected outcome. */
    record Expected(List<String> topics, boolean deadLetter) {}

    private BruteForceRouting() {}

    static Expected expected(byte[] value, Map<String, String> topicByName) {
        JsonNode root;
        try {
            root = value == null ? null : JSON.readTree(value);
        } catch (Exception e) {
            return new Expected(List.of(), true);
        }
        if (root == null || !root.isObject() || !root.path("destinations").isArray()) {
            return new Expected(List.of(), true);
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode n : root.get("destinations")) {
            if (!n.isTextual() || n.asText().isBlank()) {
                return new Expected(List.of(), true);
            }
            names.add(n.asText().trim().toUpperCase(Locale.ROOT));
        }
        List<String> topics = new ArrayList<>();
        boolean dead = names.isEmpty();
        for (String name : names) {
            String topic = topicByName.get(name);
            if (topic == null) {
                dead = true;
            } else {
                topics.add(topic);
            }
        }
        return new Expected(topics, dead);
    }
}
