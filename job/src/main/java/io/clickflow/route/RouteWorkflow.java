package io.clickflow.route;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.function.Consumer;

/**
 * The router's pipeline: records in, each to the topic of every destination it names (and, when it cannot go to
 * all of them, once to the dead-letter topic), out through one sink, so a checkpoint commits all of a record's
 * copies together.
 */
public final class RouteWorkflow {
    public static final String OPERATOR_NAME = "Route records to destinations";

    private RouteWorkflow() {}

    /**
     * @param updates the destinations topic, or null to route by {@link RouteSettings#destinations()} only
     * @param sink writes every output record to the topic it names
     */
    public static void defineWorkflow(
            StreamExecutionEnvironment env,
            RouteSettings settings,
            Source<KafkaRecord, ?, ?> input,
            Source<Destination, ?, ?> updates,
            Consumer<DataStream<KafkaRecord>> sink) {
        // Chained operators hand records on without a deep copy: no function here changes or keeps a record it
        // was given (the router emits new copies sharing the input's immutable key and value arrays), so the copy
        // Flink makes by default protects nothing and costs every record and copy its arrays.
        env.getConfig().enableObjectReuse();
        // Routing needs no event time; no watermarks spares their per-record cost.
        DataStream<KafkaRecord> records = env.fromSource(input, WatermarkStrategy.noWatermarks(), "Input records")
                .uid("route-input");
        SingleOutputStreamOperator<KafkaRecord> routed;
        if (updates == null) {
            routed = records.process(new RouteFunction(settings)).uid("route");
        } else {
            BroadcastStream<Destination> changes = env.fromSource(
                            updates, WatermarkStrategy.noWatermarks(), "Destination changes")
                    .uid("route-destination-changes")
                    .setParallelism(1)
                    .broadcast(RouteWithUpdatesFunction.UPDATES_STATE);
            // The records keep the forward connection to their source subtask: per-partition order holds.
            routed = records.connect(changes)
                    .process(new RouteWithUpdatesFunction(settings))
                    .uid("route-with-updates");
        }
        sink.accept(routed.name(OPERATOR_NAME));
    }
}
