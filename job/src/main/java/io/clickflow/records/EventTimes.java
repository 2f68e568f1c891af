package io.clickflow.records;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/** Parses and bounds-checks input event times; every decoder uses it so all jobs accept the same forms. */
public final class EventTimes {
    /** Earlier times are taken for mistakes (seconds sent as milliseconds, zero, negative). */
    public static final long MIN_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    /** Times further ahead of the wall clock are taken for mistakes: one would hold every watermark hostage. */
    public static final long MAX_FUTURE_MILLIS = 24L * 60 * 60 * 1000;

    private EventTimes() {}

    /**
     * Parses ISO-8601 (with {@code Z}, with an offset, or without a zone meaning UTC) or epoch
     * milliseconds written as digits.
     *
     * @throws IllegalArgumentException with a short reason
     */
    public static long parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("event_time is blank");
        }
        if (isDigits(s)) {
            return checkRange(parseMillis(s));
        }
        try {
            TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parse(s);
            long millis;
            if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
                millis = Instant.from(t).toEpochMilli();
            } else {
                millis = LocalDateTime.from(t).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            return checkRange(millis);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("event_time '" + abbreviate(s) + "' is neither ISO-8601 nor epoch milliseconds");
        }
    }

    /** Checks epoch milliseconds given as a JSON number. */
    public static long checkRange(long millis) {
        if (millis < MIN_EVENT_TIME) {
            throw new IllegalArgumentException("event_time " + millis + " ms is before 2000-01-01 (seconds instead of milliseconds?)");
        }
        if (millis > System.currentTimeMillis() + MAX_FUTURE_MILLIS) {
            throw new IllegalArgumentException("event_time " + Times.format(millis) + " is more than a day in the future");
        }
        return millis;
    }

    private static long parseMillis(String digits) {
        if (digits.length() > 15) {
            throw new IllegalArgumentException("event_time " + abbreviate(digits) + " is too large for epoch milliseconds");
        }
        return Long.parseLong(digits);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
