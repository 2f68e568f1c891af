package io.clickflow.runner;

import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.UpsertTable;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Row counts of a job's tables for its progress line: each query returns one row, each column a labelled count. */
public final class TableCounts {
    private record Query(String sql, List<String> labels) {}

    private final Database database;
    private final List<Query> queries = new ArrayList<>();

    public TableCounts(Database database) {
        this.database = database;
    }

    /** Adds a query whose one row holds the counts, in the order of {@code labels}. */
    public TableCounts add(String sql, String... labels) {
        queries.add(new Query(sql, List.of(labels)));
        return this;
    }

    /** Adds a table's rows and its final rows (its {@code is_final} column), labelled {@code rows} and "final". */
    public TableCounts rowsAndFinal(UpsertTable<?> table, String rows) {
        return add("SELECT COUNT(*), COALESCE(SUM(is_final), 0) FROM " + table.name(), rows, "final");
    }

    /** Adds the late and rejected events every job keeps. */
    public TableCounts withDeadLetters() {
        return add("SELECT COUNT(*) FROM " + DeadLetterTables.LATE.name(), "late")
                .add("SELECT COUNT(*) FROM " + DeadLetterTables.REJECTED.name(), "rejected");
    }

    /** Where the rows are, for the summary. */
    public String where() {
        return database.describe();
    }

    /** Label to count, in order; empty when the database cannot be read right now. */
    public Map<String, Long> read() {
        Map<String, Long> result = new LinkedHashMap<>();
        try (Connection c = database.connect();
                Statement s = c.createStatement()) {
            for (Query q : queries) {
                try (ResultSet rs = s.executeQuery(q.sql())) {
                    rs.next();
                    for (int i = 0; i < q.labels().size(); i++) {
                        result.put(q.labels().get(i), rs.getLong(i + 1));
                    }
                }
            }
        } catch (Exception e) {
            return Map.of();
        }
        return result;
    }
}
