package io.clickflow.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.testing.KafkaTestBroker;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** What serve does when Kafka is missing: one line at start; 503s (never a lost 204) and an unhealthy /health later. */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the broker stops in the last one
class KafkaOutageITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @TempDir
    Path dir;

    ServeCommand command(String... more) {
        String[] base = {
            "--port", "0",
            "--bootstrap-servers", KAFKA.bootstrapServers(),
            "--jdbc-url", "jdbc:sqlite:" + dir.resolve("clickflow.db"),
            "--event-loops", "1",
            "--delivery-timeout", "1s",
            "--health-interval", "500ms"
        };
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return Cli.parse(new ServeCommand(), args);
    }

    @Test
    @Order(1)
    void missingTopicIsOneLineAtStart() {
        assertThatThrownBy(() -> command("--events-topic", "no_such_topic").start())
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith(
                        "topic 'no_such_topic' (--events-topic) does not exist at " + KAFKA.bootstrapServers())
                .hasMessageNotContaining("\n");
    }

    @Test
    @Order(2)
    void brokerGoneMeans503AndUnhealthy() throws Exception {
        KAFKA.createTopics(1, "analytics_events");
        KAFKA_ADDRESS.set(KAFKA.bootstrapServers());
        ApiServer server = command().start();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + server.port();
        try {
            HttpResponse<String> ok = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    base + "/analytics?user=u&click&timestamp=" + System.currentTimeMillis()))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(204);
            assertThat(get(http, base + "/health").statusCode()).isEqualTo(200);

            KAFKA.stop();

            long sent = System.nanoTime();
            HttpResponse<String> refused = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    base + "/analytics?user=u&click&timestamp=" + System.currentTimeMillis()))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body())
                    .startsWith("Kafka did not take the event (retry): ")
                    .endsWith("\n");
            assertThat(refused.body().strip()).doesNotContain("\n");
            // Bounded by --delivery-timeout (1s), with slack for a busy machine.
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));

            // The health check runs in the background; it turns once it has tried the stopped broker.
            await("/health turns 503 with the broker gone")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> get(http, base + "/health").statusCode() == 503);
            HttpResponse<String> health = get(http, base + "/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("Kafka").contains(KAFKA_ADDRESS.get());

            assertThat(get(http, base + "/metrics").body())
                    .contains("clickflow_api_kafka_send_errors_total 1")
                    .contains("clickflow_api_events_accepted_total 1")
                    .contains("clickflow_api_requests_total{route=\"/analytics\",method=\"POST\",status=\"503\"} 1");
            // GETs do not need Kafka.
            assertThat(get(http, base + "/analytics?timestamp=" + System.currentTimeMillis())
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            long closing = System.nanoTime();
            server.close(Duration.ofSeconds(2));
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(15));
        }
    }

    /** The broker's address, kept before it stops (the kit forgets it then). */
    static final AtomicReference<String> KAFKA_ADDRESS = new AtomicReference<>();

    static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
