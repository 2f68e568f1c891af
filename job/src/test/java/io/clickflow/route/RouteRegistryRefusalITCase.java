package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.Clickflow;
import io.clickflow.testing.BasicAuthProxy;
import io.clickflow.testing.KafkaTestBroker;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code ./clickflow route} against a registry that demands HTTP basic auth (a proxy that refuses before it would
 * forward anything) and a real broker, so the command gets past its topic check: a wrong password, as an option or
 * in the URL, stops it at start with exit code 2 and one line that names the option and shows no password.
 * Without a MiniCluster extension, so the command runs as it does from a shell.
 */
class RouteRegistryRefusalITCase {
    static final String USER = "router";
    static final String PASSWORD = "c0rrect:h0rse@battery";
    static final String WRONG = "not-the-h0rse";

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @BeforeAll
    static void topics() throws Exception {
        KAFKA.createTopics(1, "wrong.input", "wrong.finance", "wrong.dead-letters");
    }

    private record Run(int code, String out, String err) {}

    private static Run route(String registry, String... credentials) {
        String[] args = {
            "route",
            "--bootstrap-servers",
            KAFKA.bootstrapServers(),
            "--input-topic",
            "wrong.input",
            "--destinations",
            "{\"FINANCE\": {\"output_topic\": \"wrong.finance\", \"output_subject\": \"wrong.finance-value\"}}",
            "--dead-letter-topic",
            "wrong.dead-letters",
            "--format",
            "avro",
            "--schema-registry",
            registry
        };
        String[] all = new String[args.length + credentials.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(credentials, 0, all, args.length, credentials.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Clickflow.execute(Clickflow.commandLine(), all);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    @Timeout(60)
    void aWrongPasswordStopsTheCommandAtStartInOneLineNamingTheOption() throws Exception {
        try (BasicAuthProxy proxy = new BasicAuthProxy("http://127.0.0.1:1", USER, PASSWORD)) {
            String url = proxy.base() + "/apis/ccompat/v7";

            Run run = route(url, "--schema-registry-user", USER, "--schema-registry-password", WRONG);

            assertThat(run.code).as("stderr: %s", run.err).isEqualTo(2);
            assertThat(run.err)
                    .isEqualTo("clickflow route: --schema-registry-password: schema registry " + url + " refused user "
                            + USER + " (HTTP 401)" + System.lineSeparator());
            assertThat(run.out).contains("Route: ").doesNotContain(WRONG).doesNotContain("Job ");

            Run inUrl = route(url.replace("http://", "http://" + USER + ":" + WRONG + "@"));

            assertThat(inUrl.code).as("stderr: %s", inUrl.err).isEqualTo(2);
            assertThat(inUrl.err)
                    .isEqualTo("clickflow route: --schema-registry: schema registry " + url + " refused user " + USER
                            + " (HTTP 401)" + System.lineSeparator());
            assertThat(inUrl.out).contains("schema registry " + url).doesNotContain(WRONG);
            assertThat(proxy.refused.get()).isEqualTo(2);
            assertThat(proxy.forwarded.get()).isZero();
        }
    }
}
