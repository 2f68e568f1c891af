package io.clickflow.functions;

import io.clickflow.records.AdClick;
import io.clickflow.records.AttributedPageView;
import io.clickflow.records.LateEvent;
import io.clickflow.records.PageView;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;

/**
 * Attributes each page view to the latest click of the same user within the attribution window,
 * keyed by user id. Page views wait for the watermark to pass their event time, then their row is
 * final and their state is gone.
 *
 * <p>Clicks the watermark has not passed yet are held one by one. Once the watermark passes a click it
 * is "settled": of all settled clicks only the best one can still win for a view the watermark has
 * not passed (any other settled click that is eligible is older and so loses to it), so only that one
 * is kept, until the watermark reaches its time plus the window. State per user is thus the traffic
 * of one out-of-orderness bound plus one click, however many clicks the window holds.
 *
 * <p>Late records (event time at or before the watermark on arrival) are not dropped: a late page view
 * is attributed from the clicks held and written final at once; a late click still serves page views
 * that are not final. Both are reported on {@link #LATE_EVENTS}.
 */
public class AttributionFunction extends KeyedCoProcessFunction<String, AdClick, PageView, AttributedPageView> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<LateEvent> LATE_EVENTS = new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));

    private final long windowMillis;
    private final EmitMode emitMode;

    /** click_id -> click, for clicks the watermark has not passed yet. */
    private transient MapState<String, AdClick> recentClicksState;
    /** The best click the watermark has passed, until it expires. */
    private transient ValueState<AdClick> settledClickState;
    /** page_view_id -> view and its best click so far, for views the watermark has not passed. */
    private transient MapState<String, PendingPageView> pendingViewsState;

    private transient Counter lateClicks;
    private transient Counter latePageViews;
    private transient Counter duplicates;
    private transient Counter rowsProvisional;
    private transient Counter rowsFinal;

    public AttributionFunction(Duration attributionWindow, EmitMode emitMode) {
        this.windowMillis = attributionWindow.toMillis();
        this.emitMode = emitMode;
    }

    @Override
    public void open(OpenContext openContext) {
        recentClicksState = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("recent-clicks-by-id", Types.STRING, TypeInformation.of(AdClick.class)));
        settledClickState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("best-settled-click", TypeInformation.of(AdClick.class)));
        pendingViewsState = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending-page-views-by-id", Types.STRING, TypeInformation.of(PendingPageView.class)));
        var metrics = getRuntimeContext().getMetricGroup();
        lateClicks = metrics.counter("lateClicks");
        latePageViews = metrics.counter("latePageViews");
        duplicates = metrics.counter("duplicates");
        rowsProvisional = metrics.counter("rowsProvisional");
        rowsFinal = metrics.counter("rowsFinal");
    }

    @Override
    public void processElement1(AdClick click, Context ctx, Collector<AttributedPageView> out) throws Exception {
        AdClick settled = settledClickState.value();
        if (recentClicksState.contains(click.clickId) || (settled != null && settled.clickId.equals(click.clickId))) {
            duplicates.inc();
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (click.eventTime <= watermark) {
            lateClicks.inc();
            ctx.output(LATE_EVENTS, new LateEvent(LateEvent.AD_CLICK, click.clickId, click.userId, click.eventTime, watermark));
            if (clickExpiryTime(click) <= watermark) {
                return; // too old to be eligible for any view that is not final yet
            }
            if (AttributionRule.isBetter(click, settled)) {
                settledClickState.update(click);
                ctx.timerService().registerEventTimeTimer(clickExpiryTime(click));
            }
        } else {
            recentClicksState.put(click.clickId, click);
            ctx.timerService().registerEventTimeTimer(clickSettleTime(click));
            ctx.timerService().registerEventTimeTimer(clickExpiryTime(click));
        }

        for (Map.Entry<String, PendingPageView> entry : pendingViewsState.entries()) {
            PendingPageView pending = entry.getValue();
            if (AttributionRule.isEligible(click.eventTime, pending.view.eventTime, windowMillis)
                    && AttributionRule.isBetter(click, pending.bestClick)) {
                pending.bestClick = click;
                entry.setValue(pending);
                if (emitMode == EmitMode.UPDATE) {
                    emit(pending, false, out);
                }
            }
        }
    }

    @Override
    public void processElement2(PageView view, Context ctx, Collector<AttributedPageView> out) throws Exception {
        if (pendingViewsState.contains(view.pageViewId)) {
            duplicates.inc();
            return;
        }
        PendingPageView pending = new PendingPageView(view, bestHeldClick(view));
        long watermark = ctx.timerService().currentWatermark();
        if (view.eventTime <= watermark) {
            latePageViews.inc();
            ctx.output(LATE_EVENTS, new LateEvent(LateEvent.PAGE_VIEW, view.pageViewId, view.userId, view.eventTime, watermark));
            emit(pending, true, out);
            return;
        }
        pendingViewsState.put(view.pageViewId, pending);
        ctx.timerService().registerEventTimeTimer(finalizationTime(view));
        if (emitMode == EmitMode.UPDATE) {
            emit(pending, false, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AttributedPageView> out) throws Exception {
        Iterator<Map.Entry<String, PendingPageView>> views = pendingViewsState.iterator();
        while (views.hasNext()) {
            PendingPageView pending = views.next().getValue();
            if (finalizationTime(pending.view) <= timestamp) {
                emit(pending, true, out);
                views.remove();
            }
        }
        AdClick settled = settledClickState.value();
        AdClick bestSettled = settled;
        Iterator<Map.Entry<String, AdClick>> clicks = recentClicksState.iterator();
        while (clicks.hasNext()) {
            AdClick click = clicks.next().getValue();
            if (clickSettleTime(click) <= timestamp) {
                clicks.remove();
                if (AttributionRule.isBetter(click, bestSettled)) {
                    bestSettled = click;
                }
            }
        }
        if (bestSettled != null && clickExpiryTime(bestSettled) <= timestamp) {
            bestSettled = null;
        }
        if (bestSettled != settled) {
            if (bestSettled == null) {
                settledClickState.clear();
            } else {
                settledClickState.update(bestSettled);
            }
        }
        // Every entry has a timer at or before its removal time, so a user whose traffic stops ends
        // with no state once the watermark passes the last of them.
        if (pendingViewsState.isEmpty()) {
            pendingViewsState.clear();
        }
        if (recentClicksState.isEmpty()) {
            recentClicksState.clear();
        }
    }

    /** A view is final once the watermark reaches its event time: every click eligible for it is on time before then. */
    static long finalizationTime(PageView view) {
        return view.eventTime;
    }

    /** Once the watermark reaches a click, only the best such click can still win for a view that is not final. */
    static long clickSettleTime(AdClick click) {
        return click.eventTime;
    }

    /**
     * A click is dropped once the watermark reaches {@code clickTime + window}: any on-time view arriving
     * later has {@code viewTime > watermark}, so the click is outside its window.
     */
    long clickExpiryTime(AdClick click) {
        return click.eventTime + windowMillis;
    }

    private AdClick bestHeldClick(PageView view) throws Exception {
        AdClick best = null;
        AdClick settled = settledClickState.value();
        if (settled != null && AttributionRule.isEligible(settled.eventTime, view.eventTime, windowMillis)) {
            best = settled;
        }
        for (AdClick click : recentClicksState.values()) {
            if (AttributionRule.isEligible(click.eventTime, view.eventTime, windowMillis)
                    && AttributionRule.isBetter(click, best)) {
                best = click;
            }
        }
        return best;
    }

    private void emit(PendingPageView pending, boolean isFinal, Collector<AttributedPageView> out) {
        (isFinal ? rowsFinal : rowsProvisional).inc();
        out.collect(new AttributedPageView(pending.view.pageViewId, pending.view.userId, pending.view.eventTime, pending.bestClick, isFinal));
    }
}
