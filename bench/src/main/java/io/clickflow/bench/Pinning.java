package io.clickflow.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the load generator (this JVM, CPU 0) and the servers with everything behind them (the other CPUs) on separate
 * cores with {@code taskset}, so that a ratio compares servers, not how they share the machine with the client.
 */
final class Pinning {
    private final String clientCpus;
    private final String serverCpus;
    private final String describe;

    private Pinning(String clientCpus, String serverCpus, String describe) {
        this.clientCpus = clientCpus;
        this.serverCpus = serverCpus;
        this.describe = describe;
    }

    /** Pinning when {@code wanted} and possible (two CPUs or more, {@code taskset} on the PATH), else none. */
    static Pinning of(boolean wanted, int cpus) {
        if (!wanted) {
            return none("not pinned (--no-pin): every process on any core");
        }
        if (cpus < 2) {
            return none("not pinned: one CPU");
        }
        Path taskset = ApiServers.onPath("taskset");
        if (taskset == null) {
            return none("not pinned: taskset is not on the PATH (Debian: util-linux)");
        }
        String servers = cpus == 2 ? "1" : "1-" + (cpus - 1);
        return new Pinning(
                "0",
                servers,
                "load generator pinned to CPU 0, each server and what is behind it (broker, job, Redis) to CPU "
                        + servers);
    }

    private static Pinning none(String why) {
        return new Pinning(null, null, why);
    }

    /** How many CPUs the load generator may use. */
    int clientCores() {
        return active() ? 1 : Runtime.getRuntime().availableProcessors();
    }

    boolean active() {
        return clientCpus != null;
    }

    /** Says where each side runs, for the report's header. */
    String describe() {
        return describe;
    }

    /** Pins every thread of this JVM; threads started later inherit it from the thread that starts them. */
    void pinClient() throws IOException, InterruptedException {
        if (active()) {
            taskset(clientCpus, ProcessHandle.current().pid());
        }
    }

    /**
     * Pins every thread of {@code server} and of the processes behind it; repeating it is harmless and catches threads
     * started during the last.
     */
    void pinServers(Process server, List<Long> behind) throws IOException, InterruptedException {
        if (active()) {
            taskset(serverCpus, server.pid());
            for (long pid : behind) {
                taskset(serverCpus, pid);
            }
        }
    }

    private static void taskset(String cpus, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("taskset -a -p -c " + cpus + " " + pid + " failed (run with --no-pin)");
        }
    }
}
