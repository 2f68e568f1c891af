package io.clickflow.attribution;

import static io.clickflow.attribution.AttributionHarness.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributedPageView;
import io.clickflow.tables.LateEvent;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

class AttributionFunctionTest {
    static final long AT_12_05 = at("12:05");
    static final long AT_12_10 = at("12:10");
    static final long AT_12_14 = at("12:14");
    static final long AT_12_15 = at("12:15");
    static final long AT_12_20 = at("12:20");
    static final long AT_12_25 = at("12:25");
    static final long AT_12_30 = at("12:30");
    static final long AT_12_35 = at("12:35");
    static final long AT_12_40 = at("12:40");
    static final long AT_12_44 = at("12:44");
    static final long AT_12_45 = at("12:45");
    static final long AT_13_10 = at("13:10");
    static final long AT_13_20 = at("13:20");
    static final long TWO_MINUTES = 2 * 60_000;
    static final long THIRTY_MINUTES = 30 * 60_000;

    /**
     * The attribution seed's sample in its send order with 2 minutes out-of-orderness, under ONE watermark for
     * both streams (max event time seen by either - 2m), as when clicks and views share one input. Then pv_4
     * (13:10) moves the watermark to 13:08 before click_5 (12:40) arrives: pv_5 is already final without it
     * (pv_5 -> none) and click_5 is reported late. A real run gives each topic partition its own watermark and
     * takes their minimum: the click stream's is still 12:33 when click_5 comes, so pv_5 gets campaign_F/click_5
     * ({@link AttributionSeedSampleITCase}, through a real broker). For the same reason click_2 is at 12:14 here: the seed's
     * 12:12 would be late under the one watermark (12:13 once pv_2 is seen), though on time in a real run.
     */
    static AttributionHarness seedScenario(EmitMode mode) throws Exception {
        AttributionHarness h = new AttributionHarness(mode);
        h.click("click_1", "user_1", "campaign_A", AT_12_05)
                .watermark(AT_12_05 - TWO_MINUTES)
                .view("pv_1", "user_1", AT_12_10)
                .watermark(AT_12_10 - TWO_MINUTES)
                .view("pv_2", "user_2", AT_12_15)
                .watermark(AT_12_15 - TWO_MINUTES)
                .click(
                        "click_2",
                        "user_2",
                        "campaign_B",
                        AT_12_14) // the seed has 12:12, late under one watermark (12:13)
                .click("click_3a", "user_3", "campaign_C", AT_12_20)
                .watermark(AT_12_20 - TWO_MINUTES)
                .click("click_3b", "user_3", "campaign_D", AT_12_25)
                .watermark(AT_12_25 - TWO_MINUTES)
                .view("pv_3", "user_3", AT_12_30)
                .watermark(AT_12_30 - TWO_MINUTES)
                .click("click_4", "user_4", "campaign_E", AT_12_35)
                .watermark(AT_12_35 - TWO_MINUTES)
                .view("pv_5", "user_5", AT_12_45)
                .watermark(AT_12_45 - TWO_MINUTES)
                .view("pv_4", "user_4", AT_13_10)
                .watermark(AT_13_10 - TWO_MINUTES)
                .click("click_5", "user_5", "campaign_F", AT_12_40) // late: the shared watermark is at 13:08
                .view("pv_6", "user_6", AT_13_20)
                .watermark(AT_13_20 - TWO_MINUTES)
                .endOfInput();
        return h;
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void seedScenarioAttributesAsDocumented(EmitMode mode) throws Exception {
        try (AttributionHarness h = seedScenario(mode)) {
            assertThat(h.finalClicks())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "pv_1",
                            "click_1",
                            "pv_2",
                            "click_2",
                            "pv_3",
                            "click_3b",
                            "pv_4",
                            "none",
                            "pv_5",
                            "none",
                            "pv_6",
                            "none"));
            Map<String, AttributedPageView> table = h.table();
            assertThat(table.get("pv_1").campaignId).isEqualTo("campaign_A");
            assertThat(table.get("pv_2").campaignId).isEqualTo("campaign_B");
            assertThat(table.get("pv_3").campaignId).isEqualTo("campaign_D");
            assertThat(table.values()).allMatch(r -> r.isFinal);
            assertThat(h.lateEvents())
                    .extracting(l -> l.stream + ":" + l.eventId)
                    .containsExactly("ad_click:click_5");
            assertThat(h.lateEvents().get(0).watermark).isEqualTo(AT_13_10 - TWO_MINUTES);
            assertNoStateLeft(h);
        }
    }

    @Test
    void onWatermarkEmitsOneFinalRowPerViewAndNothingBefore() throws Exception {
        try (AttributionHarness h = seedScenario(EmitMode.ON_WATERMARK)) {
            assertThat(h.rows()).hasSize(6).allMatch(r -> r.isFinal);
        }
        try (AttributionHarness h = new AttributionHarness(EmitMode.ON_WATERMARK)) {
            h.click("c", "u", "A", AT_12_05).view("pv", "u", AT_12_10).watermark(AT_12_10 - 1);
            assertThat(h.rows()).isEmpty();
            h.watermark(AT_12_10);
            assertThat(h.rows()).singleElement().satisfies(r -> {
                assertThat(r.isFinal).isTrue();
                assertThat(r.clickId).isEqualTo("c");
            });
        }
    }

    @Test
    void updateModeEmitsAtOnceThenImprovesThenFinalizes() throws Exception {
        try (AttributionHarness h = seedScenario(EmitMode.UPDATE)) {
            List<String> pv2 = h.rows().stream()
                    .filter(r -> r.pageViewId.equals("pv_2"))
                    .map(r -> (r.isFinal ? "final:" : "provisional:") + r.clickId)
                    .toList();
            assertThat(pv2).containsExactly("provisional:null", "provisional:click_2", "final:click_2");
            List<String> pv3 = h.rows().stream()
                    .filter(r -> r.pageViewId.equals("pv_3"))
                    .map(r -> (r.isFinal ? "final:" : "provisional:") + r.clickId)
                    .toList();
            assertThat(pv3).containsExactly("provisional:click_3b", "final:click_3b");
        }
    }

    @Test
    void updateModeNeverUpdatesAFinalRow() throws Exception {
        try (AttributionHarness h = new AttributionHarness(EmitMode.UPDATE)) {
            h.view("pv", "u", AT_12_30).watermark(AT_12_30);
            int rowsAtFinal = h.rows().size();
            h.click("late", "u", "A", AT_12_25).endOfInput();
            assertThat(h.rows()).hasSize(rowsAtFinal);
            assertThat(h.table().get("pv").clickId).isNull();
            assertThat(h.lateEvents()).extracting(l -> l.eventId).containsExactly("late");
            assertNoStateLeft(h);
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void outOfOrderClicksPickTheLatestEventTimeNotTheLatestArrival(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("newer", "u", "B", AT_12_25)
                    .click("older", "u", "A", AT_12_20)
                    .view("pv", "u", AT_12_30)
                    .click("oldest", "u", "Z", AT_12_15)
                    .endOfInput();
            assertThat(h.finalClicks()).containsExactly(Map.entry("pv", "newer"));
            assertThat(h.table().get("pv").campaignId).isEqualTo("B");
            assertNoStateLeft(h);
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aClickArrivingAfterItsViewStillAttributesIt(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.view("pv", "u", AT_12_30)
                    .watermark(AT_12_25)
                    .click("c", "u", "A", AT_12_25 + 1)
                    .endOfInput();
            assertThat(h.finalClicks()).containsExactly(Map.entry("pv", "c"));
            assertThat(h.lateEvents()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void windowBoundsAreInclusive(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("at-start", "u1", "A", AT_12_30 - THIRTY_MINUTES)
                    .view("pv1", "u1", AT_12_30)
                    .click("before-start", "u2", "A", AT_12_30 - THIRTY_MINUTES - 1)
                    .view("pv2", "u2", AT_12_30)
                    .click("same-time", "u3", "A", AT_12_30)
                    .view("pv3", "u3", AT_12_30)
                    .click("after-view", "u4", "A", AT_12_30 + 1)
                    .view("pv4", "u4", AT_12_30)
                    .endOfInput();
            assertThat(h.finalClicks())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("pv1", "at-start", "pv2", "none", "pv3", "same-time", "pv4", "none"));
            assertNoStateLeft(h);
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void tiesGoToTheGreatestClickIdWhateverTheArrivalOrder(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("click_b", "u1", "B", AT_12_20)
                    .click("click_a", "u1", "A", AT_12_20)
                    .view("pv1", "u1", AT_12_30)
                    .click("click_a", "u2", "A", AT_12_20)
                    .view("pv2", "u2", AT_12_30)
                    .click("click_b", "u2", "B", AT_12_20)
                    .endOfInput();
            assertThat(h.finalClicks()).containsExactlyInAnyOrderEntriesOf(Map.of("pv1", "click_b", "pv2", "click_b"));
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void duplicatesChangeNothing(EmitMode mode) throws Exception {
        List<AttributedPageView> once;
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("c1", "u", "A", AT_12_20)
                    .view("pv", "u", AT_12_30)
                    .click("c2", "u", "B", AT_12_25)
                    .endOfInput();
            once = h.rows();
        }
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("c1", "u", "A", AT_12_20)
                    .click("c1", "u", "A", AT_12_20)
                    .view("pv", "u", AT_12_30)
                    .view("pv", "u", AT_12_30)
                    .click("c2", "u", "B", AT_12_25)
                    .click("c1", "u", "A", AT_12_20)
                    .click("c2", "u", "B", AT_12_25)
                    .endOfInput();
            assertThat(h.rows()).isEqualTo(once);
            assertNoStateLeft(h);
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aLateViewIsAttributedFromHeldClicksAndFinalAtOnce(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("c", "u", "A", AT_12_20)
                    .click("other", "x", "B", AT_12_35)
                    .watermark(AT_12_35)
                    .view("late-pv", "u", AT_12_25);
            assertThat(h.rows()).singleElement().satisfies(r -> {
                assertThat(r.isFinal).isTrue();
                assertThat(r.clickId).isEqualTo("c");
            });
            assertThat(h.lateEvents())
                    .singleElement()
                    .isEqualTo(new LateEvent(LateEvent.PAGE_VIEW, "late-pv", "u", AT_12_25, AT_12_35));
            h.endOfInput();
            assertNoStateLeft(h);
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aLateClickStillServesViewsThatAreNotFinal(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.view("pv", "u", AT_12_30)
                    .watermark(AT_12_20)
                    .click("late-click", "u", "A", AT_12_15)
                    .endOfInput();
            assertThat(h.finalClicks()).containsExactly(Map.entry("pv", "late-click"));
            assertThat(h.lateEvents()).extracting(l -> l.eventId).containsExactly("late-click");
            assertNoStateLeft(h);
        }
    }

    @Test
    void aClickTooLateForAnyOpenViewIsNotHeld() throws Exception {
        try (AttributionHarness h = new AttributionHarness(EmitMode.ON_WATERMARK)) {
            h.watermark(AT_13_10).click("ancient", "u", "A", AT_12_05);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.timers()).isZero();
            assertThat(h.lateEvents()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void stateOfAUserWhoseTrafficStopsReturnsToZeroWhileOthersGoOn(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("c1", "quiet", "A", AT_12_05).view("pv1", "quiet", AT_12_10).click("c2", "quiet", "B", AT_12_10);
            assertThat(h.stateEntries()).isPositive();
            // Another user's traffic moves the watermark past every timer of the quiet user.
            h.click("busy-1", "busy", "A", AT_12_44).watermark(AT_12_10 + THIRTY_MINUTES);
            assertThat(h.finalClicks()).containsEntry("pv1", "c2");
            h.view("busy-pv", "busy", AT_13_20).watermark(AT_13_20);
            assertNoStateLeft(h);
        }
    }

    @Test
    void onlyTheBestClickTheWatermarkHasPassedIsHeld() throws Exception {
        try (AttributionHarness h = new AttributionHarness(EmitMode.ON_WATERMARK)) {
            long t = AT_12_05;
            for (int i = 0; i < 100; i++, t += 10_000) {
                h.click("c" + i, "u", "A", t).watermark(t - 5_000);
            }
            // The clicks the watermark has not passed and one settled click; not 100.
            UserAttributionState state = h.userState("u");
            assertThat(state.recentClicks).extracting(c -> c.clickId).containsExactly("c99");
            assertThat(state.settledClick.clickId).isEqualTo("c98");
            h.view("pv", "u", t).endOfInput();
            assertThat(h.finalClicks()).containsExactly(Map.entry("pv", "c99"));
            assertNoStateLeft(h);
        }
    }

    @Test
    void aLateViewOlderThanTheBestSettledClickOnlySeesHeldClicks() throws Exception {
        try (AttributionHarness h = new AttributionHarness(EmitMode.ON_WATERMARK)) {
            // c-old is dominated once the watermark passes c-new: no future on-time view can use it.
            h.click("c-old", "u", "A", at("12:00"))
                    .click("c-new", "u", "B", AT_12_20)
                    .watermark(AT_12_25)
                    .view("late-pv", "u", AT_12_10);
            assertThat(h.finalClicks()).containsExactly(Map.entry("late-pv", "none"));
            assertThat(h.lateEvents()).extracting(l -> l.eventId).containsExactly("late-pv");
        }
    }

    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void pendingViewAndHeldClickGaugesFollowStateAndSurviveARestore(EmitMode mode) throws Exception {
        OperatorSubtaskState snapshot;
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("c1", "u1", "A", AT_12_05)
                    .click("c2", "u1", "B", AT_12_10)
                    .click("c3", "u2", "A", AT_12_10)
                    .view("pv1", "u1", AT_12_20)
                    .view("pv2", "u2", AT_12_20)
                    .view("pv3", "u2", AT_12_44)
                    .click("c2", "u1", "B", AT_12_10)
                    .view("pv1", "u1", AT_12_20); // duplicates change nothing
            assertThat(h.function.pendingPageViews()).isEqualTo(3);
            assertThat(h.function.clicksHeld()).isEqualTo(3);
            // c1 and c2 settle: only the better one (c2) is held for u1.
            h.watermark(AT_12_10);
            assertThat(h.function.clicksHeld()).isEqualTo(2);
            h.watermark(AT_12_20);
            assertThat(h.function.pendingPageViews()).isEqualTo(1);
            snapshot = h.snapshot();
        }
        try (AttributionHarness restored = AttributionHarness.restore(mode, snapshot)) {
            assertThat(restored.function.pendingPageViews()).isEqualTo(1);
            assertThat(restored.function.clicksHeld()).isEqualTo(2);
            restored.endOfInput();
            assertThat(restored.function.pendingPageViews()).isZero();
            assertThat(restored.function.clicksHeld()).isZero();
            assertNoStateLeft(restored);
        }
    }

    /**
     * One timer per user at the earliest time anything of it is due, not one per click and view: a user with many
     * clicks and views in flight holds one timer, and a watermark past several due times does them in one firing.
     */
    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aUserHoldsOneTimerHoweverManyEventsAreInFlight(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.watermark(AT_12_05);
            for (int i = 0; i < 20; i++) {
                h.click("c" + i, "u1", "camp", AT_12_10 + i * 1000L).view("pv" + i, "u1", AT_12_10 + i * 1000L + 500);
            }
            assertThat(h.timers())
                    .as("timers of a user with 20 clicks and 20 views pending")
                    .isEqualTo(1);
            h.watermark(AT_12_14);
            assertThat(h.finalClicks()).hasSize(20).containsEntry("pv0", "c0").containsEntry("pv19", "c19");
            assertThat(h.eventTimeTimers())
                    .as("event-time timers once all settled")
                    .isZero();
            assertThat(h.timers()).as("the settled click's cleanup timer").isEqualTo(1);
            h.endOfInput();
            assertNoStateLeft(h);
        }
    }

    /**
     * A user who clicks now and then, each click settling before the next: each new settled click replaces the
     * previous one, and the user keeps ONE cleanup timer (processing time) for whichever is settled, no event-time
     * timer for an expiry half an hour out. Such timers, one per recently clicking user (or one per click), would
     * make the event-time queue many times deeper than the traffic in flight.
     */
    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void aClickingUserHoldsOneCleanupTimerAndNoExpiryTimer(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            for (int i = 0; i < 10; i++) {
                long t = AT_12_05 + i * TWO_MINUTES;
                h.click("c" + i, "u1", "camp", t).view("pv" + i, "u1", t + 1000).watermark(t + 2000);
                assertThat(h.eventTimeTimers())
                        .as("event-time timers after click %d settled", i)
                        .isZero();
                assertThat(h.timers()).as("timers after click %d settled", i).isEqualTo(1);
            }
            // A late click newer than the settled one replaces it too.
            h.click("late", "u1", "camp", AT_12_05 + 9 * TWO_MINUTES + 1500);
            assertThat(h.timers())
                    .as("timers after a late click replaced the settled one")
                    .isEqualTo(1);
            h.view("pv-last", "u1", AT_12_45).endOfInput();
            assertThat(h.finalClicks()).containsEntry("pv9", "c9").containsEntry("pv-last", "late");
            assertNoStateLeft(h);
        }
    }

    /**
     * The settled click's expiry is exact without a timer at it: once the watermark passes click + window the click
     * is gone for every rule (a late view inside its window gets no click, a repeat of it is a late click, not a
     * duplicate), even though its cleanup timer has not fired.
     */
    @ParameterizedTest
    @EnumSource(EmitMode.class)
    void anExpiredSettledClickIsGoneBeforeItsCleanupTimerFires(EmitMode mode) throws Exception {
        try (AttributionHarness h = new AttributionHarness(mode)) {
            h.click("c", "u", "A", AT_12_05).watermark(AT_12_10);
            h.view("pv-in-window", "u", AT_12_30).watermark(AT_12_30).watermark(AT_12_35 + 1);
            assertThat(h.userState("u").settledClick)
                    .as("held until the cleanup timer")
                    .isNotNull();
            h.view("late-after-expiry", "u", AT_12_20).click("c", "u", "A", AT_12_05);
            assertThat(h.finalClicks()).containsEntry("pv-in-window", "c").containsEntry("late-after-expiry", "none");
            assertThat(h.lateEvents()).extracting(e -> e.eventId).containsExactly("late-after-expiry", "c");
            // The first event that saw the click expired removed it, and with it the user's state and cleanup timer.
            assertNoStateLeft(h);
        }
    }

    /**
     * A cleanup timer that fires before the watermark reaches the click's expiry (event time slower than processing
     * time, or stopped) keeps the click and looks again later, when the event time left has passed as processing
     * time; the click still serves views in its window.
     */
    @Test
    void aCleanupTimerBeforeTheExpiryKeepsTheClickAndLooksAgain() throws Exception {
        try (AttributionHarness h = new AttributionHarness(EmitMode.ON_WATERMARK)) {
            h.processingTime(0).click("c", "u", "A", AT_12_05).watermark(AT_12_10);
            h.processingTime(AttributionFunction.CLEANUP_MAX_DELAY_MILLIS * 3);
            assertThat(h.userState("u").settledClick).isNotNull();
            assertThat(h.timers()).as("the cleanup timer again").isEqualTo(1);
            h.view("pv", "u", AT_12_30).watermark(AT_12_30);
            assertThat(h.finalClicks()).containsEntry("pv", "c");
            long lookedAgainAfterTheTimeLeft = AttributionFunction.CLEANUP_MAX_DELAY_MILLIS * 3 + THIRTY_MINUTES;
            h.watermark(AT_12_35).processingTime(lookedAgainAfterTheTimeLeft);
            assertNoStateLeft(h);
        }
    }

    /** Cleanup timers wait the event time left, as processing time, within bounds, rounded up to whole granules. */
    @Test
    void cleanupTimesAreBoundedAndRounded() {
        AttributionFunction f = new AttributionFunction(AttributionHarness.THIRTY_MINUTES, EmitMode.ON_WATERMARK);
        AdClick click = new AdClick("c", "u", "A", AT_12_05);
        long granule = AttributionFunction.CLEANUP_GRANULARITY_MILLIS;
        long now = 10 * granule + 1234;
        assertThat(f.cleanupTime(click, AT_12_05 + THIRTY_MINUTES - 1000, now))
                .as("a second left: one granule, rounded up")
                .isEqualTo(12 * granule);
        assertThat(f.cleanupTime(click, AT_12_05 + THIRTY_MINUTES + 1000, now))
                .as("already expired: one granule")
                .isEqualTo(12 * granule);
        assertThat(f.cleanupTime(click, AT_12_05, now))
                .as("thirty minutes left: the longest wait")
                .isEqualTo(now - 1234 + AttributionFunction.CLEANUP_MAX_DELAY_MILLIS + granule);
        assertThat(f.cleanupTime(click, Long.MIN_VALUE, now))
                .as("no watermark yet")
                .isEqualTo(f.cleanupTime(click, AT_12_05, now));
    }

    /**
     * Once the subtask has measured how fast its watermark advances, a cleanup timer waits for when the watermark
     * should reach the expiry: a replay's faster event time shortens the wait, and a day's window at real-time pace
     * is looked at after the day, not every few minutes; a watermark slower than real time counts as real time.
     */
    @Test
    void cleanupTimesFollowTheWatermarksMeasuredPace() {
        long granule = AttributionFunction.CLEANUP_GRANULARITY_MILLIS;
        long day = Duration.ofDays(1).toMillis();
        long start = 10 * granule;
        long measured = start + WatermarkPace.MIN_SPAN_MILLIS;
        AdClick click = new AdClick("c", "u", "A", AT_12_05);

        AttributionFunction realTime = new AttributionFunction(Duration.ofDays(1), EmitMode.ON_WATERMARK);
        realTime.cleanupTime(click, AT_12_05, start);
        assertThat(realTime.cleanupTime(click, AT_12_05 + WatermarkPace.MIN_SPAN_MILLIS, measured))
                .as("a day's window at real-time pace: after the day left, not after a few minutes")
                .isEqualTo(start + day + granule);

        AttributionFunction replay = new AttributionFunction(Duration.ofDays(1), EmitMode.ON_WATERMARK);
        replay.cleanupTime(click, AT_12_05, start);
        long sixtyTimesFaster = 60 * WatermarkPace.MIN_SPAN_MILLIS;
        long aSixtiethOfTheTimeLeft = measured + (day - sixtyTimesFaster) / 60;
        assertThat(replay.cleanupTime(click, AT_12_05 + sixtyTimesFaster, measured))
                .as("event time sixty times faster: a sixtieth of the event time left")
                .isEqualTo(aSixtiethOfTheTimeLeft - aSixtiethOfTheTimeLeft % granule + granule);

        AttributionFunction stalled = new AttributionFunction(Duration.ofDays(1), EmitMode.ON_WATERMARK);
        stalled.cleanupTime(click, AT_12_05, start);
        assertThat(stalled.cleanupTime(click, AT_12_05, measured))
                .as("a watermark that stands still: the event time left as processing time")
                .isEqualTo(start + day + granule);
    }

    private static void assertNoStateLeft(AttributionHarness h) {
        assertThat(h.stateEntries()).as("keyed state entries").isZero();
        assertThat(h.timers()).as("event-time and cleanup timers").isZero();
        assertThat(h.function.pendingPageViews()).as("pendingPageViews gauge").isZero();
        assertThat(h.function.clicksHeld()).as("clicksHeld gauge").isZero();
    }
}
