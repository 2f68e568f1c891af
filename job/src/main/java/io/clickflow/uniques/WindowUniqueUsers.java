package io.clickflow.uniques;

import io.clickflow.tables.UniqueUsers;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stage 2 of the unique-user count, keyed by window: adds up its shards' counts (exact) or unions their
 * sketches (HLL) and emits the window's row: final when the watermark reaches the window's end (every
 * shard has sent its final count by then: stage 1 emits in its own timer, before the watermark moves on),
 * provisional at most every update interval before that in update mode, and a corrected final row for
 * every shard correction within the allowed lateness.
 */
public class WindowUniqueUsers extends KeyedProcessFunction<Long, ShardCount, UniqueUsers> {
    private static final long serialVersionUID = 1L;

    private final CountingSettings counting;

    private transient ValueState<WindowTotal> totalState;

    private transient Counter rowsProvisional;
    private transient Counter rowsFinal;
    private transient Counter rowsCorrected;

    public WindowUniqueUsers(CountingSettings counting) {
        this.counting = counting;
    }

    @Override
    public void open(OpenContext openContext) {
        totalState = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("window-total", TypeInformation.of(WindowTotal.class)));
        var metrics = getRuntimeContext().getMetricGroup();
        rowsProvisional = metrics.counter("rowsProvisional");
        rowsFinal = metrics.counter("rowsFinal");
        rowsCorrected = metrics.counter("rowsCorrected");
    }

    @Override
    public void processElement(ShardCount shard, Context ctx, Collector<UniqueUsers> out) throws Exception {
        long window = ctx.getCurrentKey();
        long watermark = ctx.timerService().currentWatermark();
        WindowTotal total = totalState.value();
        if (total == null) {
            total = new WindowTotal();
            counting.registerWindowTimers(ctx.timerService(), window);
        }
        merge(total, shard);
        if (counting.isFinal(window, watermark)) {
            if (total.progress.changedSinceEmitted()) {
                rowsCorrected.inc();
                emit(window, total, true, out);
            }
        } else {
            counting.scheduleUpdate(ctx.timerService(), total.progress);
        }
        totalState.update(total);
    }

    private void merge(WindowTotal total, ShardCount shard) {
        if (counting.countMode() == CountMode.EXACT) {
            if (total.shardUsers == null) {
                total.shardUsers = new long[counting.windows().shards()];
            }
            total.progress.users += shard.users - total.shardUsers[shard.shard];
            total.shardUsers[shard.shard] = shard.users; // a shard's newer count replaces its older one
        } else {
            total.union = Sketches.union(total.union, shard.sketch, counting.hllLgK());
            total.progress.users = Math.round(Sketches.estimate(total.union)); // bounds only when a row is emitted
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<UniqueUsers> out) throws Exception {
        WindowTotal total = totalState.value();
        if (total == null) {
            return; // an update timer that outlived its window's cleanup
        }
        long window = ctx.getCurrentKey();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            total.progress.updateScheduled = false;
            if (!counting.isFinal(window, ctx.timerService().currentWatermark())
                    && total.progress.changedSinceEmitted()) {
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

    private void emit(long window, WindowTotal total, boolean isFinal, Collector<UniqueUsers> out) {
        (isFinal ? rowsFinal : rowsProvisional).inc();
        total.progress.emittedUsers = total.progress.users;
        long start = counting.windows().start(window);
        long end = counting.windows().end(window);
        if (total.union == null) {
            long n = total.progress.users;
            out.collect(new UniqueUsers(start, end, n, n, n, isFinal));
        } else {
            long[] c = Sketches.count(total.union);
            out.collect(new UniqueUsers(start, end, c[0], c[1], c[2], isFinal));
        }
    }
}
