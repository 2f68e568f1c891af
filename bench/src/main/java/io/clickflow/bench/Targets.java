package io.clickflow.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** A bench's targets as table lines: what, the measured value, and met or missed by how much. */
final class Targets {
    private Targets() {}

    /** {what, "1.23x", verdict} for a ratio that should be at least {@code target}. */
    static String[] ratio(String what, double x, double target) {
        return new String[] {
            what,
            String.format(Locale.ROOT, "%.2fx", x),
            x >= target
                    ? String.format(Locale.ROOT, "met (target >= %.1fx)", target)
                    : String.format(Locale.ROOT, "MISSED by %.2fx (target >= %.1fx)", target - x, target)
        };
    }

    /** {what, "1.23x", verdict} for a ratio that should be at most {@code target}. */
    static String[] ratioAtMost(String what, double x, double target) {
        return new String[] {
            what,
            String.format(Locale.ROOT, "%.2fx", x),
            x <= target
                    ? String.format(Locale.ROOT, "met (target <= %.1fx)", target)
                    : String.format(Locale.ROOT, "MISSED by %.2fx (target <= %.1fx)", x - target, target)
        };
    }

    /** {what, "12.34 ms", verdict} for a latency that should be at most {@code targetMs}. */
    static String[] atMostMillis(String what, double ms, double targetMs) {
        return new String[] {
            what,
            String.format(Locale.ROOT, "%.2f ms", ms),
            ms <= targetMs
                    ? String.format(Locale.ROOT, "met (target <= %.0f ms)", targetMs)
                    : String.format(Locale.ROOT, "MISSED by %.2f ms (target <= %.0f ms)", ms - targetMs, targetMs)
        };
    }

    /** "Targets:" and a line per target, aligned. */
    static void print(PrintStream o, List<String[]> targets) {
        o.println("Targets:");
        for (String[] t : targets) {
            o.printf("  %-52s %12s   %s%n", t[0], t[1], t[2]);
        }
    }
}
