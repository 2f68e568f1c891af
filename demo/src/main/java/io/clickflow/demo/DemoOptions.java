package io.clickflow.demo;

import io.clickflow.broker.KafkaBroker;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.Durations;
import io.clickflow.commandline.UsageException;
import io.clickflow.options.RuntimeOptions;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The options every demo has: how long it runs, the topics' partitions, the job's parallelism, the Web UI's port. */
public final class DemoOptions {
    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "0",
            description = "Stop by itself after this long, as Ctrl-C does (0: run until Ctrl-C).")
    Duration duration;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4", description = "Partitions of each topic.")
    int partitions;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "Parallelism of the job.")
    int parallelism;

    @Option(
            names = "--state-backend",
            paramLabel = "NAME",
            defaultValue = "hashmap",
            description = "hashmap | rocksdb.")
    RuntimeOptions.StateBackend stateBackend;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081", description = "Port of the Flink Web UI.")
    int webPort;

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            description = "How often a progress line is printed.")
    Duration progressInterval;

    /** Checks what the job's own options do not. */
    void check() {
        Cli.range("--partitions", partitions, 1, 64);
        Cli.range("--web-port", webPort, 1, 65535);
        ensureFree(webPort, "the Flink Web UI", "--web-port");
    }

    /**
     * A demo's job command line: the demo's broker on {@code brokerPort} ({@link DemoSession#brokerPort}), its topics
     * read from the start as {@code groupId}, checkpoints under {@code dir}, the demo's own {@code args}, then these
     * runtime options. The job parses and checks it once, before anything starts; nothing changes it after.
     */
    String[] jobArgs(int brokerPort, String groupId, Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--bootstrap-servers",
                KafkaBroker.address(brokerPort),
                "--starting-offsets",
                "earliest",
                "--group-id",
                groupId,
                "--checkpoint-dir",
                dir.resolve("checkpoints").toString()));
        all.addAll(List.of(args));
        all.addAll(List.of(
                "--parallelism", Integer.toString(parallelism),
                "--state-backend", Cli.name(stateBackend),
                "--web-port", Integer.toString(webPort),
                "--progress-interval", Durations.format(progressInterval)));
        return all.toArray(String[]::new);
    }

    /** {@code --jdbc-url} of the SQLite file in a demo's folder. */
    static String sqliteUrl(Path dir) {
        return "jdbc:sqlite:" + dir.resolve("clickflow.db");
    }

    /** Refuses, before anything starts, a loopback port something else listens on. */
    static void ensureFree(int port, String what, String option) {
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new UsageException(option + ": port " + port + " for " + what + " is in use (another clickflow?)");
        }
    }
}
