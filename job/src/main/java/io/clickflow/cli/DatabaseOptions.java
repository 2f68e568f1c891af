package io.clickflow.cli;

import io.clickflow.commandline.UsageException;
import io.clickflow.tables.Database;

import picocli.CommandLine.Option;

/** Where a job's tables are: the JDBC URL and credentials, which fall back to the environment. */
public final class DatabaseOptions {
    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            defaultValue = "jdbc:sqlite:output/clickflow.db",
            description = "Where results go: jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB.")
    String url;

    @Option(names = "--jdbc-user", paramLabel = "USER", description = "Database user (or env CLICKFLOW_JDBC_USER).")
    String user;

    @Option(
            names = "--jdbc-password",
            paramLabel = "PASSWORD",
            description = "Database password (or env CLICKFLOW_JDBC_PASSWORD); never logged.")
    String password;

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
