package io.clickflow.commandline;

import io.clickflow.tables.Database;

import picocli.CommandLine.Option;

/**
 * Where the tables are, for the jobs and for {@code serve}: the JDBC URL and credentials, which fall back to the
 * environment.
 */
public final class DatabaseOptions {
    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            defaultValue = "jdbc:sqlite:output/clickflow.db",
            // serve reads what a job wrote: its resource bundle says so under this key.
            descriptionKey = "jdbc-url",
            description = "Where results go: jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB.")
    private String url;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "Database user (or env CLICKFLOW_JDBC_USER).")
    private String user;

    @Option(
            names = "--jdbc-password",
            paramLabel = "PASSWORD",
            description = "Database password (or env CLICKFLOW_JDBC_PASSWORD); never logged.")
    private String password;

    /**
     * The database; credentials fall back to the environment so they stay out of process lists. A SQLite file that
     * cannot be made is refused here, before anything starts, rather than when the job creates its tables.
     */
    public Database database() {
        Database db = new Database(
                url,
                user != null ? user : System.getenv("CLICKFLOW_JDBC_USER"),
                password != null ? password : System.getenv("CLICKFLOW_JDBC_PASSWORD"));
        try {
            db.driverClass();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--jdbc-url: " + e.getMessage());
        }
        String problem = db.sqliteFileProblem();
        if (problem != null) {
            throw new UsageException("--jdbc-url: cannot use the SQLite file " + db.sqliteFile() + ": " + problem);
        }
        return db;
    }
}
