package io.clickflow.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.UsageException;
import io.clickflow.counting.CountMode;
import io.clickflow.counting.CountingSettings;
import io.clickflow.counting.ShardCount;
import io.clickflow.counting.WindowedUser;
import io.clickflow.decode.Decoded;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AnalyticsEvent;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The optional id in the events' JSON, and the per-shard de-duplication of events by idempotency key in a keyed harness: repeats within the dedup window
 * are dropped, a key is forgotten after it (processing time, the state's TTL), and all id state and timers go
 * with the hour's cleanup.
 */
class RetryDedupTest {
    static final long AT_08_10 = Instant.parse("2024-01-01T08:10:00Z").toEpochMilli();
    static final long END_OF_HOUR_08 = Instant.parse("2024-01-01T09:00:00Z").toEpochMilli() - 1;
    static final Duration LATENESS = Duration.ofMinutes(5);
    static final Duration DEDUP_WINDOW = Duration.ofMinutes(1);

    final CountingSettings counting =
            AnalyticsWorkflow.counting(CountMode.EXACT, 12, EmitMode.ON_WATERMARK, Duration.ofSeconds(1), LATENESS);

    KeyedOneInputStreamOperatorTestHarness<Long, WindowedUser, ShardCount> harness(
            CountingSettings counting, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new HourlyShardCounts(counting, DEDUP_WINDOW)),
                (WindowedUser u) -> u.shardKey,
                Types.LONG);
        h.initializeState(restore);
        h.open();
        return h;
    }

    void send(KeyedOneInputStreamOperatorTestHarness<Long, WindowedUser, ShardCount> h, UserAction e) throws Exception {
        h.processElement(AssignHours.assign(counting.windows(), e), e.eventTime);
    }

    /** Users, clicks and impressions summed over the shard counts emitted so far. */
    static long[] totals(KeyedOneInputStreamOperatorTestHarness<Long, WindowedUser, ShardCount> h) {
        long[] t = new long[3];
        for (ShardCount c : h.extractOutputValues()) {
            t[0] += c.users;
            t[1] += c.counters[AssignHours.CLICKS];
            t[2] += c.counters[AssignHours.IMPRESSIONS];
        }
        return t;
    }

    @ParameterizedTest
    @EnumSource(CountMode.class)
    void repeatsWithinTheWindowAreDroppedAndKeysExpire(CountMode mode) throws Exception {
        CountingSettings counting =
                AnalyticsWorkflow.counting(mode, 12, EmitMode.ON_WATERMARK, Duration.ofSeconds(1), LATENESS);
        try (var h = harness(counting, null)) {
            h.setStateTtlProcessingTime(0);
            send(h, new UserAction("alice", AT_08_10, true, "k1"));
            send(h, new UserAction("alice", AT_08_10, true, "k1")); // a retry: dropped
            h.setStateTtlProcessingTime(DEDUP_WINDOW.toMillis() - 1);
            send(h, new UserAction("alice", AT_08_10, true, "k1")); // still within the window: dropped
            send(h, new UserAction("alice", AT_08_10, true, "k2"));
            send(h, new UserAction("bob", AT_08_10, false, null)); // keyless: always counted
            send(h, new UserAction("bob", AT_08_10, false, null));
            send(h, new UserAction("carol", AT_08_10, false, "only-repeats"));
            send(h, new UserAction("carol", AT_08_10, false, "only-repeats"));

            // k1 was first seen at 0: at the window's end its state has expired, so a send counts again.
            h.setStateTtlProcessingTime(DEDUP_WINDOW.toMillis());
            send(h, new UserAction("alice", AT_08_10, true, "k1"));
            send(h, new UserAction("alice", AT_08_10, true, "k1")); // and is remembered again from now

            h.processWatermark(END_OF_HOUR_08);
            assertThat(totals(h)).containsExactly(3, 3, 3);

            h.processWatermark(END_OF_HOUR_08 + LATENESS.toMillis());
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    static Decoded<UserAction> decode(String json) {
        return new UserActionDecoder().decode(json.getBytes(StandardCharsets.UTF_8), "test", "0");
    }

    @Test
    void theDecoderReadsTheOptionalId() {
        long t = 1_700_000_000_000L;
        assertThat(AnalyticsEvent.json("a", t, true))
                .as("keyless POSTs write today's bytes")
                .isEqualTo("{\"user\":\"a\",\"timestamp\":1700000000000,\"action\":\"click\"}");
        assertThat(AnalyticsEvent.json("a", t, true, null)).isEqualTo(AnalyticsEvent.json("a", t, true));
        assertThat(decode(AnalyticsEvent.json("a\"", t, false, "k\"1\\")).event)
                .isEqualTo(new UserAction("a\"", t, false, "k\"1\\"));
        assertThat(decode(AnalyticsEvent.json("a", t, true)).event.id).isNull();
        assertThat(decode("{\"user\":\"a\",\"timestamp\":1700000000000,\"action\":\"click\",\"id\":null}").event)
                .isEqualTo(new UserAction("a", t, true));
        assertThat(decode("{\"user\":\"a\",\"timestamp\":1700000000000,\"action\":\"click\",\"id\":7}").rejected.reason)
                .isEqualTo("id must be a string, not a number");
    }

    @Test
    void theDedupWindowOption() {
        assertThat(AnalyticsCommand.parse().settings.dedupWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(AnalyticsCommand.parse("--dedup-window", "90m").settings.dedupWindow())
                .isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> AnalyticsCommand.parse("--dedup-window", "0"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--dedup-window must be positive, not 0");
    }

    @Test
    void theIdsSurviveARestoreFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(counting, null)) {
            h.setStateTtlProcessingTime(0);
            send(h, new UserAction("alice", AT_08_10, true, "k1"));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(counting, snapshot)) {
            h.setStateTtlProcessingTime(1);
            send(h, new UserAction("alice", AT_08_10, true, "k1")); // the retry after a crash and --resume
            send(h, new UserAction("alice", AT_08_10, false, "k2"));
            h.processWatermark(END_OF_HOUR_08);
            assertThat(totals(h)).containsExactly(1, 1, 1);
        }
    }

    @Test
    void idsAreCountedPerShardKeyOnly() throws Exception {
        try (var h = harness(counting, null)) {
            h.setStateTtlProcessingTime(0);
            // A key reused for another hour is another request as far as a shard can tell: both count.
            send(h, new UserAction("alice", AT_08_10, true, "k1"));
            send(h, new UserAction("alice", AT_08_10 + Duration.ofHours(1).toMillis(), true, "k1"));
            h.processWatermark(END_OF_HOUR_08 + Duration.ofHours(1).toMillis());
            assertThat(totals(h)).containsExactly(2, 2, 0);
        }
    }
}
