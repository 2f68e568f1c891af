package io.clickflow.tables;

/**
 * The record an API server appends to the analytics events topic for each accepted POST, and the analytics job
 * reads: {@code {"user":"alice","timestamp":1700000000000,"action":"click"}} (action {@code click} or
 * {@code impression}, timestamp in epoch milliseconds), keyed by user. A POST with an idempotency key adds
 * {@code "id":"..."} at the end; a keyless one writes exactly the three fields. Written here once so both sides agree.
 */
public final class AnalyticsEvent {
    private AnalyticsEvent() {}

    public static final String USER = "user";
    public static final String TIMESTAMP = "timestamp";
    public static final String ACTION = "action";
    public static final String CLICK = "click";
    public static final String IMPRESSION = "impression";
    /** The optional idempotency key of the request that wrote the event. */
    public static final String ID = "id";

    /** The JSON of one event; the user is escaped as JSON requires. */
    public static String json(String user, long timestampMillis, boolean click) {
        return json(user, timestampMillis, click, null);
    }

    /** The JSON of one event with its idempotency key {@code id} (null: none, the three-field form). */
    public static String json(String user, long timestampMillis, boolean click, String id) {
        StringBuilder sb = new StringBuilder(48 + user.length() + (id == null ? 0 : 8 + id.length()));
        sb.append("{\"").append(USER).append("\":\"");
        escape(user, sb);
        sb.append("\",\"").append(TIMESTAMP).append("\":").append(timestampMillis);
        sb.append(",\"")
                .append(ACTION)
                .append("\":\"")
                .append(click ? CLICK : IMPRESSION)
                .append('"');
        if (id != null) {
            sb.append(",\"").append(ID).append("\":\"");
            escape(id, sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    private static void escape(String s, StringBuilder sb) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
