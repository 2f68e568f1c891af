package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionPipelines;
import io.clickflow.commandline.UsageException;
import io.clickflow.runner.KafkaPreflight;
import io.clickflow.testing.KafkaTestBroker;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The router as the command wires it, against a real broker: every destination topic, read read_committed,
 * holds exactly the records brute force sends there, unchanged, once each, in order per key; everything else
 * is in the dead-letter topic with its reason.
 */
public class RouteKafkaITCase {
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

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    public static RouteTraffic.Config traffic() {
        return new RouteTraffic.Config(List.of("FINANCE", "MARKETING", "LOGISTICS"), 40, 0.05, 0.03, 0.05, 13);
    }

    @Test
    @Timeout(120)
    void everyRecordReachesEachOfItsDestinationsOnceUnchangedAndInOrderPerKey(@TempDir Path dir) throws Exception {
        KAFKA.createTopics(INPUT_PARTITIONS, INPUT);
        KAFKA.createTopics(OUTPUT_PARTITIONS, TOPIC_BY_NAME.values().toArray(String[]::new));
        KAFKA.createTopics(1, DEAD_LETTERS);
        List<RouteTraffic.Event> events = events(new RouteTraffic(traffic()), EVENTS);
        KafkaTestBroker.produceRecords(KAFKA.bootstrapServers(), BruteForceRouting.records(INPUT, events, 0));

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

        BruteForceRouting.assertDelivered(KAFKA, events, TOPIC_BY_NAME, DEAD_LETTERS, INPUT);
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

    public static List<RouteTraffic.Event> events(RouteTraffic traffic, int count) {
        List<RouteTraffic.Event> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(traffic.next());
        }
        return events;
    }
}
