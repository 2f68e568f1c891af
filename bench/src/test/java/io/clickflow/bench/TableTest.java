package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One column list gives the aligned table and the CSV, each with its own columns and formats. */
class TableTest {
    record Row(String name, double perSecond, long rss) {}

    private static final Table<Row> TABLE = new Table<Row>()
            .column("case", -8, Row::name, "case", Row::name)
            .column(
                    "rows/s",
                    9,
                    r -> Table.num("%,.0f", r.perSecond()),
                    "rows_per_second",
                    r -> Table.num("%.1f", r.perSecond()))
            .written("rss_bytes", r -> Table.count(r.rss()))
            .shown("RSS", 7, r -> r.rss() < 0 ? "" : Table.mb(r.rss()));

    @Test
    void printsAlignedColumnsUnderARule() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TABLE.print(
                new PrintStream(bytes, true, StandardCharsets.UTF_8),
                List.of(new Row("a", 12345.6, 2_000_000), new Row("b", Double.NaN, -1)));
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(
                        "case        rows/s     RSS", "--------------------------", "a           12,346    2 MB", "b");
    }

    @Test
    void writesTheCsvColumnsWithTheirOwnFormatsAndQuotesWhatNeedsIt() {
        assertThat(TABLE.csv(List.of(new Row("open loop, 50%", 12345.6, 2_000_000), new Row("say \"x\"", 1, -1))))
                .containsExactly(
                        "case,rows_per_second,rss_bytes",
                        "\"open loop, 50%\",12345.6,2000000",
                        "\"say \"\"x\"\"\",1.0,");
    }
}
