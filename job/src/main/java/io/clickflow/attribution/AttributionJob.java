package io.clickflow.attribution;

import io.clickflow.decode.Decoded;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;

/** Wires the attribution workflow to production I/O: Kafka topics or files in, JDBC tables out. */
public final class AttributionJob {
    private AttributionJob() {}

    static final Duration UPDATE_MODE_BUFFER_TIMEOUT = Duration.ofMillis(10);

    /** How long an update-mode row may wait for its batch to the database; in on-watermark mode the sink's default. */
    static final Duration UPDATE_MODE_ROWS_BATCH_INTERVAL = Duration.ofMillis(50);

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
        AttributionWorkflow.Sinks sinks;
        if (o.settings.emitMode() == EmitMode.UPDATE) {
            // Update mode shows a row moments after its event: a network buffer leaves when full or after this,
            // instead of Flink's default 100 ms, and the sink's batch waits less (before any watermark, the two
            // are most of a row's latency).
            env.setBufferTimeout(UPDATE_MODE_BUFFER_TIMEOUT.toMillis());
            sinks = jdbcSinks(o.database, env.getParallelism(), UPDATE_MODE_ROWS_BATCH_INTERVAL, o.retention);
        } else {
            sinks = jdbcSinks(o.database, env.getParallelism(), JdbcSinks.DEFAULT_BATCH_INTERVAL, o.retention);
        }
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
