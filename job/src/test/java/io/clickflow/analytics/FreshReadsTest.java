package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.FenceReply;
import io.clickflow.counting.FenceTotals;
import io.clickflow.counting.FencedCount;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.ShardCounts;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.stream.EmitMode;
import io.clickflow.stream.EventWatermarks;
import io.clickflow.tables.AnalyticsEvent;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fresh reads' fences in the job: decoded from the topic, fanned out to every shard of their hour, answered by each
 * shard with its count without touching its state, summed per read once every reply is in; never moving a watermark
 * nor keeping an idle partition awake. Named times are on 2024-01-01 UTC.
 */
class FreshReadsTest {
    static final long HOUR_08 = at("08:00:00");
    static final long AT_08_10 = at("08:10:00");
    static final long AT_08_20 = at("08:20:00");
    static final long END_OF_HOUR_08 = at("09:00:00") - 1;
    static final Duration LATENESS = Duration.ofMinutes(5);

    static long at(String time) {
        return Instant.parse("2024-01-01T" + time + "Z").toEpochMilli();
    }

    /** The shard stage and the fence stage in harnesses, wired like the job. */
    static final class Harness implements AutoCloseable {
        final CountingSettings counting;
        final AssignHours assign;
        final KeyedOneInputStreamOperatorTestHarness<Long, WindowedUser, ShardCount> shards;
        final KeyedOneInputStreamOperatorTestHarness<String, FenceReply, FencedCount> fences;
        private int repliesSeen;

