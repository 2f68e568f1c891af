package io.clickflow.analytics;

import io.clickflow.decode.Decoded;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.DeadLetterTables;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.Map;

/** Wires the analytics workflow to production I/O: a Kafka topic or a file in, the database out. */
public final class AnalyticsJob {
    private AnalyticsJob() {}

    /** The longest a fresh read's answer waits in the sink before it is written: part of every fresh GET's wait. */
    static final Duration FRESH_BATCH_INTERVAL = Duration.ofMillis(10);

    /**
     * The events topic is followed live, a few events per POST burst: a consumer asking again as soon as one byte is
     * there makes the broker answer a fetch per handful of events. Waiting for 64 KB or {@code fetch.max.wait.ms}
     * trades that for at most this wait in every count's and fresh read's path (BENCHMARKS.md, the API).
     */
    static final Map<String, String> CONSUMER_DEFAULTS = Map.of("fetch.min.bytes", "65536", "fetch.max.wait.ms", "20");

    /** Creates the tables (so the API servers see them at once) and adds the pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, AnalyticsOptions o) throws Exception {
        o.database.createTables(AnalyticsTables.DDL);
        Source<Decoded<UserAction>, ?, ?> events = o.fileMode()
                ? Sources.file(o.eventsFile, new UserActionDecoder(), UserActionDecoder.TYPE)
                : Sources.kafka(o.kafka, o.eventsTopic, new UserActionDecoder(), UserActionDecoder.TYPE);
        int parallelism = env.getParallelism(); // on a cluster an unset --parallelism yields to the cluster's
        // An API's GET shows a POST only once its hour's row is written: in update mode each hop waits little.
        o.settings.counting().emitMode().configureBuffers(env);
        AnalyticsWorkflow.defineWorkflow(
                env,
                o.settings,
                events,
                new AnalyticsWorkflow.Sinks(
                        hourly -> JdbcSinks.upsert(
                                hourly,
                                AnalyticsTables.HOURLY,
                                o.database,
                                parallelism,
                                JdbcSinks.rowsBatchInterval(
                                        o.settings.counting().emitMode()),
                                o.retention),
                        rejected -> JdbcSinks.upsert(rejected, DeadLetterTables.REJECTED, o.database, parallelism),
                        late -> JdbcSinks.upsert(
                                late,
                                DeadLetterTables.LATE,
                                o.database,
                                parallelism,
                                JdbcSinks.DEFAULT_BATCH_INTERVAL,
                                o.retention),
                        // Servers poll for their answers: written within a few milliseconds, kept an hour.
                        fresh -> JdbcSinks.upsert(
                                fresh,
                                AnalyticsTables.FRESH,
                                o.database,
                                parallelism,
                                FRESH_BATCH_INTERVAL,
                                AnalyticsTables.FRESH_RETENTION)));
    }
}
