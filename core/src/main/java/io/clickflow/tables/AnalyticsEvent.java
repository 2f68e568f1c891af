package io.clickflow.tables;

/**
 * The record an API server appends to the analytics events topic for each accepted POST, and the analytics job
 * reads: {@code {"user":"alice","timestamp":1700000000000,"action":"click"}} (action {@code click} or
 * {@code impression}, timestamp in epoch milliseconds), keyed by user. A POST with an idempotency key adds
 * {@code "id":"..."} at the end; a keyless one writes exactly the three fields. A fresh read appends a <em>fence</em>
 * to every partition instead (see {@link #fenceJson}). Written here once so both sides agree.
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

    /** The action of a fence record: no event, a marker a fresh read waits behind. */
    public static final String FENCE_ACTION = "fence";
    /** A fence record's field saying which partition of how many it was written to: {@code "2/4"}. */
    public static final String FENCE = "fence";

    /**
     * The JSON of a fresh read's fence for partition {@code partition} of {@code partitions}: {@code
     * {"user":"<fence id>","timestamp":<hour start>,"action":"fence","fence":"2/4"}}. The job answers a fence
     * once it has counted everything written before it to every partition; it counts no user.
     */
    public static String fenceJson(String fenceId, long hourStart, int partition, int partitions) {
        StringBuilder sb = new StringBuilder(80 + fenceId.length());
        sb.append("{\"").append(USER).append("\":\"");
        escape(fenceId, sb);
        sb.append("\",\"").append(TIMESTAMP).append("\":").append(hourStart);
        sb.append(",\"").append(ACTION).append("\":\"").append(FENCE_ACTION).append('"');
        sb.append(",\"")
                .append(FENCE)
                .append("\":\"")
                .append(partition)
                .append('/')
                .append(partitions);
        return sb.append("\"}").toString();
    }

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
