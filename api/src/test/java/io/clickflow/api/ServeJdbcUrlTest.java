package io.clickflow.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/** A SQLite file serve cannot make is one line and exit code 2 before Kafka is asked (no broker runs here). */
@Timeout(30)
class ServeJdbcUrlTest {
    @Test
    void aSqliteFileThatCannotBeMadeIsOneLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("README.md"), "not a folder");
        ServeCommandTest.refused(
                "--jdbc-url: cannot use the SQLite file " + file.resolve("x.db") + ": " + file
                        + " is a file, not a folder",
                "--jdbc-url",
                "jdbc:sqlite:" + file.resolve("x.db"),
                "--bootstrap-servers",
                "127.0.0.1:9");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            ServeCommandTest.refused(
                    "--jdbc-url: cannot use the SQLite file /proc/nope/x.db: cannot create the folder /proc/nope"
                            + " (the file system refuses new entries there)",
                    "--jdbc-url",
                    "jdbc:sqlite:/proc/nope/x.db",
                    "--bootstrap-servers",
                    "127.0.0.1:9");
        }
    }
}