        Harness(CountMode mode, EmitMode emit) throws Exception {
            counting = AnalyticsWorkflow.counting(mode, 12, emit, Duration.ofSeconds(1), LATENESS);
            assign = new AssignHours(counting.windows());
            shards = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new HourlyShardCounts(counting)),
                    (WindowedUser u) -> u.shardKey,
                    Types.LONG);
            fences = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new FenceTotals(counting)), (FenceReply r) -> r.fence, Types.STRING);
            shards.open();
            fences.open();
        }

        /** An event or a fence, through the assigner (a fence becomes one element per shard). */
        void send(UserAction action) throws Exception {
            List<WindowedUser> out = new ArrayList<>();
            if (action.isEvent()) {
                out.add(AssignHours.assign(counting.windows(), action));
            } else {
                assign.flatMap(action, collector(out)); // a fence's fan-out uses no metric: no open() needed
            }
            for (WindowedUser u : out) {
                shards.processElement(u, action.eventTime);
            }
            forwardReplies();
        }

        void watermark(long time) throws Exception {
            shards.processWatermark(time);
            forwardReplies();
        }

        private void forwardReplies() throws Exception {
            List<StreamRecord<FenceReply>> replies = new ArrayList<>();
            var queue = shards.getSideOutput(ShardCounts.FENCE_REPLIES);
            if (queue != null) {
                queue.forEach(replies::add);
            }
            for (int i = repliesSeen; i < replies.size(); i++) {
                fences.processElement(replies.get(i).getValue(), 0L);
            }
            repliesSeen = replies.size();
        }

        List<FencedCount> answers() {
            return fences.extractOutputValues();
        }

        @Override
        public void close() throws Exception {
            shards.close();
            fences.close();
        }
    }

    static <T> Collector<T> collector(List<T> into) {
        return new Collector<>() {
            @Override
            public void collect(T record) {
                into.add(record);
            }

            @Override
            public void close() {}
        };
    }

    /** Distinct users, clicks, impressions of {@code events}: the brute force. */
    static long[] bruteForce(List<UserAction> events) {
        Set<String> users = new HashSet<>();
        long clicks = 0;
        long impressions = 0;
        for (UserAction e : events) {
            users.add(e.user);
            if (e.click) {
                clicks++;
            } else {
                impressions++;
            }
        }
        return new long[] {users.size(), clicks, impressions};
    }

    static long[] counts(FencedCount c) {
        return new long[] {c.users, c.counters[AssignHours.CLICKS], c.counters[AssignHours.IMPRESSIONS]};
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aReadCountsEverythingBeforeItsFencesInEitherEmitMode(EmitMode emit) throws Exception {
        for (CountMode mode : CountMode.values()) {
            try (Harness h = new Harness(mode, emit)) {
                List<UserAction> before = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    UserAction e = new UserAction("user-" + (i % 170), AT_08_10 + i, i % 3 == 0);
                    before.add(e);
                    h.send(e);
                    if (i == 120) {
                        h.send(UserAction.fence("read-1", HOUR_08, 2)); // partition 0's fence of read 1
                    }
                }
                h.send(UserAction.fence("read-1", HOUR_08, 2)); // partition 1's: read 1 is complete now
                h.send(new UserAction("late-comer", AT_08_20, true)); // after both fences: not asked for
                assertThat(h.answers()).hasSize(1);
                FencedCount answer = h.answers().get(0);
                assertThat(answer.fence).isEqualTo("read-1");
                assertThat(answer.windowStart).isEqualTo(HOUR_08);
                assertThat(answer.settled).isFalse();
                assertThat(counts(answer)).as(mode + "").containsExactly(bruteForce(before));
                // the read's state went with its answer; its give-up timer too
                assertThat(h.fences.numKeyedStateEntries()).isZero();
                assertThat(h.fences.numProcessingTimeTimers()).isZero();
            }
        }
    }

    @Test
    void aFenceOfAnHourWithoutEventsAnswersZerosAndCreatesNoState() throws Exception {
        try (Harness h = new Harness(CountMode.EXACT, EmitMode.UPDATE)) {
            h.send(UserAction.fence("empty", HOUR_08, 1));
            assertThat(counts(h.answers().get(0))).containsExactly(0, 0, 0);
            assertThat(h.shards.numKeyedStateEntries()).isZero();
            assertThat(h.shards.numEventTimeTimers()).isZero();
            assertThat(h.shards.numProcessingTimeTimers()).isZero();
            assertThat(h.shards.extractOutputValues()).as("no window rows").isEmpty();
        }
    }

    @Test
    void aSettledHourIsAnsweredByItsFinalRow() throws Exception {
        try (Harness h = new Harness(CountMode.EXACT, EmitMode.ON_WATERMARK)) {
            h.send(new UserAction("alice", AT_08_10, true));
            h.watermark(END_OF_HOUR_08 + LATENESS.toMillis()); // the hour's state is gone
            assertThat(h.shards.numKeyedStateEntries()).isZero();
            h.send(UserAction.fence("old", HOUR_08, 1));
            assertThat(h.answers())
                    .singleElement()
                    .satisfies(a -> assertThat(a.settled).isTrue());
            assertThat(h.shards.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void anIncompleteReadIsGivenUpAndLeavesNoState() throws Exception {
        try (Harness h = new Harness(CountMode.HLL, EmitMode.UPDATE)) {
            h.fences.setProcessingTime(0);
            h.send(new UserAction("alice", AT_08_10, true));
            h.send(UserAction.fence("orphan", HOUR_08, 3)); // its server died before the other two partitions
            assertThat(h.answers()).isEmpty();
            assertThat(h.fences.numKeyedStateEntries()).isOne();
            h.fences.setProcessingTime(Duration.ofMinutes(10).toMillis());
            assertThat(h.answers()).isEmpty();
            assertThat(h.fences.numKeyedStateEntries()).isZero();
            assertThat(h.fences.numProcessingTimeTimers()).isZero();
        }
    }

    static Decoded<UserAction> decode(String json) {
        return new UserActionDecoder().decode(json.getBytes(StandardCharsets.UTF_8), "test", "0");
    }

    @Test
    void theDecoderReadsFencesAndRejectsBadOnes() {
        assertThat(AnalyticsEvent.fenceJson("f-1", HOUR_08, 2, 4))
                .isEqualTo("{\"user\":\"f-1\",\"timestamp\":" + HOUR_08 + ",\"action\":\"fence\",\"fence\":\"2/4\"}");
        UserAction fence = decode(AnalyticsEvent.fenceJson("f-1", HOUR_08, 2, 4)).event;
        assertThat(fence).isEqualTo(UserAction.fence("f-1", HOUR_08, 4));
        assertThat(fence.isEvent()).isFalse();
        assertThat(decode(AnalyticsEvent.json("a", HOUR_08, true)).event.isEvent())
                .isTrue();
        assertThat(decode("{\"user\":\"f\",\"timestamp\":" + HOUR_08 + ",\"action\":\"fence\"}").rejected.reason)
                .isEqualTo("a fence record needs \"fence\":\"PARTITION/PARTITIONS\"");
        for (String bad : List.of("4/4", "-1/4", "x/4", "1", "1/0", "/3", "1/100001")) {
            assertThat(decode("{\"user\":\"f\",\"timestamp\":" + HOUR_08 + ",\"action\":\"fence\",\"fence\":\"" + bad
                                    + "\"}")
                            .rejected
                            .reason)
                    .as(bad)
                    .isEqualTo("fence must be PARTITION/PARTITIONS (0 <= PARTITION < PARTITIONS <= 100000), not '" + bad
                            + "'");
        }
    }

    /** Records what a watermark generator says. */
    static final class Output implements WatermarkOutput {
        long watermark = Long.MIN_VALUE;
        boolean idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermark = w.getTimestamp();
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    @Test
    void fencesNeitherMoveTheWatermarkNorKeepAPartitionAwake() {
        ManualClock clock = new ManualClock();
        WatermarkGenerator<Decoded<UserAction>> generator = EventWatermarks.<UserAction>strategy(
                        Duration.ofSeconds(5), Duration.ofSeconds(30))
                .createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return new UnregisteredMetricsGroup();
                    }

                    @Override
                    public RelativeClock getInputActivityClock() {
                        return clock;
                    }
                });
        Output out = new Output();
        generator.onEvent(Decoded.of(new UserAction("a", AT_08_10, true)), AT_08_10, out);
        generator.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(AT_08_10 - 5_000 - 1);

        // A fence of a later hour than any event: the watermark stays where the events put it.
        generator.onEvent(Decoded.of(UserAction.fence("f", AT_08_20, 1)), AT_08_20, out);
        generator.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(AT_08_10 - 5_000 - 1);

        // Only fences for longer than the idle timeout: the partition goes idle all the same.
        for (int second = 1; second <= 40 && !out.idle; second++) {
            clock.advanceTime(Duration.ofSeconds(1));
            generator.onEvent(Decoded.of(UserAction.fence("f" + second, AT_08_20, 1)), AT_08_20, out);
            generator.onPeriodicEmit(out);
        }
        assertThat(out.idle).isTrue();
    }
}
