package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.commandline.UsageException;
import io.clickflow.testing.BasicAuthProxy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A schema registry that needs credentials: {@code --schema-registry-user}/{@code --schema-registry-password}, their
 * environment variables or {@code user:password@} in the URL, sent as HTTP basic auth on every request (through
 * a proxy that demands it), never shown; and a refusal at start in one line naming the option.
 */
class RegistryCredentialsTest {
    static final String PASSWORD = "s3cret:P@ss";
    static final String DESTINATIONS =
            "{\"FINANCE\": {\"output_topic\": \"processor.to.finance\", \"output_subject\": \"s\"}}";

    HttpServer registry;
    BasicAuthProxy proxy;

    @BeforeEach
    void start() throws Exception {
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = path.endsWith("/subjects")
                    ? "[]"
                    : path.endsWith("/schemas/ids/1") ? "{\"schema\": \"\\\"string\\\"\"}" : null;
            byte[] bytes = (body == null ? "{\"error_code\": 40403}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        registry.start();
        proxy = new BasicAuthProxy("http://127.0.0.1:" + registry.getAddress().getPort(), "alice", PASSWORD);
    }

    @AfterEach
    void stop() {
        proxy.close();
        registry.stop(0);
    }

    String url() {
        return proxy.base() + "/apis/ccompat/v7";
    }

    static RouteOptions parse(String... args) {
        List<String> all = new ArrayList<>(List.of("--destinations", DESTINATIONS, "--format", "avro"));
        all.addAll(List.of(args));
        return RouteCommand.parse(all.toArray(String[]::new));
    }

    @Test
    void theOptionsGiveBasicAuthOnEveryRequestAndThePasswordIsShownNowhere() throws Exception {
        RouteOptions o = parse(
                "--schema-registry", url(), "--schema-registry-user", "alice", "--schema-registry-password", PASSWORD);

        RouteCommand.checkSchemaRegistry(o);
        SchemaRegistry r = HttpSchemaRegistry.at(o.schemaRegistry, o.schemaRegistryCredentials)
                .open();
        assertThat(r.schema(1).text()).isEqualTo("\"string\"");
        assertThat(r.schema(2)).isNull();

        assertThat(proxy.forwarded.get()).isEqualTo(3);
        assertThat(proxy.refused.get()).isZero();
        assertThat(RouteCommand.describe(o))
                .contains("schema registry " + url() + " as user alice")
                .doesNotContain("s3cret");
        assertThat(o.schemaRegistryCredentials.toString()).isEqualTo("user alice");
        // What Flink ships to its tasks still holds the password: the reader has to use it there.
        ByteArrayOutputStream shipped = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(shipped)) {
            out.writeObject(o.reader());
        }
        assertThat(shipped.toString(StandardCharsets.ISO_8859_1)).contains(PASSWORD);
    }

    @Test
    void aUserAndPasswordInTheUrlAreUsedAndStrippedFromWhatIsShown() {
        String withPassword = url().replace("http://", "http://alice:s3cret%3AP%40ss@");
        RouteOptions o = parse("--schema-registry", withPassword);

        assertThat(o.schemaRegistry).isEqualTo(url());
        assertThat(o.schemaRegistryCredentials.user()).isEqualTo("alice");
        assertThat(RouteCommand.describe(o)).doesNotContain("s3cret");
        RouteCommand.checkSchemaRegistry(o);
        assertThat(proxy.forwarded.get()).isEqualTo(1);

        // The registry's own client takes the URL as it is too (a caller without the options).
        assertThat(HttpSchemaRegistry.checking(withPassword).schema(1).text()).isEqualTo("\"string\"");
        assertThatThrownBy(() -> RouteCommand.checkSchemaRegistry(
                        parse("--schema-registry", url().replace("http://", "http://alice:wrong%40pass@"))))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry: schema registry " + url() + " refused user alice (HTTP 401)");
    }

