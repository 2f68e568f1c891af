package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.commandline.UsageException;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.testing.KafkaTestBroker;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The router as the command wires it, against a real broker: every destination topic, read read_committed,
 * holds exactly the records brute force sends there, unchanged, once each, in order per key; everything else
 * is in the dead-letter topic with its reason.
 */
class RouteKafkaITCase {
    static final String INPUT = "producer.to.processor";
    static final String DEAD_LETTERS = "processor.dead-letters";
    static final Map<String, String> TOPIC_BY_NAME = Map.of(
            "FINANCE", "processor.to.finance",
            "MARKETING", "processor.to.marketing",
            "LOGISTICS", "processor.to.logistics");
    static final String CONFIG = "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\"},"
            + " \"MARKETING\": {\"output_topic\": \"processor.to.marketing\"},"
            + " \"LOGISTICS\": {\"output_topic\": \"processor.to.logistics\"}}";
    static final int INPUT_PARTITIONS = 4;
    static final int OUTPUT_PARTITIONS = 2;
    static final int EVENTS = 3_000;
    static final String TRACE = "trace";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    static RouteTraffic.Config traffic() {
        return new RouteTraffic.Config(List.of("FINANCE", "MARKETING", "LOGISTICS"), 40, 0.05, 0.03, 0.05, 13);
    }

    @Test
    @Timeout(120)
    void everyRecordReachesEachOfItsDestinationsOnceUnchangedAndInOrderPerKey(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(INPUT_PARTITIONS, INPUT);
        KAFKA.createTopics(OUTPUT_PARTITIONS, TOPIC_BY_NAME.values().toArray(String[]::new));
        KAFKA.createTopics(1, DEAD_LETTERS);
        RouteTraffic traffic = new RouteTraffic(traffic());
        List<RouteTraffic.Event> events = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            RouteTraffic.Event e = traffic.next();
            events.add(e);
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(INPUT, e.key(), e.value());
            r.headers().add(new RecordHeader(TRACE, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            records.add(r);
        }
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), records);

        RouteOptions options = RouteCommand.parse(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--input-topic",
                INPUT,
                "--destinations",
                CONFIG,
                "--dead-letter-topic",
                DEAD_LETTERS,
                "--starting-offsets",
                "earliest",
                "--bounded",
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString());
        KafkaPreflight.checkTopics(KAFKA.bootstrapServers(), RouteCommand.topics(options));
        StreamExecutionEnvironment env = AttributionPipelines.environment();
        RouteJob.build(env, options);
        env.execute("route kafka test");

        Map<String, List<Integer>> expected = new TreeMap<>();
        int expectedDead = 0;
        for (int i = 0; i < EVENTS; i++) {
            BruteForceRouting.Expected x =
                    BruteForceRouting.expected(events.get(i).value(), TOPIC_BY_NAME);
            for (String topic : x.topics()) {
                expected.computeIfAbsent(topic, t -> new ArrayList<>()).add(i);
            }
            expectedDead += x.deadLetter() ? 1 : 0;
        }
        assertThat(expectedDead).as("the traffic has dead letters").isGreaterThan(EVENTS / 20);
        for (Map.Entry<String, List<Integer>> topic : expected.entrySet()) {
            List<ConsumerRecord<byte[], byte[]>> read = KAFKA.readCommittedRecords(topic.getKey());
            List<Integer> traces = new ArrayList<>();
            Map<String, Integer> lastTraceByKey = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : read) {
                int trace = Integer.parseInt(header(r, TRACE));
                traces.add(trace);
                RouteTraffic.Event sent = events.get(trace);
                assertThat(r.value()).as("value of event %d", trace).isEqualTo(sent.value());
                assertThat(r.key()).as("key of event %d", trace).isEqualTo(sent.key());
                assertThat(header(r, Router.SOURCE_HEADER)).startsWith(INPUT + "/");
                assertThat(TOPIC_BY_NAME.get(header(r, Router.DESTINATION_HEADER)))
                        .isEqualTo(topic.getKey());
                Integer before = lastTraceByKey.put(sent.keyText(), trace);
                assertThat(before == null || before < trace)
                        .as("%s: event %d of key %s after %d", topic.getKey(), trace, sent.keyText(), before)
                        .isTrue();
            }
            assertThat(traces)
                    .as(topic.getKey() + ": each expected record once")
                    .containsExactlyInAnyOrderElementsOf(topic.getValue());
        }
        List<ConsumerRecord<byte[], byte[]>> dead = KAFKA.readCommittedRecords(DEAD_LETTERS);
        assertThat(dead).hasSize(expectedDead);
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            int trace = Integer.parseInt(header(r, TRACE));
            assertThat(BruteForceRouting.expected(r.value(), TOPIC_BY_NAME).deadLetter())
                    .isTrue();
            assertThat(r.value()).isEqualTo(events.get(trace).value());
            assertThat(header(r, Router.REASON_HEADER)).isNotBlank();
        }
    }

    @Test
    @Timeout(60)
    void aMissingOutputTopicStopsTheCommandInOneLineNamingIt() throws Exception {
        KAFKA.createTopics(1, "present.in", "present.dead", "present.out");
        RouteOptions options = RouteCommand.parse(
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--input-topic", "present.in",
                "--dead-letter-topic", "present.dead",
                "--destinations",
                        "{\"A\": {\"output_topic\": \"present.out\"}, \"B\": {\"output_topic\": \"absent.out\"}}");
        assertThatThrownBy(() -> KafkaPreflight.checkTopics(KAFKA.bootstrapServers(), RouteCommand.topics(options)))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("topic 'absent.out' (--destinations B) does not exist at ")
                .hasMessageNotContaining("\n");
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
