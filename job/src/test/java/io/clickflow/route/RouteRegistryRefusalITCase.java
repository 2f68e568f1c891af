package io.clickflow.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.ClickflowRun;
import io.clickflow.testing.BasicAuthProxy;
import io.clickflow.testing.KafkaTestBroker;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    private static ClickflowRun route(String registry, String... credentials) {
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
        return ClickflowRun.run(all);
    }

    @Test
    @Timeout(60)
    void aWrongPasswordStopsTheCommandAtStartInOneLineNamingTheOption() throws Exception {
        try (BasicAuthProxy proxy = new BasicAuthProxy("http://127.0.0.1:1", USER, PASSWORD)) {
            String url = proxy.base() + "/apis/ccompat/v7";

            ClickflowRun run = route(url, "--schema-registry-user", USER, "--schema-registry-password", WRONG);

            assertThat(run.code()).as("stderr: %s", run.err()).isEqualTo(2);
            assertThat(run.err())
                    .isEqualTo("clickflow route: --schema-registry-password: schema registry " + url + " refused user "
                            + USER + " (HTTP 401)" + System.lineSeparator());
            assertThat(run.out()).contains("Route: ").doesNotContain(WRONG).doesNotContain("Job ");

            ClickflowRun inUrl = route(url.replace("http://", "http://" + USER + ":" + WRONG + "@"));

            assertThat(inUrl.code()).as("stderr: %s", inUrl.err()).isEqualTo(2);
            assertThat(inUrl.err())
                    .isEqualTo("clickflow route: --schema-registry: schema registry " + url + " refused user " + USER
                            + " (HTTP 401)" + System.lineSeparator());
            assertThat(inUrl.out()).contains("schema registry " + url).doesNotContain(WRONG);
            assertThat(proxy.refused.get()).isEqualTo(2);
            assertThat(proxy.forwarded.get()).isZero();
        }
    }
}
