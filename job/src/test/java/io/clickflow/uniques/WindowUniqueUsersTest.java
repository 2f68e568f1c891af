package io.clickflow.uniques;

import static io.clickflow.uniques.UniquesHarness.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.counting.CountMode;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.UniqueUsers;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Both stages of the unique-user count, through keyed harnesses: counts, finality, updates, corrections, lateness. */
class WindowUniqueUsersTest {
    static final long AT_12_00_10 = at("12:00:10");
    static final long AT_12_00_20 = at("12:00:20");
    static final long AT_12_00_30 = at("12:00:30");
    static final long AT_12_00_50 = at("12:00:50");
    static final long AT_12_01_05 = at("12:01:05");
    static final long AT_12_01_30 = at("12:01:30");
    static final long END_OF_12_00 = at("12:01:00") - 1;
    static final long END_OF_12_01 = at("12:02:00") - 1;
    static final long END_OF_HOUR_12 = at("13:00:00") - 1;
    static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    static final Duration ONE_HOUR = Duration.ofHours(1);
    static final Duration ONE_SECOND = Duration.ofSeconds(1);
    static final Duration NO_LATENESS = Duration.ZERO;

    /** u1 twice and u2 in 12:00, u3 in 12:01. */
    static UniquesHarness twoMinutes(CountMode count, EmitMode emit, Duration lateness, Duration... sizes)
            throws Exception {
        UniquesHarness h = new UniquesHarness(count, emit, ONE_SECOND, lateness, sizes);
        return h.frame("u1", AT_12_00_10)
                .frame("u2", AT_12_00_20)
                .frame("u1", AT_12_00_50)
                .frame("u3", AT_12_01_05);
    }

