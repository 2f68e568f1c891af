package io.clickflow.counting;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by a fresh read's id: collects the shards' {@link FenceReply}s (one per shard from every partition's fence)
 * and, once all are in, emits the window's count as of the fences. A shard's replies only grow with the fences it
 * sees, so its largest (exact) or the union of its sketches (HLL) is its count behind the last fence.
 */
public class FenceTotals extends KeyedProcessFunction<String, FenceReply, FencedCount> {
    private static final long serialVersionUID = 1L;

    /**
     * How long an incomplete read is kept: a read whose replies never all come (its server died between partitions,
     * or it wrote to a partition this job does not read) is dropped then. Far beyond any server's wait.
     */
    static final Duration GIVE_UP_AFTER = Duration.ofMinutes(10);

    private final CountingSettings counting;

    private transient ValueState<FenceTotal> fenceTotalState;
    private transient Counter readsAnswered;
    private transient Counter readsGivenUp;

    public FenceTotals(CountingSettings counting) {
        this.counting = counting;
    }

    @Override
    public void open(OpenContext openContext) {
        fenceTotalState = getRuntimeContext().getState(new ValueStateDescriptor<>("fence-total", FenceTotal.class));
        var metrics = getRuntimeContext().getMetricGroup();
        readsAnswered = metrics.counter("freshReadsAnswered");
        readsGivenUp = metrics.counter("freshReadsGivenUp");
    }

    /** The one place the give-up time of a read first heard of at {@code now} is computed. */
    static long giveUpTime(long now) {
        return now + GIVE_UP_AFTER.toMillis();
    }

    @Override
    public void processElement(FenceReply reply, Context ctx, Collector<FencedCount> out) throws Exception {
        FenceTotal total = fenceTotalState.value();
        if (total == null) {
            total = new FenceTotal();
            total.windowKey = reply.windowKey;
            total.expiresAt = giveUpTime(ctx.timerService().currentProcessingTime());
            // The timer is what bounds this state when replies go missing; it is deleted when the read completes.
            ctx.timerService().registerProcessingTimeTimer(total.expiresAt);
        }
        total.replies++;
        merge(total, reply);
        if (total.replies < reply.replies) {
            fenceTotalState.update(total);
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        out.collect(answer(ctx.getCurrentKey(), total, now));
        readsAnswered.inc();
        ctx.timerService().deleteProcessingTimeTimer(total.expiresAt);
        fenceTotalState.clear();
    }

    private void merge(FenceTotal total, FenceReply reply) {
        if (reply.settled) {
            total.settled = true;
            return; // the final row answers: no count needed
        }
        int shards = counting.windows().shards();
        if (reply.sketch != null) {
            total.union = Sketches.union(total.union, reply.sketch, counting.hllLgK());
        } else if (counting.countMode() == CountMode.EXACT) {
            if (total.shardUsers == null) {
                total.shardUsers = new long[shards];
            }
            total.shardUsers[reply.shard] = Math.max(total.shardUsers[reply.shard], reply.users);
        }
        int n = counting.counters();
        if (n > 0 && reply.counters != null) {
            if (total.shardCounters == null) {
                total.shardCounters = new long[shards * n];
            }
            for (int i = 0; i < n; i++) {
                int at = reply.shard * n + i;
                total.shardCounters[at] = Math.max(total.shardCounters[at], reply.counters[i]);
            }
        }
    }

    private FencedCount answer(String fence, FenceTotal total, long now) {
        long users = 0;
        if (total.union != null) {
            users = Sketches.count(total.union)[0];
        } else if (total.shardUsers != null) {
            for (long u : total.shardUsers) {
                users += u;
            }
        }
        int n = counting.counters();
        long[] counters = new long[n];
        if (total.shardCounters != null) {
            for (int i = 0; i < total.shardCounters.length; i++) {
                counters[i % n] += total.shardCounters[i];
            }
        }
        return new FencedCount(fence, counting.windows().start(total.windowKey), users, counters, total.settled, now);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FencedCount> out) throws Exception {
        if (fenceTotalState.value() != null) {
            readsGivenUp.inc();
            fenceTotalState.clear();
        }
    }
}
