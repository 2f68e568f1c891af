package io.clickflow.bench;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Checks of the options every bench has, each failing with one line before anything starts. */
final class BenchOptions {
    private BenchOptions() {}

    /** {@code --cases}: every name one of {@code all}, else one line naming it; the set in the order given. */
    static Set<String> cases(String list, List<String> all) {
        Set<String> cases = new LinkedHashSet<>();
        for (String c : list.split(",")) {
            if (!all.contains(c)) {
                throw new UsageException("--cases: unknown case '" + c + "'; cases: " + String.join(",", all));
            }
            cases.add(c);
        }
        return cases;
    }

    /** The databases a bench may measure: SQLite, and a PostgreSQL it starts. */
    static final List<String> DATABASES = List.of("sqlite", "postgresql");

    /** {@code --databases}: each one of {@link #DATABASES}, else one line naming it; the list in the order given. */
    static List<String> databases(String list) {
        List<String> dbs = new ArrayList<>();
        for (String d : list.split(",")) {
            if (!DATABASES.contains(d.trim())) {
                throw new UsageException(
                        "--databases: unknown database '" + d + "'; databases: " + String.join(", ", DATABASES));
            }
            if (!dbs.contains(d.trim())) {
                dbs.add(d.trim());
            }
        }
        return dbs;
    }

    /** {@code --job-heap}: a size the JVM's -Xmx takes. */
    static void checkHeap(String heap) {
        if (!heap.matches("[0-9]+[mgMG]")) {
            throw new UsageException("--job-heap must be like 2g or 1536m, not '" + heap + "'");
        }
    }

    /** A duration option of at least {@code minSeconds}. */
    static void atLeast(String option, Duration d, long minSeconds) {
        if (d.toMillis() < minSeconds * 1000) {
            throw new UsageException(option + ": must be at least " + minSeconds + "s, not " + Durations.format(d));
        }
    }

    /** A count option of at least {@code min}. */
    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new UsageException(option + ": must be at least " + min + ", not " + value);
        }
    }

    /** A comma-separated list of whole numbers in [min, max]; {@code expected} says what they are. */
    static List<Integer> numbers(String option, String value, String expected, int min, int max) {
        List<Integer> list = new ArrayList<>();
        for (String part : value.split(",")) {
            int n;
            try {
                n = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(option + ": " + expected + ", not '" + value + "'");
            }
            list.add(Cli.range(option, n, min, max));
        }
        return list;
    }
}
