package io.clickflow.counting;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stage 2 of a windowed count, keyed by window: adds up its shards' counts (exact) or unions their sketches
 * (HLL), adds up their counters, and emits the window's row: final when the watermark reaches the window's end
 * (every shard has sent its final count by then: stage 1 emits in its own timer, before the watermark moves on),
 * provisional at most every update interval before that in update mode, and a corrected final row for every
 * shard correction within the allowed lateness. Each job names its own subclass (its operator), state POJO
 * {@code T} and row {@code R}.
 */
public abstract class WindowCounts<P extends Progress, T extends Total<P>, R>
        extends KeyedProcessFunction<Long, ShardCount, R> {
    private static final long serialVersionUID = 1L;

    private final CountingSettings counting;
    private final Class<T> totalClass;
    private final WindowRow<R> rows;

    private transient ValueState<T> totalState;

    private transient Counter rowsProvisional;
    private transient Counter rowsFinal;
    private transient Counter rowsCorrected;

    protected WindowCounts(CountingSettings counting, Class<T> totalClass, WindowRow<R> rows) {
        this.counting = counting;
        this.totalClass = totalClass;
        this.rows = rows;
    }

    @Override
    public void open(OpenContext openContext) {
        totalState = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("window-total", TypeInformation.of(totalClass)));
        var metrics = getRuntimeContext().getMetricGroup();
        rowsProvisional = metrics.counter("rowsProvisional");
        rowsFinal = metrics.counter("rowsFinal");
        rowsCorrected = metrics.counter("rowsCorrected");
    }

    @Override
    public void processElement(ShardCount shard, Context ctx, Collector<R> out) throws Exception {
        long window = ctx.getCurrentKey();
        long watermark = ctx.timerService().currentWatermark();
        T total = totalState.value();
        if (total == null) {
            total = totalClass.getDeclaredConstructor().newInstance();
            counting.registerWindowTimers(ctx.timerService(), window);
        } else {
            counting.keepFinalTimer(ctx.timerService(), window);
        }
        merge(total, shard);
        if (counting.isFinal(window, watermark)) {
            if (total.progress().changedSinceEmitted()) {
                rowsCorrected.inc();
                emit(window, total, true, out);
            }
        } else {
            counting.scheduleUpdate(ctx.timerService(), total.progress(), counting.updateIntervalMillis());
        }
        totalState.update(total);
    }

    private void merge(T total, ShardCount shard) {
        P progress = total.progress();
        if (counting.countMode() == CountMode.EXACT) {
            if (total.shardUsers() == null) {
                total.shardUsers(new long[counting.windows().shards()]);
            }
            long[] shardUsers = total.shardUsers();
            progress.users(progress.users() + shard.users - shardUsers[shard.shard]);
            shardUsers[shard.shard] = shard.users; // a shard's newer count replaces its older one
        } else {
            total.union(Sketches.union(total.union(), shard.sketch, counting.hllLgK()));
            progress.users(Math.round(Sketches.estimate(total.union()))); // bounds only when a row is emitted
        }
        int n = counting.counters();
        if (n > 0 && shard.counters != null) {
            if (total.shardCounters() == null) {
                total.shardCounters(new long[counting.windows().shards() * n]);
                progress.counters(new long[n]);
            }
            long[] shardCounters = total.shardCounters();
            long[] counters = progress.counters();
            for (int i = 0; i < n; i++) {
                // Absolute per shard, like the users: the newer value replaces the older, the window gets the
                // difference.
                counters[i] += shard.counters[i] - shardCounters[shard.shard * n + i];
                shardCounters[shard.shard * n + i] = shard.counters[i];
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<R> out) throws Exception {
        T total = totalState.value();
        if (total == null) {
            return; // an update timer that outlived its window's cleanup
        }
        long window = ctx.getCurrentKey();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            total.progress().updateScheduled(false);
            if (!counting.isFinal(window, ctx.timerService().currentWatermark())
                    && total.progress().changedSinceEmitted()) {
                emit(window, total, false, out);
            }
            totalState.update(total);
            return;
        }
        if (timestamp == counting.finalTime(window)) {
            emit(window, total, true, out);
            totalState.update(total);
        }
        if (counting.cleanUpAt(ctx.timerService(), timestamp, window)) {
            totalState.clear(); // every window has a cleanup timer from its first shard count on
        }
    }

    private void emit(long window, T total, boolean isFinal, Collector<R> out) {
        (isFinal ? rowsFinal : rowsProvisional).inc();
        P progress = total.progress();
        progress.markEmitted();
        long start = counting.windows().start(window);
        long end = counting.windows().end(window);
        long[] counters = progress.counters() == null
                ? new long[counting.counters()]
                : progress.counters().clone();
        if (total.union() == null) {
            long n = progress.users();
            out.collect(rows.row(start, end, n, n, n, counters, isFinal));
        } else {
            long[] c = Sketches.count(total.union());
            out.collect(rows.row(start, end, c[0], c[1], c[2], counters, isFinal));
        }
    }
}
