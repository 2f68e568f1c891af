package io.clickflow.api;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Vert.x as {@code ./clickflow serve} runs it: N event loops, one HTTP/1.1 server per loop on one port, nothing on
 * worker threads. Public so that {@code ./clickflow bench api} runs its ceiling and its Redis peer on exactly this
 * setup.
 */
public final class EventLoopServer {
    private final Vertx vertx;
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private volatile int port;

    private EventLoopServer(int eventLoops) {
        this.vertx =
                Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(1));
    }

    /** The options of every server: HTTP/1.1 only (the limits are HTTP/1.1's), no compression. */
    public static HttpServerOptions options(
            String bind, int port, int maxRequestLine, int maxHeaderBytes, Duration idleTimeout) {
        return new HttpServerOptions()
                .setHost(bind)
                .setPort(port)
                .setMaxInitialLineLength(maxRequestLine)
                .setMaxHeaderSize(maxHeaderBytes)
                .setIdleTimeout((int) Math.max(1, idleTimeout.toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setHttp2ClearTextEnabled(false)
                .setCompressionSupported(false);
    }

    /**
     * Answers a request the HTTP codec could not parse: 400 (505 for another HTTP version) and the connection
     * closed.
     */
    static void refuse(HttpServerRequest req) {
        int status = req.decoderResult().cause() instanceof HttpVersionGuard.UnsupportedVersion ? 505 : 400;
        req.response().setStatusCode(status).putHeader("connection", "close").end();
    }

    /**
     * Starts {@code eventLoops} servers; {@code handlers} is called once per server, on its event loop, so that
     * what a handler holds (e.g. a client) belongs to that loop. Fails with the reason (e.g. the port is taken).
     */
    public static EventLoopServer start(
            HttpServerOptions options,
            int eventLoops,
            Function<Vertx, Handler<HttpServerRequest>> handlers,
            Handler<HttpServerRequest> invalid)
            throws Exception {
        EventLoopServer s = new EventLoopServer(eventLoops);
        try {
            s.vertx
                    .deployVerticle(
                            () -> new VerticleBase() {
                                @Override
                                public Future<?> start() {
                                    return vertx.createHttpServer(options)
                                            .requestHandler(handlers.apply(vertx))
                                            .invalidRequestHandler(invalid)
                                            .connectionHandler(HttpVersionGuard::install)
                                            .listen()
                                            .onSuccess(server -> {
                                                s.servers.add(server);
                                                s.port = server.actualPort();
                                            });
                                }
                            },
                            new DeploymentOptions().setInstances(eventLoops))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw e;
        }
        return s;
    }

    /** The port every server listens on (the one picked when 0 was asked). */
    public int port() {
        return port;
    }

    /** Stops accepting; connections finish their current request within {@code grace}. */
    Future<?> shutdown(Duration grace) {
        return Future.all(servers.stream()
                .map(s -> s.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS))
                .toList());
    }

    /** Closes every server and the event loops, waiting at most {@code timeout}. */
    public void close(Duration timeout) throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
