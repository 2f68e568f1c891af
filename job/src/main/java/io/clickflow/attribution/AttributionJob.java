package io.clickflow.attribution;

import io.clickflow.io.AttributionTables;
import io.clickflow.io.Database;
import io.clickflow.io.EventTables;
import io.clickflow.io.JdbcSinks;
import io.clickflow.io.Sources;
import io.clickflow.records.AdClick;
import io.clickflow.records.AdClickDecoder;
import io.clickflow.records.Decoded;
import io.clickflow.records.PageView;
import io.clickflow.records.PageViewDecoder;
import io.clickflow.records.RecordTypes;
import io.clickflow.workflows.AttributionWorkflow;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the attribution workflow to production I/O: Kafka topics or files in, JDBC tables out. */
public final class AttributionJob {
    private AttributionJob() {}

    /** Creates the tables (so readers see them at once) and adds the pipeline to {@code env}. */
    public static void build(StreamExecutionEnvironment env, AttributionOptions o) throws Exception {
        o.database.createTables(AttributionTables.DDL);
        Source<Decoded<AdClick>, ?, ?> clicks;
        Source<Decoded<PageView>, ?, ?> views;
        if (o.fileMode()) {
            clicks = Sources.file(o.clicksFile, new AdClickDecoder(), RecordTypes.DECODED_CLICK);
            views = Sources.file(o.pageViewsFile, new PageViewDecoder(), RecordTypes.DECODED_PAGE_VIEW);
        } else {
            clicks = Sources.kafka(o.kafka, o.clicksTopic, new AdClickDecoder(), RecordTypes.DECODED_CLICK);
            views = Sources.kafka(o.kafka, o.pageViewsTopic, new PageViewDecoder(), RecordTypes.DECODED_PAGE_VIEW);
        }
        AttributionWorkflow.defineWorkflow(env, o.settings, clicks, views, jdbcSinks(o.database, env.getParallelism()));
        // env's parallelism, not the option: on a cluster an unset --parallelism yields to the cluster's.
    }

    /** The three tables of the attribution job, each upserted by its own sink. */
    public static AttributionWorkflow.Sinks jdbcSinks(Database db, int parallelism) {
        return new AttributionWorkflow.Sinks(
                rows -> JdbcSinks.upsert(rows, db, AttributionTables.UPSERT_ATTRIBUTED, AttributionTables::bindAttributed,
                        row -> row.pageViewId, AttributionTables::keepAttributed,
                        "attributed-page-views-sink", "attributed_page_views", parallelism),
                rejected -> EventTables.upsertRejected(rejected, db, parallelism),
                late -> EventTables.upsertLate(late, db, parallelism));
    }
}
