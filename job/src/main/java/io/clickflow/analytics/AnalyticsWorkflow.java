package io.clickflow.analytics;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.ShardCounts;
import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.stream.EmitMode;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.AnalyticsTables;
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
 * clicks, impressions), then per hour, by the counting operators the uniques job uses.
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
            Consumer<DataStream<LateEvent>> late) {}

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

        SingleOutputStreamOperator<ShardCount> shardCounts = events.map(
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

        sinks.hourly().accept(hourly);
        sinks.rejected().accept(events.getSideOutput(SplitRejected.REJECTED));
        sinks.late().accept(shardCounts.getSideOutput(ShardCounts.LATE));
    }
}
