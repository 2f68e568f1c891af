package io.clickflow.attribution;

import io.clickflow.decode.Decoded;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;

/** Wires the attribution workflow to production I/O: Kafka topics or files in, JDBC tables out. */
public final class AttributionJob {
    private AttributionJob() {}

    /** Creates the tables (so readers see them at once) and adds the pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, AttributionOptions o) throws Exception {
        o.database.createTables(AttributionTables.DDL);
        Source<Decoded<AdClick>, ?, ?> clicks;
        Source<Decoded<PageView>, ?, ?> views;
        if (o.fileMode()) {
            clicks = Sources.file(o.clicksFile, new AdClickDecoder(), AdClickDecoder.TYPE);
            views = Sources.file(o.pageViewsFile, new PageViewDecoder(), PageViewDecoder.TYPE);
        } else {
            clicks = Sources.kafka(o.kafka, o.clicksTopic, new AdClickDecoder(), AdClickDecoder.TYPE);
            views = Sources.kafka(o.kafka, o.pageViewsTopic, new PageViewDecoder(), PageViewDecoder.TYPE);
        }
        o.settings.emitMode().configureBuffers(env);
        AttributionWorkflow.Sinks sinks = jdbcSinks(
                o.database, env.getParallelism(), JdbcSinks.rowsBatchInterval(o.settings.emitMode()), o.retention);
        AttributionWorkflow.defineWorkflow(env, o.settings, clicks, views, sinks);
        // env's parallelism, not the option: on a cluster an unset --parallelism yields to the cluster's.
    }

    /** The three tables of the attribution job, each upserted by its own sink. */
    public static AttributionWorkflow.Sinks jdbcSinks(Database db, int parallelism) {
        return jdbcSinks(db, parallelism, JdbcSinks.DEFAULT_BATCH_INTERVAL, null);
    }

    /**
     * As {@link #jdbcSinks(Database, int)}, attributed rows waiting at most {@code rowsBatchInterval} for their batch,
     * and rows more than {@code retention} behind the watermark deleted (null: kept).
     */
    static AttributionWorkflow.Sinks jdbcSinks(
            Database db, int parallelism, Duration rowsBatchInterval, Duration retention) {
        return new AttributionWorkflow.Sinks(
                rows -> JdbcSinks.upsert(
                        rows, AttributionTables.ATTRIBUTED, db, parallelism, rowsBatchInterval, retention),
                rejected -> JdbcSinks.upsert(rejected, DeadLetterTables.REJECTED, db, parallelism),
                late -> JdbcSinks.upsert(
                        late, DeadLetterTables.LATE, db, parallelism, JdbcSinks.DEFAULT_BATCH_INTERVAL, retention));
    }
}
