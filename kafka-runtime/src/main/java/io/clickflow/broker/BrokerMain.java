package io.clickflow.broker;

import java.io.IOException;
import java.io.InputStream;

/** Runs {@code kafka.Kafka} as a child process that exits when its parent goes away. */
public final class BrokerMain {

    /**
     * Set to {@code false} when the broker is started from a shell with no parent holding its stdin
     * (a backgrounded job reads /dev/null, which is an immediate EOF).
     */
    static final String WATCH_STDIN = "clickflow.broker.watchStdin";

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        if (Boolean.parseBoolean(System.getProperty(WATCH_STDIN, "true"))) {
            Thread watcher = new Thread(BrokerMain::exitAtEndOfStdin, "parent-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        kafka.Kafka.main(args);
    }

    /**
     * The parent keeps our stdin pipe open for as long as it lives; the OS closes it however the
     * parent dies (even kill -9), so EOF is the one signal that cannot be missed. System.exit runs
     * Kafka's shutdown hook, so the log is closed cleanly before the broker goes. Process.destroy()
     * closes the pipe right after its SIGTERM, so EOF also follows a normal stop; System.exit then
     * just waits for the shutdown already under way.
     */
    private static void exitAtEndOfStdin() {
        byte[] buffer = new byte[256];
        try (InputStream in = System.in) {
            while (in.read(buffer) >= 0) {
                // Anything written to stdin is ignored; only its end matters.
            }
        } catch (IOException e) {
            // A broken pipe means the same as EOF: the parent is gone.
        }
        System.err.println("clickflow: stdin closed (parent gone or stopping the broker), exiting");
        System.exit(0);
    }
}
