package io.clickflow.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits for a condition that another process or thread makes true; never used to order events. */
public final class Waits {
    private Waits() {}

    /** Keeps a simulated outage (a held lock, a stopped server) going for its duration; not an ordering device. */
    public static void outageOf(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    public static void until(BooleanSupplier condition, Duration timeout, String failureMessage)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + timeout.toSeconds() + " s: " + failureMessage);
            }
            Thread.sleep(100); // polling pause, not an ordering assumption
        }
    }
}
