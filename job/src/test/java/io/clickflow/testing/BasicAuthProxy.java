package io.clickflow.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry that demands HTTP basic auth, as a hosted one does: a loopback proxy (the JDK's HTTP server) that
 * answers 401 to a request without the right {@code Authorization} header and forwards every other one to the
 * registry behind it, path, query and body as they are.
 */
public final class BasicAuthProxy implements AutoCloseable {
    private final String target;
    private final String expected;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newHttpClient();
    /** Requests let through, and refused. */
    public final AtomicInteger forwarded = new AtomicInteger();

    public final AtomicInteger refused = new AtomicInteger();

    /** @param target the registry's base (scheme, host, port), e.g. {@code http://127.0.0.1:8080} */
    public BasicAuthProxy(String target, String user, String password) throws IOException {
        URI t = URI.create(target);
        this.target = t.getScheme() + "://" + t.getRawAuthority();
        this.expected =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The proxy's base: {@code target}'s path goes after it. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code url} (of the registry behind) as reached through the proxy. */
    public String through(String url) {
        URI u = URI.create(url);
        return base() + u.getRawPath();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
                respond(exchange, 401, "{\"error_code\": 401, \"message\": \"Unauthorized\"}".getBytes());
                return;
            }
            forwarded.incrementAndGet();
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create(target + exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Content-Type", "Accept")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                respond(exchange, 502, new byte[0]);
                return;
            }
            response.headers()
                    .firstValue("Content-Type")
                    .ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
            respond(exchange, response.statusCode(), response.body());
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
