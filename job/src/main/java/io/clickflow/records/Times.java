package io.clickflow.records;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Event-time formatting shared by every table and log line. */
public final class Times {
    /**
     * Fixed-width ISO-8601 UTC with milliseconds, so that text order equals time order: the sink's
     * upsert guard compares these strings.
     */
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {}

    public static String format(long epochMillis) {
        if (epochMillis == Long.MIN_VALUE) {
            return "-inf";
        }
        if (epochMillis == Long.MAX_VALUE) {
            return "+inf";
        }
        return FORMAT.format(Instant.ofEpochMilli(epochMillis));
    }
}
