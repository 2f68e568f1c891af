package io.clickflow.route;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A Confluent-compatible registry over HTTP ({@code GET /schemas/ids/{id}}, {@code POST
 * /subjects/{subject}/versions}), on the JDK's client: Confluent's own client is not on Maven Central. Network
 * errors and 5xx answers are retried with a doubling backoff, then thrown.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final int attempts;
    private final Duration firstBackoff;
    private final HttpClient client;

    HttpSchemaRegistry(String url, int attempts, Duration firstBackoff) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.attempts = attempts;
        this.firstBackoff = firstBackoff;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /**
     * The registry at {@code url}, retried 6 times from 0.5 s (about 30 s in all) before the task fails: long
     * enough for a registry restart, short enough that Flink's restart shows the outage.
     */
    public static Factory at(String url) {
        return () -> new HttpSchemaRegistry(url, 6, Duration.ofMillis(500));
    }

    /** Fails fast (one attempt) for the command's check at start. */
    public static HttpSchemaRegistry checking(String url) {
        return new HttpSchemaRegistry(url, 1, Duration.ZERO);
    }

    /** Any answer from the registry proves it is there; the command calls this before starting the job. */
    public void ping() {
        call(HttpRequest.newBuilder(URI.create(url + "/subjects")).GET());
    }

    @Override
    public String schema(int id) {
        Answer a = call(
                HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).GET());
        if (a.status == 404) {
            return null;
        }
        return a.field("schema").asText();
    }

    @Override
    public int register(String subject, String schema) throws RoutingReader.Refused {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("schema", schema));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String subjectUrl = url + "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(subjectUrl + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        Answer a = call(request);
        if (a.status == 409) {
            // Subtasks registering under a new subject at once: Apicurio answers 409 "already exists" to all but
            // the first. Looking the schema up under the subject gives the first one's id without a second
            // version; if it is not there, registering again tells a real refusal (an incompatible schema).
            Answer lookup = call(HttpRequest.newBuilder(URI.create(subjectUrl))
                    .header("Content-Type", CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofString(body)));
            a = lookup.status == 200 ? lookup : call(request);
        }
        if (a.status >= 400) {
            throw new RoutingReader.Refused(
                    "subject " + subject + " refused it (" + a.status + " " + a.message() + ")");
        }
        return a.field("id").asInt();
    }

    private Answer call(HttpRequest.Builder request) {
        HttpRequest r = request.timeout(TIMEOUT).header("Accept", CONTENT_TYPE).build();
        Duration backoff = firstBackoff;
        String problem = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                pause(backoff);
                backoff = backoff.multipliedBy(2);
            }
            try {
                HttpResponse<String> response = client.send(r, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() < 500) {
                    return new Answer(response.statusCode(), response.body(), r);
                }
                problem = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted calling the schema registry", e));
            }
        }
        throw new UncheckedIOException(new IOException("schema registry " + url + " not usable after " + attempts
                + (attempts == 1 ? " attempt" : " attempts") + " (" + r.method() + " " + r.uri() + "): " + problem));
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted calling the schema registry", e));
        }
    }

    /** A registry's answer below 500. */
    private record Answer(int status, String body, HttpRequest request) {
        JsonNode field(String name) {
            if (status >= 300) {
                throw new UncheckedIOException(new IOException("schema registry: " + request.method() + " "
                        + request.uri() + " answered " + status + " " + body));
            }
            try {
                JsonNode value = JSON.readTree(body).get(name);
                if (value == null) {
                    throw new IOException("no \"" + name + "\" in " + body);
                }
                return value;
            } catch (IOException e) {
                throw new UncheckedIOException(
                        new IOException("schema registry: unexpected answer to " + request.uri() + ": " + body, e));
            }
        }

        /** The registry's {@code message}, or the body as it is. */
        String message() {
            try {
                JsonNode m = JSON.readTree(body).get("message");
                return m == null ? body : m.asText();
            } catch (IOException e) {
                return body;
            }
        }
    }
}
