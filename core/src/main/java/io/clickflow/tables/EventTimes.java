package io.clickflow.tables;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * Event times as text, both ways: parsing and bounds-checking input times (every decoder uses it so all
 * jobs accept the same forms) and the fixed-width UTC form every table and log line stores.
 */
public final class EventTimes {
    /** Earlier times are taken for mistakes (seconds sent as milliseconds, zero, negative). */
    public static final long MIN_EVENT_TIME =
            Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    /** Times further ahead of the wall clock are taken for mistakes: one would hold every watermark hostage. */
    public static final long MAX_FUTURE_MILLIS = 24L * 60 * 60 * 1000;

    private EventTimes() {}

    /**
     * Fixed-width ISO-8601 UTC with milliseconds, so that text order equals time order: the sink's
     * upsert guard compares these strings.
     */
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public static String format(long epochMillis) {
        if (epochMillis == Long.MIN_VALUE) {
            return "-inf";
        }
        if (epochMillis == Long.MAX_VALUE) {
            return "+inf";
        }
        if (epochMillis < 0 || epochMillis >= MAX_FAST) {
            return FORMAT.format(Instant.ofEpochMilli(epochMillis));
        }
        // By hand: java.time's formatter showed up in the sink's profile (BENCHMARKS.md).
        long days = epochMillis / 86_400_000L;
        int msOfDay = (int) (epochMillis % 86_400_000L);
        // civil_from_days (Howard Hinnant), for days >= 0: the inverse of daysFromCivil below
        long z = days + 719_468;
        long era = z / 146_097;
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        char[] c = new char[24];
        put(c, 0, year, 4);
        c[4] = '-';
        put(c, 5, month, 2);
        c[7] = '-';
        put(c, 8, day, 2);
        c[10] = 'T';
        put(c, 11, msOfDay / 3_600_000, 2);
        c[13] = ':';
        put(c, 14, msOfDay / 60_000 % 60, 2);
        c[16] = ':';
        put(c, 17, msOfDay / 1000 % 60, 2);
        c[19] = '.';
        put(c, 20, msOfDay % 1000, 3);
        c[23] = 'Z';
        return new String(c);
    }

    /** 10000-01-01T00:00:00Z: from there on the year has five digits and java.time formats it. */
    private static final long MAX_FAST = 253_402_300_800_000L;

    private static void put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

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
        long fast = parseCommonIso(s);
        if (fast != NOT_COMMON) {
            return checkRange(fast);
        }
        return checkRange(parseIso(s));
    }

    /** Marks a text the fast path leaves to java.time. */
    static final long NOT_COMMON = Long.MIN_VALUE;

    /**
     * The forms nearly every producer writes, {@code 2024-01-01T12:10:00Z}, with 1 to 9 fraction digits,
     * {@code +HH:MM}/{@code -HH:MM} or no zone, parsed without java.time's general parser (costly per event, see
     * BENCHMARKS.md). Returns {@link #NOT_COMMON} for anything else, including every invalid
     * text, so java.time alone decides what is accepted; the tests check both paths agree.
     */
    static long parseCommonIso(String s) {
        int n = s.length();
        if (n < 19
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return NOT_COMMON;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > lengthOfMonth(year, month)
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return NOT_COMMON;
        }
        int i = 19;
        long millis = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int fractionDigits = i - start;
            if (fractionDigits == 0 || fractionDigits > 9) {
                return NOT_COMMON;
            }
            for (int d = fractionDigits; d < 3; d++) {
                millis *= 10;
            }
        }
        int offsetSeconds = 0;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            i++;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || om < 0 || om > 59 || oh > 18 || oh == 18 && om > 0) {
                return NOT_COMMON;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
            i = n;
        }
        if (i != n) {
            return NOT_COMMON;
        }
        long epochSecond =
                daysFromCivil(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return epochSecond * 1000 + millis;
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    static long daysFromCivil(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /** Any ISO-8601 date-time java.time accepts: the reference for what is valid. */
    static long parseIso(String s) {
        try {
            TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parse(s);
            long millis;
            if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
                millis = Instant.from(t).toEpochMilli();
            } else {
                millis = LocalDateTime.from(t).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            return millis;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "event_time '" + abbreviate(s) + "' is neither ISO-8601 nor epoch milliseconds");
        }
    }

    /** Checks epoch milliseconds given as a JSON number. */
    public static long checkRange(long millis) {
        if (millis < MIN_EVENT_TIME) {
            throw new IllegalArgumentException(
                    "event_time " + millis + " ms is before 2000-01-01 (seconds instead of milliseconds?)");
        }
        if (millis > System.currentTimeMillis() + MAX_FUTURE_MILLIS) {
            throw new IllegalArgumentException(
                    "event_time " + EventTimes.format(millis) + " is more than a day in the future");
        }
        return millis;
    }

    private static long parseMillis(String digits) {
        if (digits.length() > 15) {
            throw new IllegalArgumentException(
                    "event_time " + abbreviate(digits) + " is too large for epoch milliseconds");
        }
        return Long.parseLong(digits);
    }

    public static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    public static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
