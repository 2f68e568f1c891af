package io.clickflow.testing;

import io.clickflow.commandline.ChildProcesses;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Confluent-compatible schema registry (Apicurio Registry 2.6, in-memory storage) as a child process,
 * started once per test class; the build unpacks it before the integration tests (system property
 * {@code clickflow.apicurio.dir}).
 */
public final class ApicurioTestRegistry implements BeforeAllCallback, AfterAllCallback {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private int port;
    private Duration startTime;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path dir = Path.of(System.getProperty("clickflow.apicurio.dir", "target/apicurio-registry"));
        Path runner;
        try (var files = Files.list(dir)) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
                    .findFirst()
                    .orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "no Apicurio Registry under " + dir.toAbsolutePath()
                            + ": run through mvn verify (the job module unpacks it before the integration tests)",
                    e);
        }
        port = ChildProcesses.freePort();
        Path log = Files.createTempFile("apicurio-registry", ".log");
        List<String> command = new ArrayList<>(List.of(
                ChildProcesses.javaBin(),
                "-Xmx256m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                // Ids numbered per registered version (global ids), not per content: a schema registered under
                // two subjects gets two ids, so a test sees the router reframe a record for its destination.
                "-Dregistry.ccompat.legacy-id-mode.enabled=true",
                "-jar",
                runner.toString()));
        long started = System.nanoTime();
        process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Waits.until(
                () -> !process.isAlive() || answers(),
                START_TIMEOUT,
                "Apicurio Registry did not answer on port " + port + "; its log: " + log);
        if (!process.isAlive()) {
            throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + "; log: " + log);
        }
        startTime = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("Apicurio Registry ready on port " + port + " after " + startTime.toMillis() + " ms");
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The Confluent-compatible API's base URL, as {@code --schema-registry} takes it. */
    public String url() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public Duration startTime() {
        return startTime;
    }

    /** Registers {@code schema} under {@code subject}, straight over HTTP; returns its id. */
    public int register(String subject, String schema) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("schema", schema));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return id(send(HttpRequest.newBuilder(URI.create(url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body))));
    }

    /**
     * Registers {@code schema} under {@code subject} with Confluent schema references, each {@code {name, subject,
     * version}}; returns its id.
     */
    public int register(String subject, String schema, List<Map<String, Object>> references) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("schema", schema, "references", references));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return id(send(HttpRequest.newBuilder(URI.create(url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body))));
    }

    /** The id of the latest schema under {@code subject}. */
    public int latestId(String subject) {
        return id(send(HttpRequest.newBuilder(URI.create(url() + "/subjects/" + subject + "/versions/latest"))
                .GET()));
    }

    /** The ids of every version registered under {@code subject}. */
    public List<Integer> versionIds(String subject) {
        try {
            List<Integer> ids = new ArrayList<>();
            for (var version : JSON.readTree(get("/subjects/" + subject + "/versions"))) {
                ids.add(id(get("/subjects/" + subject + "/versions/" + version.asInt())));
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry's answer to {@code GET path} (under {@link #url()}), which must be a 200. */
    public String get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).GET());
    }

    private boolean answers() {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String send(HttpRequest.Builder request) {
        HttpRequest r = request.build();
        try {
            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        r.method() + " " + r.uri() + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int id(String body) {
        try {
            return JSON.readTree(body).get("id").asInt();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("no id in " + body, e);
        }
    }

    /** The text of the schema of {@code id}. */
    public String schema(int id) {
        try {
            return JSON.readTree(get("/schemas/ids/" + id)).get("schema").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
