package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.testing.KafkaTestBroker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where each event should go, worked out the slow, obvious way (a whole JSON tree per event) and independently
 * of the router's streaming reader: the topics it reaches, and whether it is a dead letter.
 */
public final class BruteForceRouting {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event's expected outcome. */
    public record Expected(List<String> topics, boolean deadLetter) {}

    /** The header carrying an event's index in the test's list, to find it wherever it lands. */
    public static final String TRACE = "trace";

    private BruteForceRouting() {}

    /** The events as records of the input topic, each with its index (from {@code first}) in a header. */
    public static List<ProducerRecord<byte[], byte[]>> records(
            String inputTopic, List<RouteTraffic.Event> events, int first) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            RouteTraffic.Event e = events.get(i);
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(inputTopic, e.key(), e.value());
            r.headers().add(new RecordHeader(TRACE, Integer.toString(first + i).getBytes(StandardCharsets.UTF_8)));
            records.add(r);
        }
        return records;
    }

    /** The indexes of the events each topic must hold, the dead-letter topic included. */
    public static Map<String, List<Integer>> expectedByTopic(
            List<RouteTraffic.Event> events, Map<String, String> topicByName, String deadLetterTopic) {
        Map<String, List<Integer>> expected = new TreeMap<>();
        for (int i = 0; i < events.size(); i++) {
            Expected x = expected(events.get(i).value(), topicByName);
            for (String topic : x.topics()) {
                expected.computeIfAbsent(topic, t -> new ArrayList<>()).add(i);
            }
            if (x.deadLetter()) {
                expected.computeIfAbsent(deadLetterTopic, t -> new ArrayList<>())
                        .add(i);
            }
        }
        return expected;
    }

    /**
     * Every topic, read read_committed, holds exactly its expected events, once each, unchanged (value and key),
     * with the router's headers, in order per key; dead letters carry a reason.
     */
    public static void assertDelivered(
            KafkaTestBroker kafka,
            List<RouteTraffic.Event> events,
            Map<String, String> topicByName,
            String deadLetterTopic,
            String inputTopic) {
        assertDelivered(kafka::readCommittedRecords, events, topicByName, deadLetterTopic, inputTopic);
    }

    /** @param read the records of a topic, read_committed, in order (a test may join several runs' topics) */
    public static void assertDelivered(
            Function<String, List<ConsumerRecord<byte[], byte[]>>> read,
            List<RouteTraffic.Event> events,
            Map<String, String> topicByName,
            String deadLetterTopic,
            String inputTopic) {
        Map<String, List<Integer>> expected = expectedByTopic(events, topicByName, deadLetterTopic);
        assertThat(expected.getOrDefault(deadLetterTopic, List.of()))
                .as("the traffic has dead letters")
                .hasSizeGreaterThan(events.size() / 50);
        for (Map.Entry<String, List<Integer>> topic : expected.entrySet()) {
            boolean dead = topic.getKey().equals(deadLetterTopic);
            List<Integer> traces = new ArrayList<>();
            Map<String, Integer> lastTraceByKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read.apply(topic.getKey())) {
                int trace = Integer.parseInt(header(r, TRACE));
                traces.add(trace);
                RouteTraffic.Event sent = events.get(trace);
                assertThat(r.value()).as("value of event %d", trace).isEqualTo(sent.value());
                assertThat(r.key()).as("key of event %d", trace).isEqualTo(sent.key());
                assertThat(header(r, Router.SOURCE_HEADER)).startsWith(inputTopic + "/");
                if (dead) {
                    assertThat(header(r, Router.REASON_HEADER))
                            .as("reason of event %d", trace)
                            .isNotBlank();
                } else {
                    assertThat(topicByName.get(header(r, Router.DESTINATION_HEADER)))
                            .isEqualTo(topic.getKey());
                }
                Integer before = lastTraceByKey.put(sent.keyText(), trace);
                assertThat(before == null || before < trace)
                        .as("%s: event %d of key %s after %d", topic.getKey(), trace, sent.keyText(), before)
                        .isTrue();
            }
            assertThat(traces)
                    .as(topic.getKey() + ": each expected record once")
                    .containsExactlyInAnyOrderElementsOf(topic.getValue());
        }
    }

    public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static Expected expected(byte[] value, Map<String, String> topicByName) {
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
