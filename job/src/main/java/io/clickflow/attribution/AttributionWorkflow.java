package io.clickflow.attribution;

import io.clickflow.decode.Decoded;
import io.clickflow.decode.EventTimed;
import io.clickflow.stream.EmitMode;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SerializerTypeInfo;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.RejectedEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.Serializable;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The attribution pipeline, independent of where events come from and where rows go: decoded click
 * and page-view sources in (watermarked per split), both keyed by user into {@link AttributionFunction},
 * attributed rows, rejected records and late events out to the given sinks.
 */
public final class AttributionWorkflow {
    private AttributionWorkflow() {}

    /** The attributing operator's name, whose input watermark the progress line shows. */
    public static final String OPERATOR_NAME = "attribute page views to clicks";

    /**
     * Flink's type of the clicks between operators, with a hand-written serializer (as the two below): the reflective
     * POJO serializer showed in the profile of every task the records cross.
     */
    public static final TypeInformation<AdClick> CLICKS = SerializerTypeInfo.of(AdClickSerializer.INSTANCE);

    /** Flink's type of the page views between operators. */
    public static final TypeInformation<PageView> PAGE_VIEWS = SerializerTypeInfo.of(PageViewSerializer.INSTANCE);

    /** Flink's type of the attributed rows, from the attributing operator to the sink. */
    public static final TypeInformation<AttributedPageView> ATTRIBUTED_ROWS =
            SerializerTypeInfo.of(AttributedPageViewSerializer.INSTANCE);

    /** The knobs of the attribution semantics. */
    public record Settings(Duration attributionWindow, EmitMode emitMode, Duration outOfOrderness, Duration idleTimeout)
            implements Serializable {}

    /** Where each output goes; jobs and tests pass the same JDBC sinks. */
    public record Sinks(
            Consumer<DataStream<AttributedPageView>> attributed,
            Consumer<DataStream<RejectedEvent>> rejected,
            Consumer<DataStream<LateEvent>> late) {}

    public static void defineWorkflow(
            StreamExecutionEnvironment env,
            Settings settings,
            Source<Decoded<AdClick>, ?, ?> clicksSource,
            Source<Decoded<PageView>, ?, ?> pageViewsSource,
            Sinks sinks) {
        SingleOutputStreamOperator<AdClick> clicks =
                decoded(env, clicksSource, settings, "ad-clicks", "ad clicks", CLICKS);
        SingleOutputStreamOperator<PageView> pageViews =
                decoded(env, pageViewsSource, settings, "page-views", "page views", PAGE_VIEWS);

        SingleOutputStreamOperator<AttributedPageView> attributed = clicks.keyBy(click -> click.userId)
                .connect(pageViews.keyBy(view -> view.userId))
                .process(new AttributionFunction(settings.attributionWindow(), settings.emitMode()), ATTRIBUTED_ROWS)
                .uid("attribution")
                .name(OPERATOR_NAME);

        sinks.attributed().accept(attributed);
        sinks.rejected()
                .accept(clicks.getSideOutput(SplitRejected.REJECTED)
                        .union(pageViews.getSideOutput(SplitRejected.REJECTED)));
        sinks.late().accept(attributed.getSideOutput(AttributionFunction.LATE_EVENTS));
    }

    private static <T extends EventTimed> SingleOutputStreamOperator<T> decoded(
            StreamExecutionEnvironment env,
            Source<Decoded<T>, ?, ?> source,
            Settings settings,
            String uid,
            String name,
            TypeInformation<T> type) {
        return env.fromSource(source, EventWatermarks.strategy(settings.outOfOrderness(), settings.idleTimeout()), name)
                .uid(uid + "-source")
                .process(new SplitRejected<T>(), type)
                .uid(uid + "-split-rejected")
                .name("split rejected " + name);
    }
}
