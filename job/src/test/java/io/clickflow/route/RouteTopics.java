package io.clickflow.route;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A test's router topics: the input, the dead letters, and one output topic per destination name. */
public record RouteTopics(String input, String deadLetters, Map<String, String> topicByName) {
    /** The destinations the tests configure (and {@link RouteTraffic} names). */
    public static final List<String> NAMES = List.of("FINANCE", "MARKETING", "LOGISTICS");

    /** {@code <outputPrefix><name in lower case>} for each of {@link #NAMES}. */
    public static RouteTopics of(String input, String deadLetters, String outputPrefix) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String name : NAMES) {
            byName.put(name, outputPrefix + name.toLowerCase());
        }
        return new RouteTopics(input, deadLetters, byName);
    }

    /** The seed's own topics. */
    public static RouteTopics seed() {
        return of("producer.to.processor", "processor.dead-letters", "processor.to.");
    }

    /** {@code --destinations} for these topics, inline. */
    public String config() {
        StringBuilder json = new StringBuilder("{");
        topicByName.forEach((name, topic) -> json.append(json.length() == 1 ? "" : ", ")
                .append('"')
                .append(name)
                .append("\": {\"output_topic\": \"")
                .append(topic)
                .append("\"}"));
        return json.append('}').toString();
    }

    /** The router's arguments for these topics (Kafka address, starting at the earliest offsets). */
    public List<String> args(String bootstrapServers) {
        return List.of(
                "--bootstrap-servers", bootstrapServers,
                "--input-topic", input,
                "--destinations", config(),
                "--dead-letter-topic", deadLetters,
                "--starting-offsets", "earliest");
    }

    /** Every topic the router writes. */
    public List<String> outputs() {
        List<String> all = new java.util.ArrayList<>(topicByName.values());
        all.add(deadLetters);
        return all;
    }

    /** Records committed to every output topic so far. */
    public long committed(Function<String, List<ConsumerRecord<byte[], byte[]>>> read) {
        return outputs().stream().mapToLong(t -> read.apply(t).size()).sum();
    }

    /** Records brute force sends to the outputs for {@code events}. */
    public long expectedTotal(List<RouteTraffic.Event> events) {
        return BruteForceRouting.expectedByTopic(events, topicByName, deadLetters).values().stream()
                .mapToLong(List::size)
                .sum();
    }
}
