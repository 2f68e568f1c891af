package io.clickflow.counting;

import java.util.Locale;

/** How distinct users are counted. */
public enum CountMode {
    /** Every distinct id of an open window is held: exact, memory grows with the users of the open windows. */
    EXACT("exact", 128),
    /** An Apache DataSketches HLL sketch per window and shard: fixed memory, a known relative error. */
    HLL("hll", 16);

    private final String cliName;
    private final int shards;

    CountMode(String cliName, int shards) {
        this.cliName = cliName;
        this.shards = shards;
    }

    public String cliName() {
        return cliName;
    }

    /**
     * Users of a window are split into this many shards by id, so a window is counted by several subtasks.
     * Exact counting spreads over 128 (the default maximum parallelism); a sketch is 16 KB whatever it
     * holds, so HLL keeps fewer, fuller ones.
     */
    public int shards() {
        return shards;
    }

    public static CountMode parse(String s) {
        for (CountMode m : values()) {
            if (m.cliName.equals(s.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("must be exact or hll, not '" + s + "'");
    }
}
