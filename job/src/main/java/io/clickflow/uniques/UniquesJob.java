package io.clickflow.uniques;

import io.clickflow.io.EventTables;
import io.clickflow.io.Sources;
import io.clickflow.io.UniquesKafkaOutput;
import io.clickflow.io.UniquesTables;
import io.clickflow.records.Decoded;
import io.clickflow.records.Frame;
import io.clickflow.records.FrameDecoder;
import io.clickflow.records.RecordTypes;
import io.clickflow.workflows.UniquesWorkflow;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the unique-users workflow to production I/O: a Kafka topic or a file in, the database and a Kafka topic out. */
public final class UniquesJob {
    private UniquesJob() {}

    /** Creates the tables (so readers see them at once) and adds the pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, UniquesOptions o) throws Exception {
        o.database.createTables(UniquesTables.DDL);
        Source<Decoded<Frame>, ?, ?> frames = o.fileMode()
                ? Sources.file(o.framesFile, new FrameDecoder(), RecordTypes.DECODED_FRAME)
                : Sources.kafka(o.kafka, o.framesTopic, new FrameDecoder(), RecordTypes.DECODED_FRAME);
        int parallelism = env.getParallelism(); // on a cluster an unset --parallelism yields to the cluster's
        UniquesWorkflow.defineWorkflow(env, o.settings, frames, new UniquesWorkflow.Sinks(
                counts -> {
                    UniquesTables.upsert(counts, o.database, parallelism);
                    if (o.outputTopic != null) {
                        UniquesKafkaOutput.write(counts, o.kafka.bootstrapServers(), o.outputTopic, o.outputDelivery,
                                o.kafka.groupId() + "-" + o.outputTopic);
                    }
                },
                rejected -> EventTables.upsertRejected(rejected, o.database, parallelism),
                late -> EventTables.upsertLate(late, o.database, parallelism)));
    }
}
