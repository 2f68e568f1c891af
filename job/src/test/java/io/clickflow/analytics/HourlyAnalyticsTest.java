package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.ShardCounts;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.HourlyStats;
import io.clickflow.tables.LateEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Both stages of the hourly count (the shared counting operators with clicks and impressions) in keyed harnesses,
 * wired like the job; time is driven by watermarks and processing time only. Named times are on 2024-01-01 UTC.
 */
class HourlyAnalyticsTest {
    static final long AT_08_00_00 = at("08:00:00");
    static final long AT_08_10_00 = at("08:10:00");
    static final long AT_08_59_59_999 = at("09:00:00") - 1;
    static final long AT_09_00_00 = at("09:00:00");
    static final long AT_09_30_00 = at("09:30:00");
    static final long AT_06_15_00 = at("06:15:00");
    static final long END_OF_HOUR_08 = at("09:00:00") - 1;
    static final long END_OF_HOUR_09 = at("10:00:00") - 1;
    static final Duration ONE_SECOND = Duration.ofSeconds(1);
    static final Duration ONE_DAY = Duration.ofHours(24);

    static long at(String time) {
        return Instant.parse("2024-01-01T" + time + "Z").toEpochMilli();
    }

    /** Stage 1 and stage 2 in harnesses; stage 1's output goes to stage 2 before a watermark moves on to it. */
    static final class Harness implements AutoCloseable {
        final CountingSettings counting;
        final KeyedOneInputStreamOperatorTestHarness<Long, WindowedUser, ShardCount> shards;
        final KeyedOneInputStreamOperatorTestHarness<Long, ShardCount, HourlyStats> hours;
        final List<HourlyStats> rows = new ArrayList<>();
        private int seen;

        Harness(CountMode mode, EmitMode emit, Duration allowedLateness) throws Exception {
            this(mode, emit, allowedLateness, null);
        }

