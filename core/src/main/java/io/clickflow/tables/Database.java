package io.clickflow.tables;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where results go: a JDBC URL (SQLite or PostgreSQL) with its credentials, the dialect facts the
 * sinks need, and table creation.
 */
public final class Database implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Applied to SQLite URLs that set none of their own: WAL lets readers look while the job writes,
     * synchronous=NORMAL is durable at each WAL checkpoint and much faster per commit, and the busy
     * timeout makes a briefly locked file a wait instead of a failure and a restart.
     */
    static final String SQLITE_PRAGMAS = "journal_mode=WAL&synchronous=NORMAL&busy_timeout=30000";

    private final String url;
    private final String user;
    private final String password;

    public Database(String url, String user, String password) {
        this.url = withDefaults(url);
        this.user = user;
        this.password = password;
    }

    public static Database of(String url) {
        return new Database(url, null, null);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    public String driverClass() {
        if (isSqlite()) {
            return "org.sqlite.JDBC";
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return "org.postgresql.Driver";
        }
        throw new IllegalArgumentException(
                "unsupported URL '" + describe() + "': use jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB");
    }

    /** The URL without credentials or parameters, for log lines. */
    public String describe() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** The SQLite file, or null for a server database or an in-memory SQLite. */
    public Path sqliteFile() {
        if (!isSqlite()) {
            return null;
        }
        String rest = describe().substring("jdbc:sqlite:".length());
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        return rest.isEmpty() || rest.contains(":memory:") ? null : Path.of(rest);
    }

    /**
     * Why the SQLite file can be neither opened nor made, or null when it can (or the database is no SQLite file).
     * Checked before a command starts, leaving nothing behind: a folder on the way that is a file, a folder that
     * cannot be made or written (tried, as root is refused by the file system rather than by permissions: /proc).
     */
    public String sqliteFileProblem() {
        Path file = sqliteFile();
        if (file == null) {
            return null;
        }
        if (Files.isDirectory(file)) {
            return "it is a folder";
        }
        if (Files.exists(file)) {
            return Files.isRegularFile(file) && Files.isReadable(file) && Files.isWritable(file)
                    ? null
                    : "it cannot be read and written";
        }
        Path folder = file.getParent();
        Path missing = file; // the first path under the nearest existing folder: what must be made there
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            missing = existing;
            existing = existing.getParent();
        }
        if (existing == null) {
            existing = Path.of("").toAbsolutePath(); // a relative path whose first folder does not exist yet
        }
        if (!Files.isDirectory(existing)) {
            return existing + " is a file, not a folder";
        }
        boolean makesFolder = missing != file;
        try {
            // SQLite writes the file and, in WAL mode, two more beside it: the folder must take new files.
            Files.delete(
                    makesFolder
                            ? Files.createTempDirectory(existing, ".clickflow-")
                            : Files.createTempFile(existing, ".clickflow-", ".probe"));
        } catch (IOException | UnsupportedOperationException e) {
            return "cannot create " + (makesFolder ? "the folder " : "the file ") + missing + " (" + reason(e) + ")";
        }
        return null;
    }

    /** The operating system's words for a refused file operation, without the probe's own name. */
    private static String reason(Exception e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "the file system refuses new entries there";
        }
        return e.getClass().getSimpleName();
    }

    public Connection connect() throws SQLException {
        try {
            Class.forName(driverClass());
        } catch (ClassNotFoundException e) {
            throw new SQLException("JDBC driver " + driverClass() + " is not on the classpath", e);
        }
        return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
    }

    /** Creates the parent folder of a SQLite file and every table in {@code ddl} that does not exist yet. */
    public void createTables(List<String> ddl) throws SQLException, IOException {
        Path file = sqliteFile();
        if (file != null && file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            for (String statement : ddl) {
                Matcher add = ADD_COLUMN.matcher(statement);
                if (add.matches() && hasColumn(c, add.group(1), add.group(2))) {
                    continue; // a table made by this version already has it
                }
                s.execute(dialect(statement));
            }
        }
    }

    /** {@code ALTER TABLE t ADD COLUMN c ...}: run only where the column is missing (neither database has IF NOT EXISTS for both). */
    private static final Pattern ADD_COLUMN = Pattern.compile("ALTER TABLE (\\w+) ADD COLUMN (\\w+) .*");

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (ResultSet rs = c.getMetaData().getColumns(null, null, table, null)) {
            while (rs.next()) {
                if (rs.getString("COLUMN_NAME").equalsIgnoreCase(column)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The DDL for this database. PostgreSQL compares text by the database's collation (often a
     * language's, where "a" sorts before "Z"), but the upsert guards compare ids and ISO-8601 times and
     * must order them by code point, as SQLite does: every text column gets the "C" collation.
     */
    String dialect(String ddl) {
        return isPostgres() ? ddl.replace(" TEXT", " TEXT COLLATE \"C\"") : ddl;
    }

    private static String withDefaults(String url) {
        if (!url.toLowerCase(Locale.ROOT).startsWith("jdbc:sqlite:") || url.contains("?")) {
            return url;
        }
        return url + "?" + SQLITE_PRAGMAS;
    }
}
