package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.analytics.UserAction;
import io.clickflow.analytics.UserActionDecoder;
import io.clickflow.tables.AnalyticsTables;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The analytics bench's input reads as the job reads it, and its expected counts are the events' own. */
class AnalyticsInputTest {
    private static final int RECORDS = 20_000;

    @Test
    void retriesFollowTheirEventAndEveryHourIsCountedOnce() {
        AnalyticsInput input = new AnalyticsInput(new AnalyticsInput.Shape(RECORDS, 500, 3, 0.1, 0.5, 0.2));
        UserActionDecoder decoder = new UserActionDecoder();
        List<UserAction> read = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            byte[] json = AnalyticsInput.json(input.next()).getBytes(StandardCharsets.UTF_8);
            UserAction e = decoder.decode(json, "test", Integer.toString(i)).event;
            assertThat(e).as("record %d decodes", i).isNotNull();
            read.add(e);
        }
        long retries = 0;
        Set<String> keys = new HashSet<>();
        long clicks = 0;
        for (int i = 0; i < read.size(); i++) {
            UserAction e = read.get(i);
            if (e.id != null && !keys.add(e.id)) {
                assertThat(e).as("a retry is its event again, right after it").isEqualTo(read.get(i - 1));
                retries++;
                continue;
            }
            clicks += e.click ? 1 : 0;
        }
        assertThat(retries).as("about 50%% keyed x 20%% retried").isBetween(RECORDS / 20L, RECORDS / 7L);
        assertThat(input.retries()).isEqualTo(retries);
        long expectedClicks =
                input.expected().values().stream().mapToLong(h -> h.get(1)).sum();
        assertThat(expectedClicks).as("the expected counts count a retry once").isEqualTo(clicks);
        assertThat(input.expected().keySet())
                .as("3 hours of clock, and historic events up to 3 hours before the first")
                .hasSize(6)
                .first()
                .isEqualTo(AnalyticsTables.hourKey(AnalyticsInput.START - 3 * AnalyticsTables.HOUR_MILLIS));
        assertThat(input.historic.values().stream().mapToLong(Long::longValue).sum())
                .as("about 10%% historic")
                .isBetween(RECORDS / 15L, RECORDS / 7L);
    }

    @Test
    void theSameShapeMakesTheSameInput() {
        AnalyticsInput.Shape shape = new AnalyticsInput.Shape(1_000, 100, 1, 0.05, 0.05, 0.01);
        AnalyticsInput a = new AnalyticsInput(shape);
        AnalyticsInput b = new AnalyticsInput(shape);
        for (int i = 0; i < 1_000; i++) {
            assertThat(AnalyticsInput.json(a.next())).isEqualTo(AnalyticsInput.json(b.next()));
        }
    }
}
