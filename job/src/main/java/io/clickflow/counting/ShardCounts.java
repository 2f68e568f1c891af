package io.clickflow.counting;

import io.clickflow.commandline.Durations;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.LateEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * Stage 1 of a windowed count, keyed by (window, shard): the distinct users of one shard of one window, held
 * exactly (one map entry per user) or in an HLL sketch, and the shard's additive counters. It emits the shard's
 * count when the watermark closes the window, in update mode also at most every shard update interval before,
 * and after the close for every event that changes it within the allowed lateness. Events later than that go to
 * {@link #LATE}. All state of a key is dropped at the window's cleanup time. Each job names its own subclass
 * (its operator) and state POJO {@code P}. With a dedup window, an event whose id ({@link WindowedUser#eventId})
 * this shard has seen within that window is dropped entirely (see {@link #isRepeat}). A fresh read's fence is
 * answered at once with the shard's count on {@link #FENCE_REPLIES}, touching no state.
 */
public abstract class ShardCounts<P extends Progress> extends KeyedProcessFunction<Long, WindowedUser, ShardCount> {
    private static final long serialVersionUID = 1L;

    /** Events too late to count, for late_events. */
    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-frames", TypeInformation.of(LateEvent.class));

    /** Replies to fresh reads' fences, for {@link FenceTotals}. */
    public static final OutputTag<FenceReply> FENCE_REPLIES =
            new OutputTag<>("fence-replies", TypeInformation.of(FenceReply.class));

    private final CountingSettings counting;
    private final Class<P> progressClass;
    /** The stream name in late_events. */
    private final String stream;
    /** How long a shard remembers an event id (processing time); null: no de-duplication, no id state. */
    private final Duration dedupWindow;

    /** Exact mode: the users seen in this shard of this window. */
    private transient MapState<String, Boolean> seenUsersState;
    /** HLL mode: the sketch of this shard of this window, updatable in place. */
    private transient ValueState<byte[]> sketchState;

    private transient ValueState<P> progressState;

    /** The event ids seen in this shard of this window, each for the dedup window; null without one. */
    private transient MapState<String, Boolean> eventIdsState;

    private transient Counter usersIn;
    private transient Counter lateEvents;
    private transient Counter corrections;
    private transient Counter repeatsDropped;

    protected ShardCounts(CountingSettings counting, Class<P> progressClass, String stream) {
        this(counting, progressClass, stream, null);
    }

    /** With {@code dedupWindow} (null: none), events carrying an id seen within it are counted once. */
    protected ShardCounts(CountingSettings counting, Class<P> progressClass, String stream, Duration dedupWindow) {
        this.counting = counting;
        this.progressClass = progressClass;
        this.stream = stream;
        this.dedupWindow = dedupWindow;
    }

    @Override
    public void open(OpenContext openContext) {
        if (counting.countMode() == CountMode.EXACT) {
            seenUsersState = getRuntimeContext()
                    .getMapState(new MapStateDescriptor<>("shard-users", Types.STRING, Types.BOOLEAN));
        } else {
            sketchState = getRuntimeContext()
                    .getState(new ValueStateDescriptor<>(
                            "shard-sketch", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }
        progressState = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("shard-progress", TypeInformation.of(progressClass)));
        var metrics = getRuntimeContext().getMetricGroup();
        usersIn = metrics.counter("windowedUsersIn");
        lateEvents = metrics.counter("lateFrames");
        corrections = metrics.counter("shardCorrections");
        openDedup();
    }

    /** The id state: one entry per id (its key and a flag), expired after the dedup window of processing time. */
    private void openDedup() {
        repeatsDropped = getRuntimeContext().getMetricGroup().counter("repeatedEventsDropped");
        if (dedupWindow == null) {
            return;
        }
        StateTtlConfig ttl = StateTtlConfig.newBuilder(dedupWindow)
                .useProcessingTime()
                .updateTtlOnCreateAndWrite() // a retry does not extend its id's life: the window runs from the first
                .neverReturnExpired()
                // An expired id is never read; it is dropped with its window's state (onTimer), from full
                // snapshots, and on RocksDB in compaction. No incremental cleanup: on the heap backend each check
                // copies the whole id map of a shard, on every access of the state (BENCHMARKS.md, analytics).
                .cleanupFullSnapshot()
                .disableCleanupInBackground()
                .cleanupInRocksdbCompactFilter(1000)
                .build();
        MapStateDescriptor<String, Boolean> ids =
                new MapStateDescriptor<>("shard-event-ids", Types.STRING, Types.BOOLEAN);
        ids.enableTimeToLive(ttl);
        eventIdsState = getRuntimeContext().getMapState(ids);
    }

    /**
     * True if this shard saw the event's id within the dedup window: the event is a retry of one already counted
     * (same request: same user, same time, so the same shard) and is dropped. Keyless events touch no state.
     */
    private boolean isRepeat(WindowedUser in) throws Exception {
        if (in.eventId == null || eventIdsState == null) {
            return false;
        }
        if (eventIdsState.contains(in.eventId)) {
            repeatsDropped.inc();
            return true;
        }
        // Safe from leaks only because processElement goes on to register (or keep) the window's cleanup timer
        // for this key; an id put on any path that returns before that would outlive its window until its TTL.
        eventIdsState.put(in.eventId, Boolean.TRUE);
        return false;
    }

    @Override
    public void processElement(WindowedUser in, Context ctx, Collector<ShardCount> out) throws Exception {
        if (in.fenceReplies > 0) {
            replyToFence(in, ctx);
            return;
        }
        usersIn.inc();
        long shardKey = ctx.getCurrentKey();
        long window = WindowKeys.windowOf(shardKey);
        long watermark = ctx.timerService().currentWatermark();
        if (counting.cleanupTime(window) <= watermark) {
            // The window's count is settled and its state gone (or never was): report, do not count.
            lateEvents.inc();
            ctx.output(LATE, lateEvent(in, window, watermark));
            return;
        }
        if (isRepeat(in)) {
            return;
        }
        P progress = progressState.value();
        if (progress == null) {
            progress = progressClass.getDeclaredConstructor().newInstance();
            counting.registerWindowTimers(ctx.timerService(), window);
        } else {
            counting.keepFinalTimer(ctx.timerService(), window);
        }
        boolean changed = addUser(in.uid, progress);
        if (in.counter != WindowedUser.NO_COUNTER && counting.counters() > 0) {
            progress.increment(in.counter, counting.counters());
            changed = true;
        }
        if (!changed) {
            return;
        }
        if (counting.isFinal(window, watermark)) {
            corrections.inc();
            emit(shardKey, progress, out); // within the allowed lateness: the window's final count is corrected now
        } else {
            counting.scheduleUpdate(ctx.timerService(), progress, counting.shardUpdateIntervalMillis());
        }
        progressState.update(progress);
    }

    /**
     * Every event its partition held before the fence has reached this shard (one channel per sender, in order):
     * the shard's count now covers them. Reads state, never writes it: a fence creates no window and no timer.
     */
    private void replyToFence(WindowedUser fence, Context ctx) throws Exception {
        long shardKey = ctx.getCurrentKey();
        long window = WindowKeys.windowOf(shardKey);
        boolean settled = counting.cleanupTime(window) <= ctx.timerService().currentWatermark();
        FenceReply reply = new FenceReply(fence.uid, window, WindowKeys.shardOf(shardKey), fence.fenceReplies, settled);
        P progress = settled ? null : progressState.value();
        if (progress != null) {
            reply.users = progress.users();
            byte[] sketch = sketchState == null ? null : sketchState.value();
            reply.sketch = sketch == null ? null : Sketches.compact(sketch);
            reply.counters =
                    progress.counters() == null ? null : progress.counters().clone();
        }
        ctx.output(FENCE_REPLIES, reply);
    }

    /** Adds a user; true if the shard's distinct count changed. */
    private boolean addUser(String uid, P progress) throws Exception {
        if (counting.countMode() == CountMode.EXACT) {
            if (seenUsersState.contains(uid)) {
                return false;
            }
            seenUsersState.put(uid, Boolean.TRUE);
            progress.users(progress.users() + 1);
            return true;
        }
        byte[] sketch = sketchState.value();
        if (sketch == null) {
            sketch = Sketches.newUpdatable(counting.hllLgK());
        }
        long users = Math.round(Sketches.updateAndEstimate(sketch, uid));
        sketchState.update(sketch); // a no-op on the heap (same array); RocksDB needs it written back
        if (users == progress.users()) {
            return false;
        }
        progress.users(users);
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ShardCount> out) throws Exception {
        P progress = progressState.value();
        if (progress == null) {
            return; // an update timer that outlived its window's cleanup
        }
        long shardKey = ctx.getCurrentKey();
        long window = WindowKeys.windowOf(shardKey);
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            progress.updateScheduled(false);
            if (!counting.isFinal(window, ctx.timerService().currentWatermark()) && progress.changedSinceEmitted()) {
                emit(shardKey, progress, out);
            }
            progressState.update(progress);
            return;
        }
        if (timestamp == counting.finalTime(window) && progress.changedSinceEmitted()) {
            emit(shardKey, progress, out);
            progressState.update(progress);
        }
        if (counting.cleanUpAt(ctx.timerService(), timestamp, window)) {
            // Every key has a cleanup timer from its first event on: no state outlives the allowed lateness.
            progressState.clear();
            if (seenUsersState != null) {
                seenUsersState.clear();
            } else {
                sketchState.clear();
            }
            // The ids go with their window even if their TTL has not run out: no id outlives the allowed lateness.
            if (eventIdsState != null) {
                eventIdsState.clear();
            }
        }
    }

    private void emit(long shardKey, P progress, Collector<ShardCount> out) throws Exception {
        progress.markEmitted();
        byte[] sketch = sketchState == null ? null : Sketches.compact(sketchState.value());
        long[] counters =
                progress.counters() == null ? null : progress.counters().clone();
        out.collect(new ShardCount(
                WindowKeys.windowOf(shardKey), WindowKeys.shardOf(shardKey), progress.users(), sketch, counters));
    }

    private LateEvent lateEvent(WindowedUser in, long window, long watermark) {
        String label = Durations.format(Duration.ofMillis(counting.windows().sizeMillis(window)));
        return new LateEvent(
                stream,
                label + " window: " + in.uid + "@" + EventTimes.format(in.eventTime),
                in.uid,
                in.eventTime,
                watermark);
    }
}
