package io.clickflow.route;

import io.clickflow.commandline.UsageException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's destination configuration, {@code {"FINANCE": {"output_topic": "...", "output_subject": "..."}, ...}},
 * read from inline JSON or a file; names are matched case-insensitively.
 */
public final class Destinations implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * An array rather than a map: Flink's closure cleaner walks the fields of a function's settings and cannot
     * reflect into java.util's classes on Java 17; the lookup map is built where it is used.
     */
    private final Destination[] entries;

    private transient Map<String, Destination> byName;

    private Destinations(Collection<Destination> entries) {
        this.entries = entries.toArray(Destination[]::new);
    }

    /** {@code --destinations}: JSON when it starts with '{', else the path of a file holding it. */
    public static Destinations parseOption(String value) {
        String text = value.strip();
        if (!text.startsWith("{")) {
            Path file = Path.of(text);
            if (!Files.isRegularFile(file)) {
                throw new UsageException(
                        "--destinations: neither JSON (starting with '{') nor an existing file: " + value);
            }
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new UsageException("--destinations: cannot read " + file + ": " + e.getMessage());
            }
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--destinations: " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException naming what is wrong */
    public static Destinations parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject() || root.isEmpty()) {
            throw new IllegalArgumentException("expected a non-empty JSON object of NAME: {\"output_topic\": ...}");
        }
        LinkedHashMap<String, Destination> byName = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Destination d = destination(e.getKey(), e.getValue());
            if (byName.put(d.name, d) != null) {
                throw new IllegalArgumentException(
                        "destination " + d.name + " is configured twice (names ignore case)");
            }
        }
        return new Destinations(byName.values());
    }

    /** One entry's value; the same form a record on the destinations topic carries. */
    static Destination destination(String name, JsonNode value) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("a destination has an empty name");
        }
        JsonNode topic = value == null ? null : value.get("output_topic");
        if (topic == null || !topic.isTextual() || topic.asText().isBlank()) {
            throw new IllegalArgumentException("destination " + name + " has no \"output_topic\" string");
        }
        JsonNode subject = value.get("output_subject");
        if (subject != null && !subject.isNull() && !subject.isTextual()) {
            throw new IllegalArgumentException("destination " + name + ": \"output_subject\" is not a string");
        }
        return new Destination(
                name, topic.asText().strip(), subject == null || subject.isNull() ? null : subject.asText());
    }

    /** A record of the destinations topic: its key names the destination, its value is the entry (null removes it). */
    public static Destination update(String name, byte[] value) {
        if (value == null) {
            return Destination.removed(name);
        }
        try {
            return destination(name, JSON.readTree(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
    }

    /** The configured destination of that name (any case), or null. */
    public Destination get(String name) {
        if (byName == null) {
            Map<String, Destination> map = new HashMap<>();
            for (Destination d : entries) {
                map.put(d.name, d);
            }
            byName = map;
        }
        // The router asks with names already in normal form: no new string per record and destination.
        Destination d = byName.get(name);
        return d != null ? d : byName.get(Destination.normalise(name));
    }

    public List<Destination> all() {
        return List.of(entries);
    }

    @Override
    public String toString() {
        return all().toString();
    }
}
