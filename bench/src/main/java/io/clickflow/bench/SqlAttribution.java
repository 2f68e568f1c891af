package io.clickflow.bench;

import io.clickflow.attribution.AdClick;
import io.clickflow.attribution.AdClickDecoder;
import io.clickflow.attribution.AttributionJob;
import io.clickflow.attribution.AttributionOptions;
import io.clickflow.attribution.AttributionWorkflow;
import io.clickflow.attribution.PageView;
import io.clickflow.attribution.PageViewDecoder;
import io.clickflow.decode.Decoded;
import io.clickflow.decode.EventTimed;
import io.clickflow.decode.JsonEventDecoder;
import io.clickflow.io.Sources;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.AttributionTables;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;

/**
 * The peer: clickflow's last-touch rule written in Flink SQL, a LEFT interval join of page views with the
 * clicks of their user in the window, then ROW_NUMBER() per page view keeping the latest click (ties:
 * the greatest click id). Everything around the rule is clickflow's own, so only the rule's formulation
 * differs: the same Kafka sources, decoder and per-partition watermarks, the same rejected-records sink,
 * and the same JDBC upsert sink for its changelog (inserts and update-afters, written final).
 */
final class SqlAttribution {
    private SqlAttribution() {}

    static final String QUERY = """
            SELECT pageViewId, userId, viewTime, campaignId, clickId, clickTime FROM (
              SELECT v.pageViewId, v.userId, v.eventTime AS viewTime,
                     c.campaignId, c.clickId, c.eventTime AS clickTime,
                     ROW_NUMBER() OVER (PARTITION BY v.pageViewId ORDER BY c.eventTime DESC, c.clickId DESC) AS rn
              FROM page_views v LEFT JOIN ad_clicks c
                ON v.userId = c.userId
               AND c.rowtime BETWEEN v.rowtime - INTERVAL '%d' MINUTE AND v.rowtime
            ) WHERE rn = 1""";

    static void define(StreamExecutionEnvironment env, AttributionOptions o) throws Exception {
        long minutes = o.settings.attributionWindow().toMinutes();
        if (o.settings.attributionWindow().toMillis() != minutes * 60_000) {
            throw new IllegalArgumentException("the SQL peer takes an attribution window of whole minutes");
        }
        // Flink SQL's runtime is built for object reuse (clickflow's DataStream job measured faster without
        // it): each side runs with what suits it best.
        env.getConfig().enableObjectReuse();
        o.database.createTables(AttributionTables.DDL);
        AttributionWorkflow.Sinks sinks = AttributionJob.jdbcSinks(o.database, env.getParallelism());
        SingleOutputStreamOperator<AdClick> clicks =
                decoded(env, o, o.clicksTopic, "ad-clicks", new AdClickDecoder(), AdClick.class);
        SingleOutputStreamOperator<PageView> views =
                decoded(env, o, o.pageViewsTopic, "page-views", new PageViewDecoder(), PageView.class);
        sinks.rejected()
                .accept(clicks.getSideOutput(SplitRejected.REJECTED)
                        .union(views.getSideOutput(SplitRejected.REJECTED)));

        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        Schema rowtime = Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build();
        tables.createTemporaryView("ad_clicks", clicks, rowtime);
        tables.createTemporaryView("page_views", views, rowtime);
        Table attributed = tables.sqlQuery(String.format(QUERY, minutes));
        DataStream<AttributedPageView> rows = tables.toChangelogStream(attributed)
                .filter(r -> r.getKind() == RowKind.INSERT || r.getKind() == RowKind.UPDATE_AFTER)
                .name("inserts and update-afters")
                .map(SqlAttribution::toRow, AttributionWorkflow.ATTRIBUTED_ROWS)
                .name("to attributed rows");
        sinks.attributed().accept(rows);
    }

    private static AttributedPageView toRow(Row r) {
        return new AttributedPageView(
                r.getFieldAs("pageViewId"),
                r.getFieldAs("userId"),
                r.<Long>getFieldAs("viewTime"),
                null,
                r.getFieldAs("campaignId"),
                r.getFieldAs("clickId"),
                r.<Long>getFieldAs("clickTime"),
                true);
    }

    private static <T extends EventTimed> SingleOutputStreamOperator<T> decoded(
            StreamExecutionEnvironment env,
            AttributionOptions o,
            String topic,
            String uid,
            JsonEventDecoder<T> decoder,
            Class<T> type) {
        @SuppressWarnings("unchecked")
        TypeInformation<Decoded<T>> decodedType = (TypeInformation<Decoded<T>>)
                (TypeInformation<?>) (type == AdClick.class ? AdClickDecoder.TYPE : PageViewDecoder.TYPE);
        return env.fromSource(
                        Sources.kafka(o.kafka, topic, decoder, decodedType),
                        EventWatermarks.<T>strategy(o.settings.outOfOrderness(), o.settings.idleTimeout()),
                        uid)
                .uid(uid + "-source")
                // The POJO type, not the job's hand-written one: the table's columns come from its fields.
                .process(new SplitRejected<T>(), TypeInformation.of(type))
                .uid(uid + "-split-rejected");
    }
}
