package io.clickflow.tables;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A table rows are upserted into, in one value: its name, DDL and upsert, how a row binds to the upsert,
 * a row's key, and which of two rows of a key the upsert keeps. Sinks merge rows of one key with that rule
 * before writing, so the rule and the upsert's guard must agree; both live here side by side.
 */
public record UpsertTable<T>(String name, String ddl, String upsert, Binder<T> binder, Key<T> key, Merge<T> merge)
        implements Serializable {

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