    @Test
    void aWrongPasswordOrNoneIsRefusedAtStartInOneLineNamingTheOption() {
        assertThatThrownBy(() -> RouteCommand.checkSchemaRegistry(parse(
                        "--schema-registry",
                        url(),
                        "--schema-registry-user",
                        "alice",
                        "--schema-registry-password",
                        "wrong-one")))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry-password: schema registry " + url() + " refused user alice (HTTP 401)");
        assertThatThrownBy(() -> RouteCommand.checkSchemaRegistry(parse("--schema-registry", url())))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry-user: schema registry " + url() + " asks for credentials (HTTP 401); "
                        + "give --schema-registry-user and --schema-registry-password");
        assertThat(proxy.forwarded.get()).isZero();
    }

    @Test
    void aTaskWhoseCredentialsAreRefusedFailsAtOnceInsteadOfMakingDeadLetters() {
        SchemaRegistry r = HttpSchemaRegistry.at(
                        url(), new RegistryCredentials("alice", "wrong-one", "--schema-registry-password"))
                .open();
        RoutingReader reader = new AvroRoutingFields.Opened(r);

        assertThatThrownBy(() -> reader.read(AvroEvents.framed(1, new byte[] {2, 'x'})))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("schema registry " + url() + " refused user alice (HTTP 401)");
        assertThat(proxy.refused.get()).as("not retried").isEqualTo(1);
    }

    @Test
    void theEnvironmentStandsInForTheOptions() {
        RegistryCredentialOptions options = new RegistryCredentialOptions();
        Map<String, String> env =
                Map.of(RegistryCredentialOptions.USER_ENV, "bob", RegistryCredentialOptions.PASSWORD_ENV, PASSWORD);
        RegistryCredentials c = options.credentials("http://r:8081", env);
        assertThat(c.user()).isEqualTo("bob");
        assertThat(c.givenBy()).isEqualTo("--schema-registry-password (env CLICKFLOW_SCHEMA_REGISTRY_PASSWORD)");
        assertThat(options.credentials(null, env))
                .as("no registry, no credentials")
                .isNull();
        assertThat(options.credentials("http://r:8081", Map.of())).isNull();
        options.user = "carol";
        assertThat(options.credentials("http://r:8081", env).user())
                .as("the option wins")
                .isEqualTo("carol");
    }

    @Test
    void credentialsGivenWrongStopTheCommandInOneLine() {
        assertThatThrownBy(() -> parse("--schema-registry", "http://r:8081", "--schema-registry-user", "alice"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry-user: a user needs --schema-registry-password");
        assertThatThrownBy(() -> parse("--schema-registry", "http://r:8081", "--schema-registry-password", "x"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry-password: a password needs --schema-registry-user");
        assertThatThrownBy(() -> parse(
                        "--schema-registry",
                        "http://alice:x@r:8081",
                        "--schema-registry-user",
                        "alice",
                        "--schema-registry-password",
                        "x"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry: give the user and password in the URL or with --schema-registry-user "
                        + "and --schema-registry-password, not both");
        assertThatThrownBy(() -> parse("--schema-registry", "http://alice@r:8081"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--schema-registry: a user in the URL needs its password");
        assertThatThrownBy(() -> parse("--schema-registry", "ftp://alice:s3cret@r:8081"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry: the URL is not an http(s) URL with a host");
        assertThatThrownBy(() -> RouteCommand.parse(
                        "--destinations",
                        DESTINATIONS,
                        "--schema-registry-user",
                        "alice",
                        "--schema-registry-password",
                        "x"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--schema-registry-user: only with --schema-registry");
        assertThat(RegistryCredentials.strip("https://a:b@c@r.example/x?y=1")).isEqualTo("https://r.example/x?y=1");
        assertThat(RegistryCredentials.strip("https://r.example/x@y")).isEqualTo("https://r.example/x@y");
    }
}
