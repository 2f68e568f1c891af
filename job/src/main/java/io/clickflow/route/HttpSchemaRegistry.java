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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Confluent-compatible registry over HTTP ({@code GET /schemas/ids/{id}}, {@code GET
 * /subjects/{subject}/versions/{version}}, {@code POST /subjects/{subject}/versions}), on the JDK's client (so
 * {@code https://} trusts what the JVM trusts): Confluent's own client is not on Maven Central. Network errors and
 * 5xx answers are retried with a doubling backoff, then thrown; a 401 is thrown at once. With credentials, every
 * request carries them as HTTP basic auth.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    /** Null: no Authorization header. */
    private final RegistryCredentials credentials;

    private final int attempts;
    private final Duration firstBackoff;
    private final HttpClient client;

    HttpSchemaRegistry(String url, int attempts, Duration firstBackoff) {
        this(url, null, attempts, firstBackoff);
    }

    /** {@code credentials} null: those of the URL's {@code user:password@}, if any. */
    HttpSchemaRegistry(String url, RegistryCredentials credentials, int attempts, Duration firstBackoff) {
        String u = RegistryCredentials.strip(url);
        this.url = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
        this.credentials = credentials != null ? credentials : RegistryCredentials.fromUrl(url);
        this.attempts = attempts;
        this.firstBackoff = firstBackoff;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /**
     * The registry at {@code url}, retried 6 times from 0.5 s (about 30 s in all) before the task fails: long
     * enough for a registry restart, short enough that Flink's restart shows the outage.
     */
    public static Factory at(String url) {
        return at(url, null);
    }

    /** As {@link #at(String)}, with HTTP basic auth ({@code credentials} null: none, or the URL's). */
    public static Factory at(String url, RegistryCredentials credentials) {
        return () -> new HttpSchemaRegistry(url, credentials, 6, Duration.ofMillis(500));
    }

    /** Fails fast (one attempt) for the command's check at start. */
    public static HttpSchemaRegistry checking(String url) {
        return checking(url, null);
    }

    /** As {@link #checking(String)}, with HTTP basic auth. */
    public static HttpSchemaRegistry checking(String url, RegistryCredentials credentials) {
        return new HttpSchemaRegistry(url, credentials, 1, Duration.ZERO);
    }

    /**
     * Any answer but a refusal of access proves the registry is there and lets the router in; the command calls
     * this before starting the job.
     *
     * @throws UncheckedIOException with an {@link Unauthorized} cause when the registry refuses the credentials (or
     *     asks for some)
     */
    public void ping() {
        Answer a = call(HttpRequest.newBuilder(URI.create(url + "/subjects")).GET());
        if (a.status == 403) {
            throw unauthorized(a.status);
        }
    }

    @Override
    public Registered schema(int id) {
        return registered(call(
                HttpRequest.newBuilder(URI.create(url + "/schemas/ids/" + id)).GET()));
    }

    @Override
    public Registered schema(String subject, int version) {
        return registered(call(HttpRequest.newBuilder(URI.create(subjectUrl(subject) + "/versions/" + version))
                .GET()));
    }

    /** The schema of an answer, or null for a 404. */
    private static Registered registered(Answer a) {
        if (a.status == 404) {
            return null;
        }
        String text = a.field("schema").asText();
        JsonNode refs = a.optional("references");
        if (refs == null || refs.isNull() || refs.isEmpty()) {
            return new Registered(text, List.of());
        }
        List<Reference> references = new ArrayList<>(refs.size());
        for (JsonNode r : refs) {
            if (!r.path("name").isTextual()
                    || !r.path("subject").isTextual()
                    || !r.path("version").canConvertToInt()) {
                throw new UncheckedIOException(new IOException(
                        "schema registry: unexpected reference " + r + " in the answer to " + a.request.uri()));
            }
            references.add(new Reference(
                    r.get("name").asText(),
                    r.get("subject").asText(),
                    r.get("version").asInt()));
        }
        return new Registered(text, references);
    }

    @Override
    public int register(String subject, Registered schema) throws RoutingReader.Refused {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("schema", schema.text());
        if (!schema.references().isEmpty()) {
            // The references as the writer schema has them: its named types stay in their own subjects.
            List<Map<String, Object>> refs = new ArrayList<>();
            for (Reference r : schema.references()) {
                refs.add(Map.of("name", r.name(), "subject", r.subject(), "version", r.version()));
            }
            fields.put("references", refs);
        }
        String body;
        try {
            body = JSON.writeValueAsString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String subjectUrl = subjectUrl(subject);
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

    private String subjectUrl(String subject) {
        return url + "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }

    private Answer call(HttpRequest.Builder request) {
        request.timeout(TIMEOUT).header("Accept", CONTENT_TYPE);
        if (credentials != null) {
            request.header("Authorization", credentials.header());
        }
        HttpRequest r = request.build();
        Duration backoff = firstBackoff;
        String problem = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                pause(backoff);
                backoff = backoff.multipliedBy(2);
            }
            try {
                HttpResponse<String> response = client.send(r, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 401) {
                    // Credentials do not get better by asking again: the task fails (and the command refuses at start).
                    throw unauthorized(401);
                }
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

    private UncheckedIOException unauthorized(int status) {
        Unauthorized u = new Unauthorized("schema registry " + url
                + (credentials == null
                        ? " asks for credentials (HTTP " + status + ")"
                        : " refused " + credentials + " (HTTP " + status + ")"));
        return new UncheckedIOException(u.getMessage(), u);
    }

    /** The registry refused the router's credentials, or asked for some. */
    public static final class Unauthorized extends IOException {
        private static final long serialVersionUID = 1L;

        Unauthorized(String message) {
            super(message);
        }
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

        /** A field of a 2xx answer that may be absent (null then). */
        JsonNode optional(String name) {
            try {
                return JSON.readTree(body).get(name);
            } catch (IOException e) {
                return null;
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
