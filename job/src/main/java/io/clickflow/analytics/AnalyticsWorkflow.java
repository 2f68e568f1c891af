package io.clickflow.analytics;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.FenceTotals;
import io.clickflow.counting.FencedCount;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.ShardCounts;
import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.stream.EmitMode;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.FreshStats;
import io.clickflow.tables.HourlyStats;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.RejectedEvent;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The hourly analytics pipeline, independent of where events come from and where rows go: decoded events
 * (watermarked per split) are assigned to their UTC hour and user shard, counted per shard (distinct users,
 * clicks, impressions), then per hour, by the counting operators the uniques job uses. A fresh read's fences
 * (one per partition) are answered by every shard of their hour and summed per read.
 */
public final class AnalyticsWorkflow {
    private AnalyticsWorkflow() {}

    /** The per-hour operator's name, whose input watermark the progress line shows. */
    public static final String OPERATOR_NAME = "count hourly stats";

    /** The knobs of the counting semantics. */
    public record Settings(
            CountingSettings counting, Duration outOfOrderness, Duration idleTimeout, Duration dedupWindow)
            implements Serializable {
        /** With the default dedup window. */
        public Settings(CountingSettings counting, Duration outOfOrderness, Duration idleTimeout) {
            this(counting, outOfOrderness, idleTimeout, DEFAULT_DEDUP_WINDOW);
        }
    }

    /** How long a POST's idempotency key is remembered by default: the historic window, 24 hours. */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);

    /** Where each output goes. */
    public record Sinks(
            Consumer<DataStream<HourlyStats>> hourly,
            Consumer<DataStream<RejectedEvent>> rejected,
            Consumer<DataStream<LateEvent>> late,
            Consumer<DataStream<FreshStats>> fresh) {
        /** Without a place for fresh reads' answers (a file replay has no one asking). */
        public Sinks(
                Consumer<DataStream<HourlyStats>> hourly,
                Consumer<DataStream<RejectedEvent>> rejected,
                Consumer<DataStream<LateEvent>> late) {
            this(hourly, rejected, late, answers -> {});
        }
    }

    /** The counting rules of hourly windows with clicks and impressions. */
    public static CountingSettings counting(
            CountMode count, int hllLgK, EmitMode emitMode, Duration updateInterval, Duration allowedLateness) {
        return new CountingSettings(hours(count), count, hllLgK, emitMode, updateInterval, allowedLateness)
                .withCounters(AssignHours.COUNTERS);
    }

    /** The one window size, an hour, in as many shards as {@code count} spreads a window over. */
    public static WindowKeys hours(CountMode count) {
        return new WindowKeys(List.of(Duration.ofMillis(AnalyticsTables.HOUR_MILLIS)), count.shards());
    }

    /** A fresh read's answer as the row its server polls for. */
    static FreshStats freshRow(FencedCount c) {
        return new FreshStats(
                c.fence,
                c.windowStart,
                c.users,
                c.counters[AssignHours.CLICKS],
                c.counters[AssignHours.IMPRESSIONS],
                c.settled,
                c.answeredAt);
    }

    public static void defineWorkflow(
            StreamExecutionEnvironment env,
            Settings settings,
            Source<Decoded<UserAction>, ?, ?> eventsSource,
            Sinks sinks) {
        CountingSettings counting = settings.counting();
        SingleOutputStreamOperator<UserAction> events = env.fromSource(
                        eventsSource,
                        EventWatermarks.strategy(settings.outOfOrderness(), settings.idleTimeout()),
                        "analytics events")
                .uid("analytics-events-source")
                .process(new SplitRejected<UserAction>(), TypeInformation.of(UserAction.class))
                .uid("analytics-split-rejected")
                .name("split rejected events");

        SingleOutputStreamOperator<ShardCount> shardCounts = events.flatMap(
                        new AssignHours(counting.windows()), TypeInformation.of(WindowedUser.class))
                .uid("assign-hours")
                .name("assign hours and shards")
                .keyBy(user -> user.shardKey)
                .process(new HourlyShardCounts(counting, settings.dedupWindow()), TypeInformation.of(ShardCount.class))
                .uid("hourly-shard-counts[" + counting.stateMeaning() + "]")
                .name("count users, clicks, impressions per shard");

        SingleOutputStreamOperator<HourlyStats> hourly = shardCounts
                .keyBy(shard -> shard.windowKey)
                .process(new HourlyTotals(counting), TypeInformation.of(HourlyStats.class))
                .uid("hourly-totals[" + counting.stateMeaning() + "]")
                .name(OPERATOR_NAME);

        // A fresh read's fences reach every shard; its answer is complete when every shard replied to every one.
        SingleOutputStreamOperator<FreshStats> fresh = shardCounts
                .getSideOutput(ShardCounts.FENCE_REPLIES)
                .keyBy(reply -> reply.fence)
                .process(new FenceTotals(counting), TypeInformation.of(FencedCount.class))
                .uid("fresh-read-totals")
                .name("answer fresh reads")
                .map(AnalyticsWorkflow::freshRow, TypeInformation.of(FreshStats.class))
                .uid("fresh-read-rows")
                .name("fresh read rows");

        sinks.hourly().accept(hourly);
        sinks.fresh().accept(fresh);
        sinks.rejected().accept(events.getSideOutput(SplitRejected.REJECTED));
        sinks.late().accept(shardCounts.getSideOutput(ShardCounts.LATE));
    }
}
