package io.clickflow.api;

import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP side: one Vert.x server per event loop on one port, routing {@code /analytics}, {@code /health} and
 * {@code /metrics}. Nothing here blocks an event loop: events go to Kafka asynchronously, database reads run on the
 * store's own threads, and answers are written back on the request's event loop.
 */
final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ApiServer.class);

    static final CharSequence TEXT = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    static final CharSequence PROMETHEUS = HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");

    /** What the HTTP side needs besides its collaborators. */
    record Settings(
            String bind,
            int port,
            int eventLoops,
            int maxRequestLine,
            int maxHeaderBytes,
            long maxBodyBytes,
            Duration idleTimeout,
            Requests.Limits limits) {}

    private final Settings settings;
    private final EventProducer producer;
    private final HourlyStatsStore store;
    private final FreshReads freshReads;
    private final Health health;
    private final Metrics metrics;
    private final ResultsPage page;
    private final LongAdder inFlight = new LongAdder();
    private EventLoopServer http;

    private ApiServer(
            Settings settings,
            EventProducer producer,
            HourlyStatsStore store,
            FreshReads freshReads,
            Health health,
            Metrics m,
            ResultsPage page) {
        this.settings = settings;
        this.freshReads = freshReads;
        this.page = page;
        this.producer = producer;
        this.store = store;
        this.health = health;
        this.metrics = m;
    }

    /** Listens with one server per event loop; fails with the reason (e.g. the port is taken). */
    static ApiServer start(
            Settings settings,
            EventProducer producer,
            HourlyStatsStore store,
            FreshReads freshReads,
            Health health,
            Metrics m,
            ResultsPage page)
            throws Exception {
        ApiServer api = new ApiServer(settings, producer, store, freshReads, health, m, page);
        api.http =
                EventLoopServer.start(httpOptions(settings), settings.eventLoops(), vertx -> api::handle, api::invalid);
        return api;
    }

    /** The HTTP server options {@code settings} ask for. */
    static HttpServerOptions httpOptions(Settings settings) {
        return EventLoopServer.options(
                settings.bind(),
                settings.port(),
                settings.maxRequestLine(),
                settings.maxHeaderBytes(),
                settings.idleTimeout());
    }

    int port() {
        return http.port();
    }

    private void handle(HttpServerRequest req) {
        long arrival = System.nanoTime();
        String path = req.path();
        HttpMethod method = req.method();
        // HEAD is answered wherever GET is, as GET: Vert.x then sends the status and headers without the body (the
        // length is set in replyBytes), so a load balancer's HEAD probe sees what a GET would.
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        String route;
        String allow;
        String pageRoute = ResultsPage.route(path);
        if (pageRoute != null) {
            if (bodyWithinLimit(req, pageRoute, arrival)) {
                if (read) {
                    page(req, path, pageRoute, arrival);
                } else {
                    req.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
                    reply(
                            req,
                            pageRoute,
                            arrival,
                            405,
                            "method " + method.name() + " is not allowed (allowed: GET, HEAD)");
                }
            }
            return;
        }
        switch (path) {
            case "/analytics" -> {
                route = "/analytics";
                allow = "GET, HEAD, POST";
            }
            case "/health" -> {
                route = "/health";
                allow = "GET, HEAD";
            }
            case "/metrics" -> {
                route = "/metrics";
                allow = "GET, HEAD";
            }
            default -> {
                reply(
                        req,
                        "other",
                        arrival,
                        404,
                        "no such path (the API is /analytics, /health, /metrics, / and /api/...)");
                return;
            }
        }
        if (!bodyWithinLimit(req, route, arrival)) {
            return;
        }
        if (read) {
            switch (route) {
                case "/analytics" -> get(req, arrival);
                case "/health" -> {
                    String problem = health.problem();
                    reply(req, route, arrival, problem == null ? 200 : 503, problem == null ? health.ok() : problem);
                }
                default -> reply(req, route, arrival, 200, PROMETHEUS, metrics.scrape());
            }
        } else if (method == HttpMethod.POST && route.equals("/analytics")) {
            post(req, arrival);
        } else {
            req.response().putHeader(HttpHeaders.ALLOW, allow);
            reply(
                    req,
                    route,
                    arrival,
                    405,
                    "method " + method.name() + " is not allowed on " + route + " (allowed: " + allow + ")");
        }
    }

    /**
     * The API reads no bodies; a small one is ignored (never buffered), a declared or streamed body beyond the limit
     * is refused with 413 and the connection closed, so no client can make the server read without bound.
     */
    private boolean bodyWithinLimit(HttpServerRequest req, String route, long arrival) {
        String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        long max = settings.maxBodyBytes();
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                n = Long.MAX_VALUE;
            }
            if (n > max) {
                refuseBody(req, route, arrival);
                return false;
            }
        } else if (req.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            req.handler(chunk -> {
                if (req.bytesRead() > max) {
                    if (!req.response().ended()) {
                        refuseBody(req, route, arrival);
                    } else {
                        req.connection().close();
                    }
                }
            });
        }
        return true;
    }

    private void refuseBody(HttpServerRequest req, String route, long arrival) {
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
        reply(req, route, arrival, 413, "request body over " + settings.maxBodyBytes() + " bytes (the API reads none)");
        req.connection().close();
    }

    private void get(HttpServerRequest req, long arrival) {
        Requests.Get get;
        try {
            get = Requests.read(req.query());
        } catch (BadRequest e) {
            reply(req, "/analytics", arrival, 400, e.getMessage());
            return;
        }
        long hour = HourlyStatsStore.hourStart(get.timestamp());
        if (get.fresh()) {
            fresh(req, hour, arrival);
            return;
        }
        HourlyStatsStore.Snapshot hit = store.cached(hour, arrival);
        if (hit != null) {
            replyBytes(req, "/analytics", arrival, 200, TEXT, hit.body());
            return;
        }
        answer(
                req,
                arrival,
                store.load(hour, arrival).thenApply(HourlyStatsStore.Snapshot::body),
                "the database is busy: too many reads waiting (retry)",
                "cannot read hourly_stats: ");
    }

    /** A fresh read: the job's answer once it has counted every event acknowledged before now, or 503. */
    private void fresh(HttpServerRequest req, long hour, long arrival) {
        answer(req, arrival, freshReads.read(hour), "too many reads waiting (retry)", "cannot read freshly (retry): ");
    }

    /**
     * Writes a GET's outcome back on the request's event loop: 200 with the body; else 503 with the timeout's own
     * reason, {@code busy} when too many reads wait, or {@code failed} and the cause.
     */
    private void answer(
            HttpServerRequest req, long arrival, CompletableFuture<byte[]> read, String busy, String failed) {
        Context context = Vertx.currentContext();
        read.whenComplete((body, failure) -> context.runOnContext(v -> {
            Throwable e =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (e == null) {
                replyBytes(req, "/analytics", arrival, 200, TEXT, body);
            } else if (e instanceof FreshReads.Timeout) {
                reply(req, "/analytics", arrival, 503, e.getMessage());
            } else if (e instanceof RejectedExecutionException) {
                reply(req, "/analytics", arrival, 503, busy);
            } else {
                reply(req, "/analytics", arrival, 503, failed + HourlyStatsStore.oneLine(e));
            }
        }));
    }

    /** The results page and its JSON: written back on the request's event loop once read. */
    private void page(HttpServerRequest req, String path, String route, long arrival) {
        Context context = Vertx.currentContext();
        page.get(path, req.query(), arrival)
                .whenComplete((a, failure) -> context.runOnContext(v -> {
                    Throwable e = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    if (e == null) {
                        HttpServerResponse response = req.response();
                        response.putHeader("X-Content-Type-Options", "nosniff");
                        if (a.type().startsWith("text/html")) {
                            response.putHeader("Content-Security-Policy", ResultsPage.CSP);
                        }
                        response.putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
                        replyBytes(req, route, arrival, a.status(), a.type(), a.body());
                    } else if (e instanceof RejectedExecutionException) {
                        reply(req, route, arrival, 503, "the database is busy: too many reads waiting (retry)");
                    } else {
                        reply(req, route, arrival, 503, "cannot read the results: " + HourlyStatsStore.oneLine(e));
                    }
                }));
    }

    private void post(HttpServerRequest req, long arrival) {
        Requests.Post event;
        try {
            event = Requests.post(
                    req.query(),
                    req.headers().get(Requests.IDEMPOTENCY_KEY),
                    System.currentTimeMillis(),
                    settings.limits());
        } catch (BadRequest e) {
            reply(req, "/analytics", arrival, 400, e.getMessage());
            return;
        }
        Context context = Vertx.currentContext();
        inFlight.increment();
        producer.send(
                event,
                e -> context.runOnContext(v -> {
                    inFlight.decrement();
                    if (e == null) {
                        metrics.eventsAccepted.increment();
                        HttpServerResponse response = req.response();
                        if (response.closed()) {
                            metrics.aborted("/analytics", "POST"); // the event is in Kafka all the same
                        } else {
                            response.setStatusCode(204).end();
                            metrics.request("/analytics", "POST", 204, System.nanoTime() - arrival);
                        }
                    } else {
                        metrics.kafkaSendErrors.increment();
                        reply(
                                req,
                                "/analytics",
                                arrival,
                                503,
                                "Kafka did not take the event (retry): " + HourlyStatsStore.oneLine(e));
                    }
                }));
    }

    /**
     * A request Netty could not read: its request line or headers are too long, it is not HTTP, it asks for another
     * HTTP version, or its client closed the connection before the end of its headers.
     */
    private void invalid(HttpServerRequest req) {
        long arrival = System.nanoTime();
        Throwable cause = req.decoderResult().cause();
        if (cause instanceof PrematureChannelClosureException) {
            // Nobody is left to answer: counted as given up, by the route and method its request line named.
            metrics.aborted(route(req.path()), methodLabel(req.method()));
            req.connection().close();
            return;
        }
        int status;
        String reason;
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            reason = "request line over " + settings.maxRequestLine() + " bytes";
        } else if (cause instanceof TooLongHttpHeaderException) {
            status = 431;
            reason = "request headers over " + settings.maxHeaderBytes() + " bytes";
        } else if (cause instanceof HttpVersionGuard.UnsupportedVersion) {
            status = 505;
            reason = cause.getMessage() + " is not served here: send HTTP/1.1 (or HTTP/1.0)";
        } else {
            status = 400;
            reason = "not a valid HTTP/1.1 request";
        }
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
        String method = requestLineRead(req, cause) ? methodLabel(req.method()) : "unknown";
        replyBytes(req, "invalid", method, arrival, status, TEXT, (reason + "\n").getBytes(StandardCharsets.UTF_8));
        req.connection().close();
    }

    /**
     * Whether Netty read the request line of a request it could not decode: when it could not (the line is too long
     * or not HTTP), it hands over a stand-in {@code GET /bad-request HTTP/1.0} whose method is not the client's.
     */
    private static boolean requestLineRead(HttpServerRequest req, Throwable cause) {
        return !(cause instanceof TooLongHttpLineException)
                && !(req.method() == HttpMethod.GET
                        && req.version() == HttpVersion.HTTP_1_0
                        && "/bad-request".equals(req.uri()));
    }

    /** The route label of a path, as {@link #handle} counts it. */
    private static String route(String path) {
        String page = ResultsPage.route(path);
        if (page != null) {
            return page;
        }
        return switch (path) {
            case "/analytics", "/health", "/metrics" -> path;
            default -> "other";
        };
    }

    private void reply(HttpServerRequest req, String route, long arrival, int status, String line) {
        reply(req, route, arrival, status, TEXT, line + "\n");
    }

    private void reply(HttpServerRequest req, String route, long arrival, int status, CharSequence type, String body) {
        replyBytes(req, route, arrival, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private void replyBytes(
            HttpServerRequest req, String route, long arrival, int status, CharSequence type, byte[] body) {
        replyBytes(req, route, methodLabel(req.method()), arrival, status, type, body);
    }

    /** Answers once and counts the answer; a request whose client has gone is counted as given up instead. */
    private void replyBytes(
            HttpServerRequest req,
            String route,
            String method,
            long arrival,
            int status,
            CharSequence type,
            byte[] body) {
        HttpServerResponse response = req.response();
        if (response.ended()) {
            return;
        }
        if (response.closed()) {
            metrics.aborted(route, method);
            return;
        }
        if (req.method() == HttpMethod.HEAD) {
            // Vert.x leaves the length out of a HEAD answer and sends no body: the length says what a GET would get.
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, type).end(Buffer.buffer(body));
        metrics.request(route, method, status, System.nanoTime() - arrival);
    }

    private static String methodLabel(HttpMethod m) {
        return m == HttpMethod.GET
                        || m == HttpMethod.POST
                        || m == HttpMethod.HEAD
                        || m == HttpMethod.PUT
                        || m == HttpMethod.DELETE
                ? m.name()
                : "other";
    }

    /**
     * Stops accepting connections, lets requests under way finish (each connection closes after its current
     * request) for at most {@code grace}, then sends what the producer holds and closes everything.
     */
    void close(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            http.shutdown(grace)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("HTTP servers did not stop within {} ms: {}", grace.toMillis(), HourlyStatsStore.oneLine(e));
        }
        if (inFlight.sum() > 0) {
            LOG.info("Waiting for Kafka to acknowledge {} events", inFlight.sum());
        }
        producer.close(Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), deadline - System.nanoTime())));
        freshReads.close();
        health.close();
        page.close();
        store.close();
        try {
            http.close(Duration.ofSeconds(10));
        } catch (Exception e) {
            LOG.warn("Vert.x did not stop cleanly: {}", HourlyStatsStore.oneLine(e));
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
