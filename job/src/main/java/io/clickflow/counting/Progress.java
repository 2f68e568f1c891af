package io.clickflow.counting;

/**
 * What the counting operators keep of one shard of a window (or of one window) between emissions. An interface,
 * not a class, so each job keeps its own state POJO: the POJO serializer records a state class by name, and
 * uniques' {@code ShardProgress} must stay where its savepoints say it is.
 */
public interface Progress {
    /** Distinct users now (HLL: the rounded estimate). */
    long users();

    void users(long users);

    /** Users in the last emitted count; -1: nothing emitted yet. */
    long emittedUsers();

    void emittedUsers(long users);

    /** Update mode: a processing-time timer is registered for the next provisional count. */
    boolean updateScheduled();

    void updateScheduled(boolean scheduled);

    /** The additive counters now (absolute, only growing); null while there are none. */
    long[] counters();

    void counters(long[] counters);

    /** The sum of the counters in the last emitted count: counters only grow, so a change shows in their sum. */
    long emittedCounterSum();

    void emittedCounterSum(long sum);

    /** True if an emission now would differ from the last one. */
    default boolean changedSinceEmitted() {
        return users() != emittedUsers() || counterSum() != emittedCounterSum();
    }

    /** Records that the current counts were emitted. */
    default void markEmitted() {
        emittedUsers(users());
        emittedCounterSum(counterSum());
    }

    default long counterSum() {
        long[] c = counters();
        long sum = 0;
        if (c != null) {
            for (long n : c) {
                sum += n;
            }
        }
        return sum;
    }

    /** Adds one to counter {@code index}, creating the {@code n} counters on first use. */
    default void increment(int index, int n) {
        long[] c = counters();
        if (c == null) {
            c = new long[n];
            counters(c);
        }
        c[index]++;
    }
}
