package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.Cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** {@code ./clickflow bench tables} refuses bad options in one line and measures every line in both databases. */
class TablesBenchTest {
    @Test
    void badOptionsAreOneLine() {
        assertThatThrownBy(() -> Cli.parse(new TablesBench(), "--rows", "99999").check())
                .hasMessage("--rows: must be between 100000 and 1000000000, not 99999");
        assertThatThrownBy(() -> Cli.parse(new TablesBench(), "--databases", "sqlite,mysql")
                        .check())
                .hasMessage("--databases: unknown database 'mysql'; databases: sqlite, postgresql");
    }

    @Test
    @Timeout(180)
    void aSmallRunMeasuresEveryLineInSqliteAndPostgresql(@TempDir Path out) throws Exception {
        assertThat(Cli.parse(new TablesBench(), "--rows", "100000", "--out", out.toString())
                        .call())
                .isZero();
        List<String> csv = Files.readAllLines(out.resolve("tables-results.csv"));
        assertThat(csv.get(0)).isEqualTo("section,measure,unit,sqlite,postgresql");
        List<String> measures = csv.stream().filter(l -> !l.endsWith(",,,")).toList();
        assertThat(measures)
                .as("fill, sizes, 16 page reads and a retention batch, 10 other reads")
                .hasSize(1 + 2 + 5 + 17 + 10);
        for (String line : measures.subList(1, measures.size())) {
            assertThat(line).as("a value in each database").matches(".*,[0-9.]+,[0-9.]+");
        }
        try (Stream<Path> files = Files.walk(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("the SQLite file is deleted, the plans kept")
                    .noneMatch(name -> name.startsWith("tables.db"))
                    .contains("plans.txt");
        }
    }
}
