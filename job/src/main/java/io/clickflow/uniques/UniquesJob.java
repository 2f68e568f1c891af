package io.clickflow.uniques;

import io.clickflow.decode.Decoded;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UniquesTables;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the unique-users workflow to production I/O: a Kafka topic or a file in, the database and a Kafka topic out. */
public final class UniquesJob {
    private UniquesJob() {}

    /** Creates the tables (so readers see them at once) and adds the pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, UniquesOptions o) throws Exception {
        o.database.createTables(UniquesTables.DDL);
        Source<Decoded<Frame>, ?, ?> frames = o.fileMode()
                ? Sources.file(o.framesFile, new FrameDecoder(), FrameDecoder.TYPE)
                : Sources.kafka(o.kafka, o.framesTopic, new FrameDecoder(), FrameDecoder.TYPE);
        int parallelism = env.getParallelism(); // on a cluster an unset --parallelism yields to the cluster's
        UniquesWorkflow.defineWorkflow(
                env,
                o.settings,
                frames,
                new UniquesWorkflow.Sinks(
                        counts -> {
                            JdbcSinks.upsert(
                                    counts,
                                    UniquesTables.UNIQUE_USERS,
                                    o.database,
                                    parallelism,
                                    JdbcSinks.DEFAULT_BATCH_INTERVAL,
                                    o.retention);
                            if (o.outputTopic != null) {
                                UniquesKafkaOutput.write(
                                        counts,
                                        o.kafka.bootstrapServers(),
                                        o.outputTopic,
                                        o.outputDelivery,
                                        o.kafka.groupId() + "-" + o.outputTopic);
                            }
                        },
                        rejected -> JdbcSinks.upsert(rejected, DeadLetterTables.REJECTED, o.database, parallelism),
                        late -> JdbcSinks.upsert(
                                late,
                                DeadLetterTables.LATE,
                                o.database,
                                parallelism,
                                JdbcSinks.DEFAULT_BATCH_INTERVAL,
                                o.retention)));
    }
}
