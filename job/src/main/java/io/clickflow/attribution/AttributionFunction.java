package io.clickflow.attribution;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.LateEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

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
 *
 * <p>Timers: event-time timers only for what is due soon (a view's finalization, a click's settling), one per user
 * at the earliest; the settled click's expiry, half an hour out, has no event-time timer (it would keep about one
 * entry per recently clicking user in the queue every other timer is sifted through). An expired settled click is
 * treated as gone wherever it is read, and removed for good by a coarse processing-time timer per user, set for
 * when the watermark is expected to reach the expiry at its measured pace.
 */
public class AttributionFunction extends KeyedCoProcessFunction<String, AdClick, PageView, AttributedPageView>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<LateEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));

    /** A user's settled-click cleanup timer is rounded up to whole minutes of processing time. */
    static final long CLEANUP_GRANULARITY_MILLIS = Duration.ofMinutes(1).toMillis();

    /**
     * The longest a cleanup timer waits while the subtask has not measured the watermark's pace yet (its first
     * {@link WatermarkPace#MIN_SPAN_MILLIS}): reading event time as processing time, a replay that outruns it would
     * hold its expired clicks for a window of wall-clock time.
     */
    static final long CLEANUP_MAX_DELAY_MILLIS = Duration.ofMinutes(5).toMillis();

    private final long windowMillis;
    private final EmitMode emitMode;

    /** Recent clicks, the best settled click and the pending views of the current user. */
    private transient ValueState<UserAttributionState> userState;

    /**
     * The processing time of the user's pending cleanup timer, null if none: at most one per user, so a user who
     * clicks often does not pile up timers. Cleared with the user's state, and the timer deleted with it.
     */
    private transient ValueState<Long> cleanupTimeState;

    /**
     * Not state: a measurement of this subtask's watermark against its clock, taken again after a restore. Without
     * it every held click was looked at every few minutes however long its window, which with a day's window and
     * millions of users was more timer work than the events.
     */
    private transient WatermarkPace watermarkPace = new WatermarkPace();

    /**
     * Totals behind the {@code pendingPageViews} and {@code clicksHeld} gauges, one entry per subtask.
     * Keyed state cannot be counted from here, so the totals move with every change and are
     * checkpointed; after rescaling a subtask's share is arbitrary, but the sum over subtasks is exact.
     */
    private transient ListState<Long> pendingViewsCountState;

    private transient ListState<Long> heldClicksCountState;
    private transient long pendingViewsCount;
    private transient long heldClicksCount;

    private transient Counter clicksIn;
    private transient Counter pageViewsIn;
    private transient Counter rowsUpdated;
    private transient Counter lateClicks;
    private transient Counter latePageViews;
    private transient Counter duplicates;
    private transient Counter rowsProvisional;
    private transient Counter rowsFinal;

    /** How the user's value is written in state and checkpoints. */
    private final TypeSerializer<UserAttributionState> stateSerializer;

    public AttributionFunction(Duration attributionWindow, EmitMode emitMode) {
        this(attributionWindow, emitMode, UserAttributionStateSerializer.INSTANCE);
    }

    /** With another state serializer: tests write state as releases before {@link UserAttributionStateSerializer} did. */
    AttributionFunction(
            Duration attributionWindow, EmitMode emitMode, TypeSerializer<UserAttributionState> stateSerializer) {
        this.windowMillis = attributionWindow.toMillis();
        this.emitMode = emitMode;
        this.stateSerializer = stateSerializer;
    }

    /** The user's value in keyed state; its name is what savepoints know it by. */
    static ValueStateDescriptor<UserAttributionState> userStateDescriptor(
            TypeSerializer<UserAttributionState> serializer) {
        return new ValueStateDescriptor<>("user-clicks-and-pending-views", serializer);
    }

    @Override
    public void open(OpenContext openContext) {
        userState = getRuntimeContext().getState(userStateDescriptor(stateSerializer));
        cleanupTimeState =
                getRuntimeContext().getState(new ValueStateDescriptor<>("settled-click-cleanup-time", Long.class));
        watermarkPace = new WatermarkPace();
        var metrics = getRuntimeContext().getMetricGroup();
        clicksIn = metrics.counter("clicksIn");
        pageViewsIn = metrics.counter("pageViewsIn");
        rowsUpdated = metrics.counter("rowsUpdated");
        metrics.gauge("pendingPageViews", () -> pendingViewsCount);
        metrics.gauge("clicksHeld", () -> heldClicksCount);
        lateClicks = metrics.counter("lateClicks");
        latePageViews = metrics.counter("latePageViews");
        duplicates = metrics.counter("duplicates");
        rowsProvisional = metrics.counter("rowsProvisional");
        rowsFinal = metrics.counter("rowsFinal");
    }

    @Override
    public void processElement1(AdClick click, Context ctx, Collector<AttributedPageView> out) throws Exception {
        clicksIn.inc();
        UserAttributionState state = currentState();
        long watermark = ctx.timerService().currentWatermark();
        removeExpiredSettledClick(state, watermark, ctx.timerService());
        int viewsBefore = state.pendingViews.length;
        int clicksBefore = heldClicks(state);
        if (state.holdsClick(click.clickId)) {
            duplicates.inc();
            return;
        }
        if (click.eventTime <= watermark) {
            lateClicks.inc();
            ctx.output(
                    LATE_EVENTS,
                    new LateEvent(LateEvent.AD_CLICK, click.clickId, click.userId, click.eventTime, watermark));
            if (isExpired(click, watermark)) {
                return; // too old to be eligible for any view that is not final yet
            }
            if (AttributionRule.isBetter(click, state.settledClick)) {
                replaceSettledClick(state, click, ctx.timerService());
            }
        } else {
            state.addRecentClick(click);
        }
        for (PendingPageView pending : state.pendingViews) {
            if (AttributionRule.isEligible(click.eventTime, pending.view.eventTime, windowMillis)
                    && AttributionRule.isBetter(click, pending.bestClick)) {
                pending.bestClick = click;
                if (emitMode == EmitMode.UPDATE) {
                    rowsUpdated.inc();
                    emit(pending, false, out);
                }
            }
        }
        userState.update(state);
        scheduleNextDue(state, ctx.timerService());
        track(viewsBefore, clicksBefore, state);
    }

    @Override
    public void processElement2(PageView view, Context ctx, Collector<AttributedPageView> out) throws Exception {
        pageViewsIn.inc();
        UserAttributionState state = currentState();
        if (state.holdsView(view.pageViewId)) {
            duplicates.inc();
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        removeExpiredSettledClick(state, watermark, ctx.timerService());
        PendingPageView pending = new PendingPageView(view, bestHeldClick(state, view));
        if (view.eventTime <= watermark) {
            latePageViews.inc();
            ctx.output(
                    LATE_EVENTS,
                    new LateEvent(LateEvent.PAGE_VIEW, view.pageViewId, view.userId, view.eventTime, watermark));
            emit(pending, true, out);
            return;
        }
        state.addPendingView(pending);
        userState.update(state);
        pendingViewsCount++;
        scheduleNextDue(state, ctx.timerService());
        if (emitMode == EmitMode.UPDATE) {
            emit(pending, false, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AttributedPageView> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            cleanUp(ctx.timerService());
            return;
        }
        UserAttributionState state = userState.value();
        if (state == null) {
            return;
        }
        state.normalize();
        // Everything the watermark has passed is due, not only what is due at this timer's time: one firing
        // does a user's whole due work, and the user's other timers at or before the watermark find nothing.
        long due = Math.max(timestamp, ctx.timerService().currentWatermark());
        int viewsBefore = state.pendingViews.length;
        int clicksBefore = heldClicks(state);
        int keptViews = 0;
        for (PendingPageView pending : state.pendingViews) {
            if (finalizationTime(pending.view) <= due) {
                emit(pending, true, out);
            } else {
                state.pendingViews[keptViews++] = pending;
            }
        }
        if (keptViews < state.pendingViews.length) {
            state.pendingViews = Arrays.copyOf(state.pendingViews, keptViews);
        }
        int keptClicks = 0;
        for (AdClick click : state.recentClicks) {
            if (clickSettleTime(click) <= due) {
                if (AttributionRule.isBetter(click, state.settledClick)) {
                    replaceSettledClick(state, click, ctx.timerService());
                }
            } else {
                state.recentClicks[keptClicks++] = click;
            }
        }
        if (keptClicks < state.recentClicks.length) {
            state.recentClicks = Arrays.copyOf(state.recentClicks, keptClicks);
        }
        dropExpiredSettledClick(state, due);
        // The user's next due time always has a timer (scheduleNextDue after every change), and a settled click its
        // cleanup timer, so a user whose traffic stops ends with no state.
        if (state.isEmpty()) {
            clear(ctx.timerService());
        } else {
            userState.update(state);
            scheduleNextDue(state, ctx.timerService());
        }
        track(viewsBefore, clicksBefore, state);
    }

    /**
     * The processing-time timer of the user's settled click: removes it if the watermark has passed its expiry, else
     * looks again later. Nothing is emitted here: an expired click is already ignored wherever it is read.
     */
    private void cleanUp(TimerService timers) throws Exception {
        UserAttributionState state = userState.value();
        long watermark = timers.currentWatermark();
        if (state != null && state.settledClick != null && !isExpired(state.settledClick, watermark)) {
            scheduleCleanup(state, timers); // not expired yet: the watermark is slower than processing time
            return;
        }
        cleanupTimeState.clear();
        if (state != null) {
            state.normalize();
            removeExpiredSettledClick(state, watermark, timers);
        }
    }

    /** Removes the user's state and its cleanup timer; the event-time timers left fire and find nothing. */
    private void clear(TimerService timers) throws Exception {
        userState.clear();
        Long cleanupTime = cleanupTimeState.value();
        if (cleanupTime != null) {
            timers.deleteProcessingTimeTimer(cleanupTime);
            cleanupTimeState.clear();
        }
    }

    /** Page views waiting for the watermark in this subtask (the {@code pendingPageViews} gauge). */
    public long pendingPageViews() {
        return pendingViewsCount;
    }

    /** Clicks held for future page views in this subtask (the {@code clicksHeld} gauge). */
    public long clicksHeld() {
        return heldClicksCount;
    }

    private static int heldClicks(UserAttributionState state) {
        return state.recentClicks.length + (state.settledClick == null ? 0 : 1);
    }

    private void track(int viewsBefore, int clicksBefore, UserAttributionState after) {
        pendingViewsCount += after.pendingViews.length - viewsBefore;
        heldClicksCount += heldClicks(after) - clicksBefore;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingViewsCountState.update(List.of(pendingViewsCount));
        heldClicksCountState.update(List.of(heldClicksCount));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingViewsCountState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("pending-page-views-count", Long.class));
        heldClicksCountState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("held-clicks-count", Long.class));
        pendingViewsCount = 0;
        heldClicksCount = 0;
        for (Long n : pendingViewsCountState.get()) {
            pendingViewsCount += n;
        }
        for (Long n : heldClicksCountState.get()) {
            heldClicksCount += n;
        }
    }

    /**
     * One event-time timer per user, at the earliest time anything of the user's state is due: a view's finalization
     * or a click's settling (the settled click's expiry has its cleanup timer instead). Registering it again for the
     * same time is a lookup, not a new timer (Flink keeps one timer per key and time), so a user's timers stay one or
     * two however much traffic the user has; a timer left at a later time by an earlier arrival fires, finds nothing
     * due and costs one state read.
     */
    private void scheduleNextDue(UserAttributionState state, TimerService timers) {
        long next = Long.MAX_VALUE;
        for (PendingPageView pending : state.pendingViews) {
            next = Math.min(next, finalizationTime(pending.view));
        }
        for (AdClick click : state.recentClicks) {
            next = Math.min(next, clickSettleTime(click));
        }
        if (next != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(next);
        }
    }

    /** Makes {@code click} the settled click; the user's cleanup timer, if it has one, now looks after this one. */
    private void replaceSettledClick(UserAttributionState state, AdClick click, TimerService timers) throws Exception {
        state.settledClick = click;
        if (cleanupTimeState.value() == null) {
            scheduleCleanup(state, timers);
        }
    }

    private void scheduleCleanup(UserAttributionState state, TimerService timers) throws Exception {
        long time = cleanupTime(state.settledClick, timers.currentWatermark(), timers.currentProcessingTime());
        timers.registerProcessingTimeTimer(time);
        cleanupTimeState.update(time);
    }

    /**
     * When to look whether the settled click expired: when the watermark is expected to reach its expiry at the pace
     * measured in this subtask (never slower than real time; until a pace is measured, the event time left read as
     * processing time, at most {@link #CLEANUP_MAX_DELAY_MILLIS}), at least a granule, rounded up to whole granules
     * so that the users of a subtask share a few timestamps.
     */
    long cleanupTime(AdClick settled, long watermark, long now) {
        watermarkPace.observe(watermark, now);
        long left = watermark == Long.MIN_VALUE ? windowMillis : clickExpiryTime(settled) - watermark;
        long wait = watermarkPace.measured()
                ? watermarkPace.processingMillisFor(left)
                : Math.min(left, CLEANUP_MAX_DELAY_MILLIS);
        long delay = Math.max(wait, CLEANUP_GRANULARITY_MILLIS);
        long time = now + delay;
        return time - Math.floorMod(time, CLEANUP_GRANULARITY_MILLIS) + CLEANUP_GRANULARITY_MILLIS;
    }

    /** An expired settled click is gone for every rule, whether or not its cleanup timer has removed it yet. */
    private void dropExpiredSettledClick(UserAttributionState state, long watermark) {
        if (state.settledClick != null && isExpired(state.settledClick, watermark)) {
            state.settledClick = null;
        }
    }

    private boolean isExpired(AdClick click, long watermark) {
        return clickExpiryTime(click) <= watermark;
    }

    /**
     * Drops an expired settled click (before an event is handled, or by its cleanup timer) and stores that at once,
     * with the user's state cleared if nothing else is held: event paths that end early (duplicates, late events)
     * store nothing else, and on the heap backend the value read IS the stored one, so an unstored change would
     * still be seen there but not on RocksDB.
     */
    private void removeExpiredSettledClick(UserAttributionState state, long watermark, TimerService timers)
            throws Exception {
        if (state.settledClick == null || !isExpired(state.settledClick, watermark)) {
            return;
        }
        state.settledClick = null;
        heldClicksCount--;
        if (state.isEmpty()) {
            clear(timers);
        } else {
            userState.update(state);
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

    private AdClick bestHeldClick(UserAttributionState state, PageView view) {
        AdClick best = null;
        if (state.settledClick != null
                && AttributionRule.isEligible(state.settledClick.eventTime, view.eventTime, windowMillis)) {
            best = state.settledClick;
        }
        for (AdClick click : state.recentClicks) {
            if (AttributionRule.isEligible(click.eventTime, view.eventTime, windowMillis)
                    && AttributionRule.isBetter(click, best)) {
                best = click;
            }
        }
        return best;
    }

    private UserAttributionState currentState() throws Exception {
        UserAttributionState state = userState.value();
        if (state == null) {
            return new UserAttributionState();
        }
        state.normalize();
        return state;
    }

    private void emit(PendingPageView pending, boolean isFinal, Collector<AttributedPageView> out) {
        (isFinal ? rowsFinal : rowsProvisional).inc();
        out.collect(row(pending.view, pending.bestClick, isFinal));
    }

    /** The row of a page view attributed to {@code click} (null: to nothing). */
    public static AttributedPageView row(PageView view, AdClick click, boolean isFinal) {
        return click == null
                ? new AttributedPageView(
                        view.pageViewId, view.userId, view.eventTime, view.url, null, null, null, isFinal)
                : new AttributedPageView(
                        view.pageViewId,
                        view.userId,
                        view.eventTime,
                        view.url,
                        click.campaignId,
                        click.clickId,
                        click.eventTime,
                        isFinal);
    }
}
