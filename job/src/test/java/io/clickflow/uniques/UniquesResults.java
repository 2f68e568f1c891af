package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.Sketches;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ResultTables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a uniques run left in {@code unique_users} and in its output topic, keyed like {@link
 * GeneratedFrames#distinctUsers} ({@code window seconds + "s@" + start epoch seconds}), and how it compares with
 * brute force: exact counts equal, HLL counts within 3 standard errors.
 */
public final class UniquesResults {
    static final ObjectMapper JSON = new ObjectMapper();

    private UniquesResults() {}

    /** The table's rows of windows starting before {@code beforeSeconds} (tests' flush frames come after). */
    static Map<String, ResultTables.UniqueUsersRow> table(Database db, long beforeSeconds) throws Exception {
        Map<String, ResultTables.UniqueUsersRow> rows = ResultTables.uniqueUsers(db);
        rows.values().removeIf(r -> Instant.parse(r.windowStart()).getEpochSecond() >= beforeSeconds);
        return rows;
    }

    /** Final counts per window; a window whose row is not final counts as missing. */
    static Map<String, Long> finalCounts(Map<String, ResultTables.UniqueUsersRow> rows) {
        Map<String, Long> counts = new HashMap<>();
        rows.forEach((window, row) -> {
            if (row.isFinal()) {
                counts.put(window, row.uniqueUsers());
            }
        });
        return counts;
    }

    /**
     * The last record of each window in the topic, parsed, from windows starting before {@code beforeSeconds}. One
     * window's records are in one partition, keyed {@code <seconds>s/<start>}, in emission order: its last is the
     * newest.
     */
    static Map<String, JsonNode> lastInTopic(Iterable<KafkaTestBroker.Read> records, long beforeSeconds) {
        Map<String, KafkaTestBroker.Read> last = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (KafkaTestBroker.Read r : records) {
            assertThat(partitionOfKey.computeIfAbsent(r.key(), k -> r.partition()))
                    .as("one window, one partition")
                    .isEqualTo(r.partition());
            last.merge(r.key(), r, (a, b) -> b.offset() > a.offset() ? b : a);
        }
        Map<String, JsonNode> rows = new HashMap<>();
        last.values().forEach(r -> {
            JsonNode row = parse(r.value());
            assertThat(r.key())
                    .isEqualTo(row.get("window_seconds").asLong() + "s/"
                            + row.get("window_start").asText());
            long start = Instant.parse(row.get("window_start").asText()).getEpochSecond();
            if (start < beforeSeconds) {
                rows.put(window(row), row);
            }
        });
        return rows;
    }

    /** The final counts of the topic's last record per window (windows starting before {@code beforeSeconds}). */
    static Map<String, Long> finalCountsInTopic(Iterable<KafkaTestBroker.Read> records, long beforeSeconds) {
        Map<String, Long> counts = new HashMap<>();
        lastInTopic(records, beforeSeconds).forEach((window, row) -> {
            if (row.get("is_final").asBoolean()) {
                counts.put(window, row.get("unique_users").asLong());
            }
        });
        return counts;
    }

    /** Final rows of windows starting before {@code beforeSeconds}; -1 while the table cannot be read. */
    static long finalRowsOrMinusOne(Database db, long beforeSeconds) {
        try {
            return finalCounts(table(db, beforeSeconds)).size();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Whether the table's final rows equal brute force (for polling: false while unreadable). */
    public static boolean tableMatches(Database db, long beforeSeconds, Map<String, Long> expected, CountMode count) {
        try {
            Map<String, ResultTables.UniqueUsersRow> table = table(db, beforeSeconds);
            return table.size() == expected.size() && mismatch(finalCounts(table), expected, count) == null;
        } catch (Exception e) {
            return false;
        }
    }

    /** Whether the topic's last record of every window is final and equal to brute force (for polling). */
    static boolean topicMatches(
            Iterable<KafkaTestBroker.Read> records, long beforeSeconds, Map<String, Long> expected, CountMode count) {
        return mismatch(finalCountsInTopic(records, beforeSeconds), expected, count) == null;
    }

    /** {@code window seconds + "s@" + start epoch seconds} of a row of the topic. */
    static String window(JsonNode row) {
        return row.get("window_seconds").asLong() + "s@"
                + Instant.parse(row.get("window_start").asText()).getEpochSecond();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Null when {@code got} holds exactly the windows of {@code expected} with their counts; else what differs. */
    static String mismatch(Map<String, Long> got, Map<String, Long> expected, CountMode count) {
        double tolerance = count == CountMode.HLL ? 3 * Sketches.relativeStandardError(14) : 0;
        Map<String, String> wrong = new TreeMap<>();
        expected.forEach((window, users) -> {
            Long g = got.get(window);
            if (g == null || Math.abs(g - users) > tolerance * users) {
                wrong.put(window, g + " instead of " + users);
            }
        });
        got.keySet().stream()
                .filter(w -> !expected.containsKey(w))
                .forEach(w -> wrong.put(w, "a window without frames"));
        return wrong.isEmpty() ? null : wrong.size() + " of " + expected.size() + " windows wrong: " + wrong;
    }
}
