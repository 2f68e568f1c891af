package io.clickflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.tables.EventTimes;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

/** The results page's event-time ranges: which one a request gets, and which it is refused. */
class ResultsQueriesTest {
    static final long FIRST = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();

    static ResultsQueries.Range resolve(String asked, Duration span) {
        return ResultsQueries.resolve(asked, EventTimes.format(FIRST), EventTimes.format(FIRST + span.toMillis()));
    }

    @Test
    void autoIsAllUnderADayOfEventTimeElseTheLastDay() {
        Duration justUnder = Duration.ofDays(1).minusMillis(1);
        assertThat(resolve("auto", justUnder))
                .isEqualTo(new ResultsQueries.Range(
                        "all", EventTimes.format(FIRST), EventTimes.format(FIRST + justUnder.toMillis())));
        ResultsQueries.Range day = resolve("auto", Duration.ofDays(3));
        assertThat(day.name()).isEqualTo("1d");
        assertThat(day.from()).isEqualTo("2024-03-03T00:00:00.000Z");
        assertThat(day.to()).isEqualTo("2024-03-04T00:00:00.000Z");
    }

    @Test
    void aRangeEndsAtTheNewestRowAndStartsNoEarlierThanTheFirst() {
        assertThat(resolve("1h", Duration.ofHours(5)).from()).isEqualTo("2024-03-01T04:00:00.000Z");
        assertThat(resolve("7d", Duration.ofHours(5)).from()).isEqualTo("2024-03-01T00:00:00.000Z");
        assertThat(resolve("all", Duration.ofDays(40)).from()).isEqualTo("2024-03-01T00:00:00.000Z");
    }

    @Test
    void onlyTheNamedRangesAreTaken() throws Exception {
        assertThat(ResultsQueries.checkRange(null)).isEqualTo("auto");
        for (String r : new String[] {"auto", "all", "15m", "1h", "6h", "1d", "7d", "30d"}) {
            assertThat(ResultsQueries.checkRange(r)).isEqualTo(r);
        }
        for (String r : new String[] {"", "ALL", "2h", "1w", "-1h", "1d;DROP TABLE x"}) {
            assertThatThrownBy(() -> ResultsQueries.checkRange(r))
                    .isInstanceOf(BadRequest.class)
                    .hasMessageStartingWith("range must be all, auto or one of 15m, 1h, 6h, 1d, 7d, 30d, not '");
        }
    }
}
