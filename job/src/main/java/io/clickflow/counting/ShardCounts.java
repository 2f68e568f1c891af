package io.clickflow.counting;

import io.clickflow.commandline.Durations;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.LateEvent;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
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
 * (its operator) and state POJO {@code P}.
 */
public abstract class ShardCounts<P extends Progress> extends KeyedProcessFunction<Long, WindowedUser, ShardCount> {
    private static final long serialVersionUID = 1L;

    /** Events too late to count, for late_events. */
    public static final OutputTag<LateEvent> LATE = new OutputTag<>("late-frames", TypeInformation.of(LateEvent.class));

    private final CountingSettings counting;
    private final Class<P> progressClass;
    /** The stream name in late_events. */
    private final String stream;

    /** Exact mode: the users seen in this shard of this window. */
    private transient MapState<String, Boolean> seenUsersState;
    /** HLL mode: the sketch of this shard of this window, updatable in place. */
    private transient ValueState<byte[]> sketchState;

    private transient ValueState<P> progressState;

    private transient Counter usersIn;
    private transient Counter lateEvents;
    private transient Counter corrections;

    protected ShardCounts(CountingSettings counting, Class<P> progressClass, String stream) {
        this.counting = counting;
        this.progressClass = progressClass;
        this.stream = stream;
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
    }

    @Override
    public void processElement(WindowedUser in, Context ctx, Collector<ShardCount> out) throws Exception {
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
