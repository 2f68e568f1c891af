package io.clickflow.stream;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.Locale;

/** When a job's rows are written: final ones only, or provisional ones as they change and then final ones. */
public enum EmitMode {
    /** One final row per page view once the watermark passes its event time. */
    ON_WATERMARK("on-watermark"),
    /** A provisional row at once, rewritten when a better click arrives, then a final row. */
    UPDATE("update");

    private final String cliName;

    EmitMode(String cliName) {
        this.cliName = cliName;
    }

    /** Update mode: a network buffer leaves when full or after this, instead of Flink's default 100 ms. */
    static final long UPDATE_BUFFER_TIMEOUT_MILLIS = 10;

    /**
     * Update mode's rows are watched as they happen, and before any watermark the network buffers' wait is much of a
     * row's delay: they leave after {@link #UPDATE_BUFFER_TIMEOUT_MILLIS}. On-watermark mode keeps Flink's (or the
     * cluster's) setting.
     */
    public void configureBuffers(StreamExecutionEnvironment env) {
        if (this == UPDATE) {
            env.setBufferTimeout(UPDATE_BUFFER_TIMEOUT_MILLIS);
        }
    }

    public String cliName() {
        return cliName;
    }

    public static EmitMode parse(String s) {
        for (EmitMode m : values()) {
            if (m.cliName.equals(s.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("must be on-watermark or update, not '" + s + "'");
    }
}
