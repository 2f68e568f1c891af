package io.clickflow.uniques;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.WindowKeys;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.stream.SplitRejected;
import io.clickflow.tables.LateEvent;
import io.clickflow.tables.RejectedEvent;
import io.clickflow.tables.UniqueUsers;

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
 * The unique-users pipeline, independent of where frames come from and where counts go: decoded frames
 * (watermarked per split) are assigned to their windows and shards, counted per shard, then per window.
 */
public final class UniquesWorkflow {
    private UniquesWorkflow() {}

    /** The per-window operator's name, whose input watermark the progress line shows. */
    public static final String OPERATOR_NAME = "count unique users per window";

    /** The knobs of the counting semantics. */
    public record Settings(CountingSettings counting, Duration outOfOrderness, Duration idleTimeout)
            implements Serializable {}

    /** Where each output goes. */
    public record Sinks(
            Consumer<DataStream<UniqueUsers>> counts,
            Consumer<DataStream<RejectedEvent>> rejected,
            Consumer<DataStream<LateEvent>> late) {}

    public static void defineWorkflow(
            StreamExecutionEnvironment env, Settings settings, Source<Decoded<Frame>, ?, ?> framesSource, Sinks sinks) {
        CountingSettings counting = settings.counting();
        SingleOutputStreamOperator<Frame> frames = env.fromSource(
                        framesSource,
                        EventWatermarks.strategy(settings.outOfOrderness(), settings.idleTimeout()),
                        "frames")
                .uid("frames-source")
                .process(new SplitRejected<Frame>(), TypeInformation.of(Frame.class))
                .uid("frames-split-rejected")
                .name("split rejected frames");

        SingleOutputStreamOperator<ShardCount> shardCounts = frames.flatMap(
                        new AssignWindows(counting.windows()), TypeInformation.of(WindowedUser.class))
                .uid("assign-windows")
                .name("assign windows and shards")
                .keyBy(user -> user.shardKey)
                .process(new ShardDistinctUsers(counting), TypeInformation.of(ShardCount.class))
                .uid("shard-distinct-users[" + counting.stateMeaning() + "]")
                .name("count distinct users per shard");

        SingleOutputStreamOperator<UniqueUsers> counts = shardCounts
                .keyBy(shard -> shard.windowKey)
                .process(new WindowUniqueUsers(counting), TypeInformation.of(UniqueUsers.class))
                .uid("window-unique-users[" + counting.stateMeaning() + "]")
                .name(OPERATOR_NAME);

        sinks.counts().accept(counts);
        sinks.rejected().accept(frames.getSideOutput(SplitRejected.REJECTED));
        sinks.late().accept(shardCounts.getSideOutput(ShardDistinctUsers.LATE_FRAMES));
    }

    /** The windows' keys for a count mode. */
    public static WindowKeys windowKeys(List<Duration> sizes, CountMode mode) {
        return new WindowKeys(sizes, mode.shards());
    }
}