        /** Restored from {@code restoreFrom} (both stages' snapshots), as a job resumed from a checkpoint. */
        Harness(CountMode mode, EmitMode emit, Duration allowedLateness, OperatorSubtaskState[] restoreFrom)
                throws Exception {
            counting = AnalyticsWorkflow.counting(mode, 12, emit, ONE_SECOND, allowedLateness);
            shards = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new HourlyShardCounts(counting)),
                    (WindowedUser u) -> u.shardKey,
                    Types.LONG);
            hours = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new HourlyTotals(counting)), (ShardCount c) -> c.windowKey, Types.LONG);
            shards.initializeState(restoreFrom == null ? null : restoreFrom[0]);
            hours.initializeState(restoreFrom == null ? null : restoreFrom[1]);
            shards.open();
            hours.open();
        }

        OperatorSubtaskState[] snapshot() throws Exception {
            return new OperatorSubtaskState[] {shards.snapshot(1, 1), hours.snapshot(1, 1)};
        }

        Harness click(String user, long t) throws Exception {
            return event(new UserAction(user, t, true));
        }

        Harness impression(String user, long t) throws Exception {
            return event(new UserAction(user, t, false));
        }

        Harness event(UserAction e) throws Exception {
            shards.processElement(AssignHours.assign(counting.windows(), e), e.eventTime);
            forward();
            return this;
        }

        Harness watermark(long t) throws Exception {
            shards.processWatermark(t);
            forward();
            hours.processWatermark(t);
            collect();
            return this;
        }

        /** One clock for both stages, as in a task manager: set on stage 2 first, so what stage 1 sends at t is timed at t. */
        Harness processingTime(long t) throws Exception {
            hours.setProcessingTime(t);
            collect();
            shards.setProcessingTime(t);
            forward();
            return this;
        }

        Harness endOfInput() throws Exception {
            watermark(Long.MAX_VALUE);
            return processingTime(Long.MAX_VALUE / 2);
        }

        private void forward() throws Exception {
            Object o;
            while ((o = shards.getOutput().poll()) != null) {
                if (o instanceof StreamRecord<?> r) {
                    hours.processElement((ShardCount) r.getValue(), r.getTimestamp());
                }
            }
            collect();
        }

        private void collect() {
            Object o;
            while ((o = hours.getOutput().poll()) != null) {
                if (o instanceof StreamRecord<?> r) {
                    rows.add((HourlyStats) r.getValue());
                }
            }
        }

        /** Rows since the last call, as {@code HH:mm users/clicks/impressions final|provisional}. */
        List<String> newRows() {
            List<String> fresh = new ArrayList<>();
            for (HourlyStats r : rows.subList(seen, rows.size())) {
                fresh.add(Instant.ofEpochMilli(r.hourStart).toString().substring(11, 16) + " " + r.uniqueUsers + "/"
                        + r.clicks + "/" + r.impressions + (r.isFinal ? " final" : " provisional"));
            }
            seen = rows.size();
            return fresh;
        }

        /** The table after every row was upserted, by hour start. */
        Map<Long, HourlyStats> table() {
            Map<Long, HourlyStats> table = new LinkedHashMap<>();
            rows.forEach(r -> table.merge(r.hourStart, r, AnalyticsTables::keep));
            return table;
        }

        List<LateEvent> late() {
            List<LateEvent> late = new ArrayList<>();
            var side = shards.getSideOutput(ShardCounts.LATE);
            if (side != null) {
                side.forEach(r -> late.add(r.getValue()));
            }
            return late;
        }

        void assertNothingLeft() {
            assertThat(shards.numKeyedStateEntries() + hours.numKeyedStateEntries())
                    .as("state entries")
                    .isZero();
            assertThat(shards.numEventTimeTimers()
                            + hours.numEventTimeTimers()
                            + shards.numProcessingTimeTimers()
                            + hours.numProcessingTimeTimers())
                    .as("timers")
                    .isZero();
        }

        @Override
        public void close() throws Exception {
            shards.close();
            hours.close();
        }
    }

    @ParameterizedTest
    @EnumSource(CountMode.class)
    void provisionalRowsWithinAboutAnIntervalThenTheFinalRowOnTheWatermark(CountMode count) throws Exception {
        try (Harness h = new Harness(count, EmitMode.UPDATE, ONE_DAY)) {
            h.processingTime(0).click("alice", AT_08_00_00).impression("bob", AT_08_10_00);
            assertThat(h.newRows()).isEmpty();
            // Shards send at a tenth of the interval, the hour's row follows one interval after its first change.
            h.processingTime(100);
            assertThat(h.newRows()).isEmpty();
            h.processingTime(1100);
            assertThat(h.newRows()).containsExactly("08:00 2/1/1 provisional");
            h.impression("alice", AT_08_10_00).processingTime(1200).processingTime(2199);
            assertThat(h.newRows()).as("at most one row per interval").isEmpty();
            h.processingTime(2200);
            assertThat(h.newRows())
                    .as("a repeated user adds an impression, not a user")
                    .containsExactly("08:00 2/1/2 provisional");
            h.watermark(END_OF_HOUR_08 - 1);
            assertThat(h.newRows()).isEmpty();
            h.watermark(END_OF_HOUR_08);
            assertThat(h.newRows()).containsExactly("08:00 2/1/2 final");
            h.endOfInput();
            assertThat(h.newRows()).isEmpty();
            h.assertNothingLeft();
        }
    }

    @Test
    void theHourEdgeIsTheLastMillisecond() throws Exception {
        try (Harness h = new Harness(CountMode.EXACT, EmitMode.ON_WATERMARK, ONE_DAY)) {
            h.click("alice", AT_08_59_59_999).click("bob", AT_09_00_00).impression("carol", AT_09_00_00);
            h.watermark(END_OF_HOUR_08);
            assertThat(h.newRows()).containsExactly("08:00 1/1/0 final");
            h.watermark(END_OF_HOUR_09);
            assertThat(h.newRows()).containsExactly("09:00 2/1/1 final");
            h.endOfInput();
            assertThat(h.table().get(AT_08_00_00).hourEnd).isEqualTo(AT_09_00_00);
            h.assertNothingLeft();
        }
    }

    @ParameterizedTest
    @EnumSource(CountMode.class)
    void aHistoricEventWithinTheLatenessCorrectsTheFinalRowAndLaterOnesAreLate(CountMode count) throws Exception {
        try (Harness h = new Harness(count, EmitMode.UPDATE, Duration.ofHours(2))) {
            h.processingTime(0).click("alice", AT_06_15_00).watermark(at("07:00:00"));
            assertThat(h.newRows()).containsExactly("06:00 1/1/0 final");
            // Hour 6 while it is 8: closed, within the 2 h lateness: counted, the final row re-emitted at once.
            h.watermark(AT_08_10_00).impression("bob", AT_06_15_00).click("alice", at("06:59:00"));
            assertThat(h.newRows()).containsExactly("06:00 2/1/1 final", "06:00 2/2/1 final");
            assertThat(h.late()).isEmpty();
            // 06:00 + 1 h + 2 h: the hour's state is gone, its events only go to late_events.
            h.watermark(at("09:00:00") - 1).impression("carol", AT_06_15_00);
            assertThat(h.newRows()).isEmpty();
            assertThat(h.late()).singleElement().satisfies(late -> {
                assertThat(late.stream).isEqualTo("analytics_event");
                assertThat(late.eventId).isEqualTo("1h window: carol@2024-01-01T06:15:00.000Z");
                assertThat(late.userId).isEqualTo("carol");
            });
            h.endOfInput();
            HourlyStats six = h.table().get(at("06:00:00"));
            assertThat(six).isEqualTo(new HourlyStats(at("06:00:00"), 2, 2, 1, true));
            h.assertNothingLeft();
        }
    }

    @Test
    void aLateEventOfAnHourWithoutRowsYetGetsAFinalRow() throws Exception {
        try (Harness h = new Harness(CountMode.EXACT, EmitMode.UPDATE, ONE_DAY)) {
            h.processingTime(0).watermark(AT_09_30_00).impression("dave", AT_06_15_00);
            assertThat(h.newRows()).containsExactly("06:00 1/0/1 final");
            h.endOfInput();
            assertThat(h.newRows()).isEmpty();
            h.assertNothingLeft();
        }
    }

    /**
     * A restored job starts with no watermark: an event of an hour whose final row went out before the crash comes
     * in while the hour looks open again. Its correction must still reach the table once the watermark is back past
     * the hour, in either emit mode, although the hour's final timer fired in the run before.
     */
    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aCorrectionOfAFinalHourArrivingRightAfterARestoreIsEmitted(EmitMode emit) throws Exception {
        OperatorSubtaskState[] checkpoint;
        try (Harness h = new Harness(CountMode.EXACT, emit, ONE_DAY)) {
            h.processingTime(0).click("alice", AT_06_15_00).watermark(AT_08_10_00);
            assertThat(h.newRows()).containsExactly("06:00 1/1/0 final");
            checkpoint = h.snapshot();
        }
        try (Harness h = new Harness(CountMode.EXACT, emit, ONE_DAY, checkpoint)) {
            h.processingTime(10_000).impression("bob", AT_06_15_00);
            // The watermark comes back past hour 6 before the update interval is over.
            h.watermark(AT_08_10_00).processingTime(12_000);
            assertThat(h.table().get(at("06:00:00"))).isEqualTo(new HourlyStats(at("06:00:00"), 2, 1, 1, true));
            h.endOfInput();
            h.assertNothingLeft();
        }
    }

    @Test
    void manyUsersOverShardsAddUp() throws Exception {
        try (Harness h = new Harness(CountMode.EXACT, EmitMode.ON_WATERMARK, ONE_DAY)) {
            for (int i = 0; i < 1000; i++) {
                h.click("user-" + i, AT_08_00_00 + i).impression("user-" + (i / 2), AT_08_10_00);
            }
            h.endOfInput();
            assertThat(h.table().get(AT_08_00_00)).isEqualTo(new HourlyStats(AT_08_00_00, 1000, 1000, 1000, true));
            h.assertNothingLeft();
        }
    }

    @Test
    void theDecoderTakesEpochMillisAndClickOrImpressionOnly() {
        UserActionDecoder d = new UserActionDecoder();
        assertThat(decode(d, "{\"user\":\"alice\",\"timestamp\":1700000000000,\"action\":\"click\"}").event)
                .isEqualTo(new UserAction("alice", 1_700_000_000_000L, true));
        assertThat(decode(d, "{\"action\":\"impression\",\"timestamp\":1700000000000,\"user\":\"b\",\"x\":{}}").event)
                .isEqualTo(new UserAction("b", 1_700_000_000_000L, false));
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":1700000000000,\"action\":\"purchase\"}").rejected.reason)
                .isEqualTo("action must be click or impression, not 'purchase'");
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":\"1700000000000\",\"action\":\"click\"}").rejected.reason)
                .isEqualTo("timestamp must be epoch milliseconds (an integer), not a string");
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":1.5,\"action\":\"click\"}").rejected.reason)
                .isEqualTo("timestamp must be epoch milliseconds (an integer), not a number");
        assertThat(decode(d, "{\"user\":\"a\",\"action\":\"click\"}").rejected.reason)
                .isEqualTo("timestamp is missing");
        assertThat(decode(d, "{\"timestamp\":1700000000000,\"action\":\"click\"}").rejected.reason)
                .isEqualTo("user is missing");
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":1700000000000}").rejected.reason)
                .isEqualTo("action is missing");
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":1700000000000,\"action\":null}").rejected.reason)
                .isEqualTo("action is null");
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":1700000000000,\"action\":\"click\"}").rejected)
                .isNull();
        assertThat(decode(d, "{\"user\":\"a\",\"timestamp\":1700000000,\"action\":\"click\"}").rejected.reason)
                .as("milliseconds only: unix seconds are not read as seconds")
                .startsWith("timestamp 1700000000 ms is before 2000-01-01");
    }

    private static Decoded<UserAction> decode(UserActionDecoder d, String json) {
        return d.decode(json.getBytes(StandardCharsets.UTF_8), "test", "1");
    }
}
