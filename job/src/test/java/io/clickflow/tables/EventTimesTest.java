package io.clickflow.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

/** Proves that {@link EventTimes} accepts every documented time form and rejects the rest with a short reason. */
class EventTimesTest {
    private static final long T = Instant.parse("2024-01-01T12:10:00Z").toEpochMilli();

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2024-01-01T12:10:00Z             | 0",
                "2024-01-01T12:10:00.123Z         | 123",
                "2024-01-01T12:10:00.5Z           | 500",
                "2024-01-01T12:10:00.123456789Z   | 123",
                "2024-01-01T14:10:00+02:00        | 0",
                "2024-01-01T10:10:00.250-02:00    | 250",
                "2024-01-01T12:10:00+00:00        | 0",
                "2024-01-01T12:10:00              | 0",
                "2024-01-01T12:10:00.007          | 7",
                "2024-01-01T12:10Z                | 0",
                "2024-01-01T12:10                 | 0",
                "2024-01-01t12:10:00z             | 0",
                "2024-01-01T13:10:00+01:00[Europe/Paris] | 0",
                "1704111000000                    | 0",
                "1704111000123                    | 123",
                "001704111000000                  | 0",
            })
    void acceptsIsoAndEpochMillis(String text, long extraMillis) {
        assertThat(EventTimes.parse(text)).isEqualTo(T + extraMillis);
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(EventTimes.parse("  2024-01-01T12:10:00Z\t")).isEqualTo(T);
        assertThat(EventTimes.parse(" 1704111000000 ")).isEqualTo(T);
    }

    @Test
    void zoneRegionWithoutOffsetIsRejectedNotReadAsUtc() {
        // Reading 13:10 Paris time as 13:10Z would be an hour off; the offset is required before a region.
        assertRejected("2024-01-01T13:10:00[Europe/Paris]", "is neither ISO-8601 nor epoch milliseconds");
        assertThat(EventTimes.parse("2024-07-01T14:10:00+02:00[Europe/Paris]"))
                .isEqualTo(Instant.parse("2024-07-01T12:10:00Z").toEpochMilli());
    }

    @Test
    void boundsAreInclusive() {
        assertThat(EventTimes.parse("2000-01-01T00:00:00Z")).isEqualTo(EventTimes.MIN_EVENT_TIME);
        assertThat(EventTimes.checkRange(EventTimes.MIN_EVENT_TIME)).isEqualTo(EventTimes.MIN_EVENT_TIME);
        // The clock only moves forward between here and the check, so the limit computed now is still allowed.
        long limit = System.currentTimeMillis() + EventTimes.MAX_FUTURE_MILLIS;
        assertThat(EventTimes.checkRange(limit)).isEqualTo(limit);
        assertThat(EventTimes.parse(Long.toString(limit))).isEqualTo(limit);
        assertThat(EventTimes.parse(Instant.ofEpochMilli(limit).toString())).isEqualTo(limit);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   \t ", "\n"})
    void rejectsBlank(String text) {
        assertRejected(text, "event_time is blank");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "garbage",
                "yesterday",
                "2024-01-01",
                "12:10:00",
                "2024-01-01 12:10:00Z",
                "2024-13-01T00:00:00Z",
                "2024-02-30T00:00:00Z",
                "2024-01-01T24:00:00Z",
                "2024-01-01T23:59:60Z",
                "2024-01-01T12:10:00+25:00",
                "2024-01-01T12:10:00Zjunk",
                "2024-01-01T12:10:00[Not/AZone]",
                "-1704111000000",
                "+1704111000000",
                "1704111000000.0",
                "1.704111E12",
                "0x18CC5B3A4C0",
                "1704111000000ms",
                "NaN",
                "Infinity",
                "\uFF11\uFF17\uFF10\uFF14\uFF11\uFF11\uFF11\uFF10\uFF10\uFF10\uFF10\uFF10\uFF10", // full-width digits
                "+999999999-12-31T23:59:59Z",
                "-999999999-01-01T00:00:00Z",
            })
    void rejectsUnparseable(String text) {
        assertRejected(text, "is neither ISO-8601 nor epoch milliseconds");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0",
                "1",
                "1704111000", // epoch seconds sent as milliseconds
                "946684799999",
                "1999-12-31T23:59:59.999Z",
                "1970-01-01T00:00:00Z",
                "0001-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z",
            })
    void rejectsBefore2000(String text) {
        assertRejected(text, "is before 2000-01-01");
    }

    @Test
    void rejectsMoreThanADayInTheFuture() {
        long tooLate = System.currentTimeMillis() + EventTimes.MAX_FUTURE_MILLIS + 60_000;
        assertRejected(Long.toString(tooLate), "is more than a day in the future");
        assertRejected(Instant.ofEpochMilli(tooLate).toString(), "is more than a day in the future");
        assertRejected("2999-01-01T00:00:00Z", "is more than a day in the future");
        assertRejected("999999999999999", "is more than a day in the future"); // 15 digits: the longest accepted form
        assertThatThrownBy(() -> EventTimes.checkRange(Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than a day in the future");
        assertThatThrownBy(() -> EventTimes.checkRange(Long.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("before 2000-01-01");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"1234567890123456", "9223372036854775807", "9223372036854775808", "99999999999999999999999999"})
    void rejectsTooManyDigits(String text) {
        assertRejected(text, "is too large for epoch milliseconds");
    }

    @Test
    void reasonsStayShortForHugeInput() {
        String digits = "9".repeat(100_000);
        String junk = "x".repeat(100_000);
        for (String text : new String[] {digits, junk}) {
            assertThatThrownBy(() -> EventTimes.parse(text))
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(
                            e -> assertThat(e.getMessage()).hasSizeLessThan(120).contains("..."));
        }
    }

    /**
     * The hand-written parser of the common forms agrees with java.time on 200,000 texts: well-formed
     * times of every fraction length and offset, and mutated ones (bad digits, day 31 of short months,
     * Feb 29 of common years, hour 24, second 60, offsets past 18:00, lower-case letters, cut texts).
     * Where java.time rejects, the fast path must hand the text over.
     */
    @Test
    void theFastIsoPathAgreesWithJavaTime() {
        Random random = new Random(11);
        String[] zones = {
            "Z", "", "+00:00", "-00:00", "+02:00", "-05:30", "+14:00", "-18:00", "+18:00", "+18:01", "+24:00", "-0530",
            "z", "+2:00", "[UTC]"
        };
        int fastHits = 0;
        for (int i = 0; i < 200_000; i++) {
            long millis = EventTimes.MIN_EVENT_TIME
                    - 86_400_000L * 400
                    + (long) (random.nextDouble() * 86_400_000L * 365 * 130);
            String base = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
                    .withZone(ZoneOffset.UTC)
                    .format(Instant.ofEpochMilli(millis));
            int fraction = random.nextInt(11);
            String digits = String.format("%09d", random.nextInt(1_000_000_000)) + "7";
            String text = base
                    + (fraction == 0 ? "" : "." + digits.substring(0, fraction - 1))
                    + zones[random.nextInt(zones.length)];
            if (random.nextInt(3) == 0) {
                char[] c = text.toCharArray();
                int at = random.nextInt(c.length);
                c[at] = "0123456789T:-.Z+x 3".charAt(random.nextInt(19));
                text = random.nextInt(10) == 0 ? new String(c, 0, at) : new String(c);
            }
            if (random.nextInt(50) == 0 && text.length() > 10) {
                text = text.substring(0, 5) + (random.nextBoolean() ? "02-29" : "04-31") + text.substring(10);
            }
            long fast = EventTimes.parseCommonIso(text);
            Long reference;
            try {
                reference = EventTimes.parseIso(text);
            } catch (IllegalArgumentException rejected) {
                reference = null;
            }
            if (fast != EventTimes.NOT_COMMON) {
                fastHits++;
                assertThat(reference).as(text).isEqualTo(fast);
            }
        }
        assertThat(fastHits).as("the fast path takes the common forms").isGreaterThan(50_000);
    }

    @Test
    void theHandWrittenFormatterAgreesWithJavaTime() {
        DateTimeFormatter reference =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        Random random = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            long millis = i < 10
                    ? new long[] {
                                0,
                                1,
                                86_399_999,
                                86_400_000,
                                951_782_400_000L,
                                253_402_300_799_999L,
                                253_402_300_800_000L,
                                -1,
                                -86_400_001,
                                4_102_444_800_000L
                            }
                            [i]
                    : (long) (random.nextDouble() * 253_402_300_800_000L * (random.nextInt(20) == 0 ? 1.2 : 0.01));
            assertThat(EventTimes.format(millis))
                    .as("%d", millis)
                    .isEqualTo(reference.format(Instant.ofEpochMilli(millis)));
        }
    }

    private static void assertRejected(String text, String reason) {
        assertThatThrownBy(() -> EventTimes.parse(text))
                .as("parse(%s)", text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("event_time")
                .hasMessageContaining(reason);
    }
}
