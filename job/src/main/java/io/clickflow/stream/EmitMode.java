package io.clickflow.stream;

import java.util.Locale;

/** When attribution rows are written. */
public enum EmitMode {
    /** One final row per page view once the watermark passes its event time. */
    ON_WATERMARK("on-watermark"),
    /** A provisional row at once, rewritten when a better click arrives, then a final row. */
    UPDATE("update");

    private final String cliName;

    EmitMode(String cliName) {
        this.cliName = cliName;
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
