package io.clickflow.route;

import io.clickflow.commandline.UsageException;

import picocli.CommandLine.Option;

import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The schema registry's HTTP basic auth: {@code --schema-registry-user} and {@code --schema-registry-password}
 * (which fall back to the environment, so they can stay out of process lists and Flink's Web UI), or a
 * {@code user:password@} in the registry's URL.
 */
public final class RegistryCredentialOptions {
    static final String USER_ENV = "CLICKFLOW_SCHEMA_REGISTRY_USER";
    static final String PASSWORD_ENV = "CLICKFLOW_SCHEMA_REGISTRY_PASSWORD";

    @Option(
            names = "--schema-registry-user",
            paramLabel = "USER",
            description = "avro: user for the registry's HTTP basic auth (or env " + USER_ENV
                    + ", or user:password@ in the URL). Default: none.")
    String user;

    @Option(
            names = "--schema-registry-password",
            paramLabel = "PASSWORD",
            description = "avro: its password (or env " + PASSWORD_ENV + "); never printed or logged.")
    String password;

    /** The checked credentials for the registry at {@code url} (null: no registry), or null when none are given. */
    public RegistryCredentials credentials(String url) {
        return credentials(url, System.getenv());
    }

    RegistryCredentials credentials(String url, Map<String, String> env) {
        if (url == null) {
            if (user != null || password != null) {
                throw new UsageException((user != null ? "--schema-registry-user" : "--schema-registry-password")
                        + ": only with --schema-registry");
            }
            return null;
        }
        RegistryCredentials inUrl = RegistryCredentials.fromUrl(url);
        if (inUrl != null) {
            if (user != null || password != null) {
                throw new UsageException("--schema-registry: give the user and password in the URL or with "
                        + "--schema-registry-user and --schema-registry-password, not both");
            }
            if (!inUrl.hasPassword() || inUrl.user().isEmpty()) {
                throw new UsageException(
                        "--schema-registry: a user in the URL needs its password: " + "https://USER:PASSWORD@HOST/...");
            }
            return inUrl;
        }
        String u = user != null ? user : env.get(USER_ENV);
        String p = password != null ? password : env.get(PASSWORD_ENV);
        String userOption = user != null ? "--schema-registry-user" : "--schema-registry-user (env " + USER_ENV + ")";
        String passwordOption = password != null
                ? "--schema-registry-password"
                : "--schema-registry-password (env " + PASSWORD_ENV + ")";
        if (u == null && p == null) {
            return null;
        }
        if (u == null) {
            throw new UsageException(passwordOption + ": a password needs --schema-registry-user");
        }
        if (p == null) {
            throw new UsageException(userOption + ": a user needs --schema-registry-password");
        }
        if (u.isBlank() || u.contains(":")) {
            throw new UsageException(userOption + ": give a user name without ':' (HTTP basic auth cannot carry one)");
        }
        return new RegistryCredentials(u, p, passwordOption);
    }

    /**
     * Stops the command with one line when the registry does not answer, or refuses the credentials (or asks for
     * some): before the job starts, rather than failing its tasks later.
     */
    public static void check(String url, RegistryCredentials credentials) {
        try {
            HttpSchemaRegistry.checking(url, credentials).ping();
        } catch (UncheckedIOException e) {
            throw refusal(e, credentials);
        }
    }

    /** The one line for a registry that failed a command at start: the option to look at, and why. */
    public static UsageException refusal(UncheckedIOException e, RegistryCredentials credentials) {
        if (e.getCause() instanceof HttpSchemaRegistry.Unauthorized) {
            return new UsageException(
                    credentials == null
                            ? "--schema-registry-user: " + e.getCause().getMessage()
                                    + "; give --schema-registry-user and --schema-registry-password"
                            : credentials.givenBy() + ": " + e.getCause().getMessage());
        }
        return new UsageException("--schema-registry: " + e.getCause().getMessage());
    }
}
