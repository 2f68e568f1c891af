package io.clickflow.route;

import io.clickflow.io.KafkaSinks;
import io.clickflow.io.Sources;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the router to production I/O: the input topic (and the destinations topic) in, the output topics out. */
public final class RouteJob {
    private RouteJob() {}

    public static void build(StreamExecutionEnvironment env, RouteOptions o) {
        RouteSettings settings = new RouteSettings(
                o.destinations,
                o.deadLetterTopic,
                o.reader(),
                KafkaTopicCatalog.factory(o.kafka.bootstrapServers(), o.kafka.groupId() + "-topics"),
                o.maxTenants,
                o.processorId);
        Sources.KafkaInput changes = new Sources.KafkaInput(
                o.kafka.bootstrapServers(),
                o.kafka.groupId() + "-destinations",
                // The whole compacted topic is the configuration, whatever --starting-offsets says for the input.
                Sources.StartingOffsets.EARLIEST,
                o.kafka.bounded(),
                o.kafka.properties());
        RouteWorkflow.defineWorkflow(
                env,
                settings,
                Sources.kafka(o.kafka, o.inputTopic, new RouteFormats.Raw()),
                o.destinationsTopic == null
                        ? null
                        : Sources.kafka(changes, o.destinationsTopic, new RouteFormats.Updates()),
                routed -> KafkaSinks.write(
                        routed,
                        o.kafka.bootstrapServers(),
                        o.delivery,
                        o.transactionalIdPrefix,
                        o.transactionNaming,
                        o.outputTopics(),
                        new RouteFormats.Routed(),
                        "route-output",
                        "Routed records to Kafka"));
    }
}
