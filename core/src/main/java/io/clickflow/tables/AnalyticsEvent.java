package io.clickflow.tables;

/**
 * The record an API server appends to the analytics events topic for each accepted POST, and the analytics job
 * reads: {@code {"user":"alice","timestamp":1700000000000,"action":"click"}} (action {@code click} or
 * {@code impression}, timestamp in epoch milliseconds), keyed by user. Written here once so both sides agree.
 */
public final class AnalyticsEvent {
    private AnalyticsEvent() {}

    public static final String USER = "user";
    public static final String TIMESTAMP = "timestamp";
    public static final String ACTION = "action";
    public static final String CLICK = "click";
    public static final String IMPRESSION = "impression";

    /** The JSON of one event; the user is escaped as JSON requires. */
    public static String json(String user, long timestampMillis, boolean click) {
        StringBuilder sb = new StringBuilder(48 + user.length());
        sb.append("{\"").append(USER).append("\":\"");
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
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
        sb.append("\",\"").append(TIMESTAMP).append("\":").append(timestampMillis);
        sb.append(",\"")
                .append(ACTION)
                .append("\":\"")
                .append(click ? CLICK : IMPRESSION)
                .append("\"}");
        return sb.toString();
    }
}
