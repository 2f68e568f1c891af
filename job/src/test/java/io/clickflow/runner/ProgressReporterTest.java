package io.clickflow.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.tables.Database;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/** The summary a run prints at its end counts the rows the job wrote last. */
class ProgressReporterTest {

    @Test
    void theSummaryCountsRowsWrittenAfterTheLastProgressLine(@TempDir Path dir) throws Exception {
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("t.db"));
        execute(db, "CREATE TABLE results (id INTEGER PRIMARY KEY, is_final INTEGER)");
        ProgressReporter progress = new ProgressReporter(
                new TableCounts(db).add("SELECT COUNT(*), COALESCE(SUM(is_final), 0) FROM results", "rows", "final"),
                "no such operator");
        progress.attach("http://127.0.0.1:1", "no-job"); // no Web UI: the line leaves Flink's parts out
        assertThat(progress.line()).contains("rows 0 | final 0");
        // The job's last write lands after that line and within a second of it, as a final window at end of input.
        execute(db, "INSERT INTO results VALUES (1, 1)");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            progress.printSummary("finished");
        } finally {
            System.setOut(stdout);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern("rows +1\\R")
                .containsPattern("final +1\\R");
    }

    private static void execute(Database db, String sql) throws Exception {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
