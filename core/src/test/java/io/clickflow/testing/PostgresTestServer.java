package io.clickflow.testing;

import io.clickflow.tables.Database;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A {@link LocalPostgres} per test class (without fsync), as a JUnit extension. */
public final class PostgresTestServer implements BeforeAllCallback, AfterAllCallback {
    /** The role clickflow writes as, and its password: tests check it appears in no log. */
    public static final String USER = LocalPostgres.USER;

    public static final String PASSWORD = LocalPostgres.PASSWORD;

    private LocalPostgres server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = LocalPostgres.start(false);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
    }

    public String url(String database) {
        return server.url(database);
    }

    /** A new, empty database on this server, as clickflow would be given it: URL, user and password. */
    public Database newDatabase() throws Exception {
        return server.newDatabase();
    }
}