    @ParameterizedTest
    @EnumSource(CountMode.class)
    void onWatermarkEmitsOneFinalCountPerWindowWhenTheWatermarkReachesItsEnd(CountMode count) throws Exception {
        try (UniquesHarness h = twoMinutes(count, EmitMode.ON_WATERMARK, NO_LATENESS, ONE_MINUTE, ONE_HOUR)) {
            h.watermark(END_OF_12_00 - 1);
            assertThat(h.rows()).isEmpty();
            h.watermark(END_OF_12_00);
            assertThat(h.newRows())
                    .extracting(r -> r.windowSeconds + ":" + r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("60:2:true");
            h.watermark(END_OF_12_01);
            assertThat(h.newRows())
                    .extracting(r -> r.windowSeconds + ":" + r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("60:1:true");
            h.watermark(END_OF_HOUR_12);
            UniqueUsers hour = h.newRows().get(0);
            assertThat(hour.windowSeconds).isEqualTo(3600);
            assertThat(hour.uniqueUsers).isEqualTo(3);
            assertThat(hour.windowStart).isEqualTo(at("12:00:00"));
            assertThat(hour.windowEnd).isEqualTo(at("13:00:00"));
            assertThat(hour.lowerBound).isLessThanOrEqualTo(3);
            assertThat(hour.upperBound).isGreaterThanOrEqualTo(3);
            h.endOfInput();
            assertThat(h.rows()).hasSize(3).allMatch(r -> r.isFinal);
            assertNothingLeft(h);
        }
    }

    @Test
    void exactCountsHaveNoErrorBounds() throws Exception {
        try (UniquesHarness h = twoMinutes(CountMode.EXACT, EmitMode.ON_WATERMARK, NO_LATENESS, ONE_MINUTE)
                .endOfInput()) {
            assertThat(h.rows()).allMatch(r -> r.lowerBound == r.uniqueUsers && r.upperBound == r.uniqueUsers);
        }
    }

    @ParameterizedTest
    @EnumSource(CountMode.class)
    void updateModeRefreshesProvisionalCountsAtMostEveryIntervalThenFinal(CountMode count) throws Exception {
        try (UniquesHarness h = new UniquesHarness(count, EmitMode.UPDATE, ONE_SECOND, NO_LATENESS, ONE_MINUTE)) {
            h.processingTime(0).frame("u1", AT_12_00_10).frame("u2", AT_12_00_20);
            assertThat(h.newRows()).isEmpty();
            h.processingTime(999);
            assertThat(h.newRows()).isEmpty();
            // Stage 1 sends its shards' counts after one interval, stage 2 its total one interval after that.
            h.processingTime(1000).processingTime(2000);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("2:false");
            h.frame("u1", AT_12_00_50).processingTime(3000).processingTime(4000);
            assertThat(h.newRows())
                    .as("a frame of a user already counted changes nothing")
                    .isEmpty();
            h.frame("u3", AT_12_00_30).processingTime(5000).processingTime(6000);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("3:false");
            h.watermark(END_OF_12_00);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("3:true");
            h.endOfInput();
            assertThat(h.newRows()).isEmpty();
            assertNothingLeft(h);
        }
    }

    @Test
    void updateModeFinalCountIncludesFramesNotYetSentAsProvisional() throws Exception {
        try (UniquesHarness h =
                new UniquesHarness(CountMode.EXACT, EmitMode.UPDATE, ONE_SECOND, NO_LATENESS, ONE_MINUTE)) {
            h.processingTime(0)
                    .frame("u1", AT_12_00_10)
                    .frame("u2", AT_12_00_20)
                    .watermark(END_OF_12_00);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("2:true");
            h.endOfInput();
            assertThat(h.newRows()).as("no provisional row after the final one").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(CountMode.class)
    void aFrameWithinTheAllowedLatenessCorrectsTheFinalCount(CountMode count) throws Exception {
        try (UniquesHarness h = twoMinutes(count, EmitMode.ON_WATERMARK, ONE_MINUTE, ONE_MINUTE)) {
            h.watermark(END_OF_12_00);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("2:true");
            h.watermark(AT_12_01_30).frame("u4", AT_12_00_30);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("3:true");
            h.frame("u1", AT_12_00_30);
            assertThat(h.newRows())
                    .as("a late frame of a counted user corrects nothing")
                    .isEmpty();
            assertThat(h.lateFrames()).isEmpty();
            // 12:00 + 1m + 1m lateness: the window's state is gone, a frame for it only goes to late_events.
            h.watermark(END_OF_12_00 + ONE_MINUTE.toMillis());
            assertThat(h.newRows())
                    .as("12:01 is final at the same watermark")
                    .extracting(r -> r.windowStart)
                    .containsExactly(at("12:01:00"));
            h.frame("u5", AT_12_00_30);
            assertThat(h.newRows()).isEmpty();
            assertThat(h.lateFrames()).singleElement().satisfies(late -> {
                assertThat(late.stream).isEqualTo("frame");
                assertThat(late.eventId).isEqualTo("1m window: u5@2024-01-01T12:00:30.000Z");
                assertThat(late.userId).isEqualTo("u5");
                assertThat(late.watermark).isEqualTo(END_OF_12_00 + ONE_MINUTE.toMillis());
            });
            h.endOfInput();
            assertThat(h.table().get("60s@12:00:00").uniqueUsers).isEqualTo(3);
            assertThat(h.table().get("60s@12:01:00").uniqueUsers).isEqualTo(1);
            assertNothingLeft(h);
        }
    }

    @Test
    void aLateFrameOfAWindowWithoutCountsYetStillGetsAFinalRow() throws Exception {
        try (UniquesHarness h =
                new UniquesHarness(CountMode.EXACT, EmitMode.ON_WATERMARK, ONE_SECOND, ONE_MINUTE, ONE_MINUTE)) {
            h.watermark(AT_12_01_30).frame("u1", AT_12_00_30);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("1:true");
            h.endOfInput();
            assertThat(h.newRows())
                    .as("its final timer was in the past: not registered, no second row")
                    .isEmpty();
            assertNothingLeft(h);
        }
    }

    @Test
    void withoutAllowedLatenessAFrameOfAClosedWindowIsOnlyReported() throws Exception {
        try (UniquesHarness h = twoMinutes(CountMode.EXACT, EmitMode.ON_WATERMARK, NO_LATENESS, ONE_MINUTE)) {
            h.watermark(END_OF_12_00).frame("u9", AT_12_00_50).endOfInput();
            assertThat(h.table().get("60s@12:00:00").uniqueUsers).isEqualTo(2);
            assertThat(h.lateFrames()).extracting(l -> l.userId).containsExactly("u9");
        }
    }

    @Test
    void usersAreSplitOverShardsAndTheShardsAddUp() throws Exception {
        try (UniquesHarness h =
                new UniquesHarness(CountMode.EXACT, EmitMode.ON_WATERMARK, ONE_SECOND, NO_LATENESS, ONE_MINUTE)) {
            for (int i = 0; i < 1000; i++) {
                h.frame("user-" + i, AT_12_00_10 + i).frame("user-" + (i / 2), AT_12_00_30);
            }
            h.endOfInput();
            assertThat(h.shardCounts().stream().map(c -> c.shard).distinct().count())
                    .isGreaterThan(100);
            assertThat(h.rows()).singleElement().extracting(r -> r.uniqueUsers).isEqualTo(1000L);
            assertNothingLeft(h);
        }
    }

    @Test
    void windowsAreAlignedToUtc() throws Exception {
        try (UniquesHarness h = new UniquesHarness(
                CountMode.EXACT,
                EmitMode.ON_WATERMARK,
                ONE_SECOND,
                NO_LATENESS,
                ONE_MINUTE,
                ONE_HOUR,
                Duration.ofDays(1))) {
            h.frame("u1", at("23:59:59")).endOfInput();
            List<String> windows = h.rows().stream()
                    .map(r -> Instant.ofEpochMilli(r.windowStart) + "/" + Instant.ofEpochMilli(r.windowEnd))
                    .toList();
            assertThat(windows)
                    .containsExactly(
                            "2024-01-01T23:59:00Z/2024-01-02T00:00:00Z",
                            "2024-01-01T23:00:00Z/2024-01-02T00:00:00Z",
                            "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z");
        }
    }

    @ParameterizedTest(name = "lateness {0} -> {1}")
    @CsvSource({"0, 60", "60, 120", "120, 0"})
    void aResumedRunWithAnotherAllowedLatenessStillCleansUp(int beforeSeconds, int afterSeconds) throws Exception {
        Duration before = Duration.ofSeconds(beforeSeconds);
        Duration after = Duration.ofSeconds(afterSeconds);
        OperatorSubtaskState[] snapshot;
        try (UniquesHarness h = twoMinutes(CountMode.EXACT, EmitMode.ON_WATERMARK, before, ONE_MINUTE)) {
            snapshot = h.snapshot();
        }
        try (UniquesHarness h =
                UniquesHarness.restore(snapshot, CountMode.EXACT, EmitMode.UPDATE, ONE_SECOND, after, ONE_MINUTE)) {
            h.watermark(END_OF_12_00);
            assertThat(h.newRows())
                    .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                    .containsExactly("2:true");
            if (after.isZero()) {
                h.frame("u7", AT_12_00_30);
                assertThat(h.lateFrames()).extracting(l -> l.userId).containsExactly("u7");
            } else {
                h.watermark(END_OF_12_00 + after.toMillis() - 1).frame("u7", AT_12_00_30);
                assertThat(h.newRows())
                        .as("within this run's lateness: corrected")
                        .filteredOn(r -> r.windowStart == at("12:00:00"))
                        .extracting(r -> r.uniqueUsers + ":" + r.isFinal)
                        .containsExactly("3:true");
            }
            h.endOfInput();
            assertThat(h.table().get("60s@12:00:00").uniqueUsers).isEqualTo(after.isZero() ? 2 : 3);
            assertNothingLeft(h);
        }
    }

    static void assertNothingLeft(UniquesHarness h) {
        assertThat(h.stateEntries()).as("keyed state left").isZero();
        assertThat(h.timers()).as("timers left").isZero();
    }
}
