package io.clickflow.tables;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A table rows are upserted into, in one value: its name, DDL and upsert, how a row binds to the upsert,
 * a row's key, and which of two rows of a key the upsert keeps. Sinks merge rows of one key with that rule
 * before writing, so the rule and the upsert's guard must agree; both live here side by side.
 *
 * @param timeColumn the UTC time text column ({@link EventTimes#format}) a row's content ends at, by which
 *     {@code --retention} deletes old rows; null for a table kept whole
 */
public record UpsertTable<T>(
        String name, String ddl, String upsert, Binder<T> binder, Key<T> key, Merge<T> merge, String timeColumn)
        implements Serializable {

    /** A table no retention applies to. */
    public UpsertTable(String name, String ddl, String upsert, Binder<T> binder, Key<T> key, Merge<T> merge) {
        this(name, ddl, upsert, binder, key, merge, null);
    }

    /** The same table, its rows aged by {@code column} (indexed, so deleting by it reads no other row). */
    public UpsertTable<T> agedBy(String column) {
        return new UpsertTable<>(name, ddl, upsert, binder, key, merge, column);
    }

    /** The index that lets retention find old rows without scanning the table. */
    public static String timeIndex(String table, String column) {
        return "CREATE INDEX IF NOT EXISTS " + table + "_" + column + " ON " + table + " (" + column + ")";
    }

    /** Sets a row's values on the upsert's parameters. */
    @FunctionalInterface
    public interface Binder<T> extends Serializable {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /** A row's primary key (any value with equals and hashCode). */
    @FunctionalInterface
    public interface Key<T> extends Serializable {
        Object of(T row);
    }

    /** Of two rows with the same key, the one the upsert keeps whatever order they are applied in. */
    @FunctionalInterface
    public interface Merge<T> extends Serializable {
        T keep(T stored, T incoming);
    }

    /** The sink's operator uid: stable, derived from the table name. */
    public String sinkUid() {
        return name.replace('_', '-') + "-sink";
    }
}
