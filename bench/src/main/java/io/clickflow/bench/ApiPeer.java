package io.clickflow.bench;

import io.clickflow.api.EventLoopServer;
import io.clickflow.api.ServeCommand;
import io.clickflow.commandline.Cli;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The two servers {@code ./clickflow bench api} sets beside {@code ./clickflow serve}, each in its own JVM and on
 * serve's own HTTP setup ({@link ServeCommand#listenWith}, the same options): {@code ceiling} answers every request
 * with a constant, no Kafka, no database; {@code redis PORT} is the design most published answers use, PFADD + INCR
 * per POST and PFCOUNT + MGET per GET, one round trip each, on a Redis server.
 */
public final class ApiPeer {
    static final String LISTENING = "API-PEER-LISTENING ";
    static final CharSequence TEXT = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    private static final long HOUR = 3_600_000L;
    /** As long as a real answer of a busy hour, so the ceiling writes as many bytes. */
    private static final Buffer CONSTANT = Buffer.buffer(
            "unique_users,100000\nclicks,1000000\nimpressions,1000000\n".getBytes(StandardCharsets.UTF_8));

    private ApiPeer() {}

    /** {@code ceiling SERVE-OPTIONS} or {@code redis REDIS-PORT SERVE-OPTIONS}. */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        ServeCommand serve;
        EventLoopServer server;
        if (kind.equals("ceiling")) {
            serve = Cli.parse(new ServeCommand(), Arrays.copyOfRange(args, 1, args.length));
            server = serve.listenWith(vertx -> ApiPeer::constant);
        } else if (kind.equals("redis")) {
            int redisPort = Integer.parseInt(args[1]);
            serve = Cli.parse(new ServeCommand(), Arrays.copyOfRange(args, 2, args.length));
            server = serve.listenWith(vertx -> redis(vertx, redisPort));
        } else {
            throw new IllegalArgumentException("ceiling or redis, not " + kind);
        }
        System.out.println(LISTENING + server.port());
        System.out.flush();
        new CountDownLatch(1).await(); // until the parent ends this JVM
    }

    private static void constant(HttpServerRequest req) {
        if (req.method() == HttpMethod.POST) {
            req.response().setStatusCode(204).end();
        } else {
            req.response().putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(CONSTANT);
        }
    }

    /** One client (its own pool of connections) per event loop, as a Vert.x application would hold it. */
    private static Handler<HttpServerRequest> redis(Vertx vertx, int port) {
        Redis redis = Redis.createClient(
                vertx,
                new RedisOptions()
                        .setConnectionString("redis://127.0.0.1:" + port)
                        .setMaxPoolSize(16)
                        .setMaxPoolWaiting(100_000));
        return req -> {
            long timestamp;
            try {
                timestamp = Long.parseLong(req.getParam("timestamp"));
            } catch (NumberFormatException e) {
                req.response().setStatusCode(400).end("timestamp: digits expected\n");
                return;
            }
            long hour = Math.floorDiv(timestamp, HOUR) * HOUR;
            if (req.method() == HttpMethod.POST) {
                String user = req.getParam("user");
                boolean click = req.params().contains("click");
                if (user == null || user.isEmpty() || click == req.params().contains("impression")) {
                    req.response().setStatusCode(400).end("user and exactly one of click, impression expected\n");
                    return;
                }
                redis.batch(List.of(
                                Request.cmd(Command.PFADD).arg("users:" + hour).arg(user),
                                Request.cmd(Command.INCR).arg((click ? "clicks:" : "impressions:") + hour)))
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                req.response().setStatusCode(204).end();
                            } else {
                                req.response().setStatusCode(503).end("redis: " + ar.cause() + "\n");
                            }
                        });
            } else {
                redis.batch(List.of(
                                Request.cmd(Command.PFCOUNT).arg("users:" + hour),
                                Request.cmd(Command.MGET).arg("clicks:" + hour).arg("impressions:" + hour)))
                        .onComplete(ar -> {
                            if (ar.failed()) {
                                req.response().setStatusCode(503).end("redis: " + ar.cause() + "\n");
                                return;
                            }
                            Response counts = ar.result().get(1);
                            req.response()
                                    .putHeader(HttpHeaders.CONTENT_TYPE, TEXT)
                                    .end("unique_users," + ar.result().get(0).toLong() + "\nclicks," + count(counts, 0)
                                            + "\nimpressions," + count(counts, 1) + "\n");
                        });
            }
        };
    }

    private static long count(Response values, int i) {
        Response v = values.get(i);
        return v == null ? 0 : v.toLong();
    }
}
