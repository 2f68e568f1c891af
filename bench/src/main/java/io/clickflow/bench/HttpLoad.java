package io.clickflow.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * HTTP/1.1 load from this JVM over loopback, non-blocking (Vert.x's client on its own event loops): a closed loop
 * (each connection sends its next request when the last answered) for the peak, and an open loop at a fixed rate
 * whose latencies count from each request's intended send time, so a stall delays every request due during it
 * (coordinated omission corrected). A fresh client (and connections) per step.
 */
final class HttpLoad implements AutoCloseable {
    /** Highest latency the histograms hold; anything slower is recorded as this. */
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);
    /** How long an open-loop step runs at its rate before it measures. */
    static final Duration LEAD_IN = Duration.ofSeconds(2);
    /** How long an open-loop step waits for its last answers after its last send. */
    private static final Duration DRAIN = Duration.ofSeconds(10);

    /** One request: method and path with query. */
    record Call(HttpMethod method, String uri) {}

    /** An answer: status (0 when the request failed) and body. */
    record Answer(int status, Buffer body) {}

    /** What one step measured. */
    record Step(long ok, long errors, long unanswered, long nanos, Histogram latencyMicros) {
        double perSecond() {
            return ok / (nanos / 1e9);
        }
    }

    private final Vertx vertx;
    private final int threads;
    private final int port;

    HttpLoad(int threads, int port) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads));
        this.threads = threads;
        this.port = port;
    }

    HttpClientAgent client(int connections) {
        return vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(port)
                        .setKeepAlive(true)
                        .setPipelining(false)
                        .setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    }

    static Future<Answer> send(HttpClientAgent client, Call call) {
        return answer(client.request(call.method(), call.uri()));
    }

    /** As {@link #send}, with the probes' idle timeout: a lost answer becomes status 0. */
    static Future<Answer> sendTimed(HttpClientAgent client, Call call) {
        return answer(client.request(new RequestOptions()
                .setMethod(call.method())
                .setURI(call.uri())
                // The connect timeout also bounds the wait for a pooled connection, which the idle one does not.
                .setConnectTimeout(PROBE_IDLE_TIMEOUT_MILLIS)
                .setIdleTimeout(PROBE_IDLE_TIMEOUT_MILLIS)));
    }

    /** Sends the request and reads its whole answer; any failure is status 0. */
    private static Future<Answer> answer(Future<HttpClientRequest> request) {
        return request.compose(r -> r.send())
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)))
                .recover(e -> Future.succeededFuture(new Answer(0, null)));
    }

    /**
     * How long a probe or check waits for any byte of its answer before it counts as lost (status 0): a lost request
     * must not stall a measurement for the whole wait below.
     */
    static final long PROBE_IDLE_TIMEOUT_MILLIS = 2_000;

    /** Blocking, for probes and checks: status 0 when no byte came for {@link #PROBE_IDLE_TIMEOUT_MILLIS}. */
    static Answer sendAndWait(HttpClientAgent client, Call call) throws Exception {
        return sendAndWait(client, call, 10_000);
    }

    /** As {@link #sendAndWait(HttpClientAgent, Call)}, giving up (TimeoutException) after {@code millis}. */
    static Answer sendAndWait(HttpClientAgent client, Call call, long millis) throws Exception {
        return sendTimed(client, call).toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
    }

    private static boolean ok(Answer a) {
        return a.status() >= 200 && a.status() < 300;
    }

    /** {@code connections} requests always under way for {@code duration}; latency from each send. */
    Step closedLoop(int connections, Duration duration, Supplier<Call> calls) throws Exception {
        HttpClientAgent client = client(connections);
        try {
            return closedLoop(client, connections, duration, calls);
        } finally {
            client.close();
        }
    }

    private Step closedLoop(HttpClientAgent client, int connections, Duration duration, Supplier<Call> calls)
            throws Exception {
        Histogram h = new Histogram(MAX_MICROS, 3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        CountDownLatch done = new CountDownLatch(connections);
        for (int c = 0; c < connections; c++) {
            vertx.runOnContext(v -> loop(client, calls, end, h, ok, errors, done));
        }
        if (!done.await(duration.toMillis() + DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the closed loop did not end: requests unanswered for 10 s");
        }
        return new Step(ok.get(), errors.get(), 0, System.nanoTime() - start, h);
    }

    /** One request on each connection at once, so an open-loop step does not time the opening of its connections. */
    private static void connect(HttpClientAgent client, int connections, Supplier<Call> calls) throws Exception {
        List<Future<Answer>> first = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            first.add(send(client, calls.get()));
        }
        Future.join(first).toCompletionStage().toCompletableFuture().get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void loop(
            HttpClientAgent client,
            Supplier<Call> calls,
            long end,
            Histogram h,
            AtomicLong ok,
            AtomicLong errors,
            CountDownLatch done) {
        long sent = System.nanoTime();
        if (sent >= end) {
            done.countDown();
            return;
        }
        send(client, calls.get()).onComplete(ar -> {
            record(h, System.nanoTime() - sent);
            (ok(ar.result()) ? ok : errors).incrementAndGet();
            loop(client, calls, end, h, ok, errors, done);
        });
    }

    /**
     * {@code rate} requests per second for {@code duration}, each due at start + i / rate whether or not earlier ones
     * were answered; latency from that due time to the answer. A request due while every connection has one under way
     * waits in this generator's own queue (first in, first out) for the next free one, as in wrk2, rather than in the
     * HTTP client's pool: under a backlog the pool's waiters cost the generator more per request than it could catch
     * up with (BENCHMARKS.md). The first {@link #LEAD_IN} runs at the rate unmeasured, the step's transient (its
     * connections' first requests, the JIT of this path), as wrk2 calibrates before it records.
     */
    Step openLoop(int connections, double rate, Duration duration, Supplier<Call> calls) throws Exception {
        HttpClientAgent client = client(connections);
        try {
            connect(client, connections, calls);
            Histogram h = new Histogram(MAX_MICROS, 3);
            AtomicLong ok = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            AtomicLong lastAnswer = new AtomicLong();
            long lead = (long) (rate * LEAD_IN.toNanos() / 1e9);
            long total = lead + (long) (rate * duration.toNanos() / 1e9);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            long measuredFrom = start + (long) (lead * 1e9 / rate);
            // One pacing timer per client event loop, each sending every threads-th request on its share of the
            // connections, all from its loop (so its queue and count need no lock).
            CountDownLatch allSent = new CountDownLatch(threads);
            CountDownLatch answered = new CountDownLatch((int) Math.min(Integer.MAX_VALUE, total - lead));
            for (int t = 0; t < threads; t++) {
                int lane = t;
                int laneConnections = Math.max(1, connections / threads + (lane < connections % threads ? 1 : 0));
                vertx.runOnContext(v -> {
                    Context laneContext = Vertx.currentContext();
                    // The requests due and not yet sent are this lane's indexes from next up to due: a queue that
                    // needs no storage, each one's intended time computed from its index.
                    long[] next = {lane};
                    long[] due = {0};
                    int[] underWay = {0};
                    Runnable[] pump = new Runnable[1];
                    pump[0] = () -> {
                        while (underWay[0] < laneConnections && next[0] < due[0]) {
                            long intended = start + (long) (next[0] * 1e9 / rate);
                            next[0] += threads;
                            underWay[0]++;
                            send(client, calls.get()).onComplete(ar -> {
                                long at = System.nanoTime();
                                if (intended >= measuredFrom) {
                                    record(h, at - intended);
                                    (ok(ar.result()) ? ok : errors).incrementAndGet();
                                    lastAnswer.accumulateAndGet(at, Math::max);
                                    answered.countDown();
                                }
                                // A pooled connection may answer on another loop's thread: the queue is this lane's.
                                if (Vertx.currentContext() == laneContext) {
                                    underWay[0]--;
                                    pump[0].run();
                                } else {
                                    laneContext.runOnContext(x -> {
                                        underWay[0]--;
                                        pump[0].run();
                                    });
                                }
                            });
                        }
                    };
                    vertx.setPeriodic(1, id -> {
                        due[0] = Math.min(total, (long) ((System.nanoTime() - start) * rate / 1e9) + 1);
                        pump[0].run();
                        if (due[0] >= total) {
                            vertx.cancelTimer(id);
                            allSent.countDown();
                        }
                    });
                });
            }
            if (!allSent.await(LEAD_IN.toMillis() + duration.toMillis() + DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the load generator could not send its requests in time");
            }
            answered.await(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
            long unanswered = answered.getCount();
            long nanos = Math.max(duration.toNanos(), lastAnswer.get() - measuredFrom);
            synchronized (h) {
                return new Step(ok.get(), errors.get(), unanswered, nanos, h.copy());
            }
        } finally {
            client.close();
        }
    }

    private static void record(Histogram h, long nanos) {
        long micros = Math.max(0, Math.min(MAX_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
        synchronized (h) {
            h.recordValue(micros);
        }
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
