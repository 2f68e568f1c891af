package io.clickflow.bench;

import static io.clickflow.bench.ApiBench.HOUR;
import static io.clickflow.bench.ApiBench.TOPIC_PARTITIONS;

import io.clickflow.commandline.Durations;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code ./clickflow bench api}'s freshness case: how long after its 204 a POST is counted by a GET of its hour, and
 * how fast {@code GET ...&fresh} answers meanwhile, under POSTs of the mix at a fixed rate.
 */
final class ApiFreshness {
    /** A freshness probe (a new user) is posted this often, one at a time. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
    /** The freshness poller's GET interval: the resolution of "visible". */
    static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    /** A poll GET not answered within this is counted lost and the next is sent (serve answers in milliseconds). */
    static final long POLL_GIVE_UP_MILLIS = 250;
    /** A probe not visible this long after the last probe was posted counts as never visible. */
    static final Duration PROBE_DEADLINE = Duration.ofSeconds(15);

    private final int users;
    private final Duration duration;
    private final int clientThreads;
    private final int backgroundConnections;
    private final Supplier<HttpLoad.Call> postMix;

    /**
     * @param users the pool the mix posts from, all posted to the hour before the probes start
     * @param duration how long the probes run
     * @param backgroundConnections the load generator's connections for the mix's POSTs
     */
    ApiFreshness(
            int users,
            Duration duration,
            int clientThreads,
            int backgroundConnections,
            Supplier<HttpLoad.Call> postMix) {
        this.users = users;
        this.duration = duration;
        this.clientThreads = clientThreads;
        this.backgroundConnections = backgroundConnections;
        this.postMix = postMix;
    }

    /** POST-to-visible-in-GET: probes sent, those seen, p50/p99/max in ms; and the fresh GETs asked meanwhile. */
    record Freshness(
            double backgroundRate,
            int probes,
            int seen,
            double p50,
            double p99,
            double max,
            String note,
            FreshGets freshGets) {}

    /**
     * {@code GET ...&fresh} every {@link #PROBE_INTERVAL} during the freshness case: how many were answered, how many
     * failed (not 200), how many counted fewer probes than had their 204 when they were asked (a broken guarantee),
     * and their latency p50/p99/max in ms.
     */
    record FreshGets(int answered, int failed, int missing, double p50, double p99, double max) {}

    /**
     * While POSTs of the mix arrive at {@code backgroundRate} (open loop), a probe every 100 ms POSTs a user nobody
     * posted before to the current hour, and a poller GETs the current hour every 10 ms. The pool's users were all
     * posted to this hour first, so only probes raise unique_users; probes go to one partition (their key's
     * hash), so the job sees them in order and probe i is visible once unique_users reaches base + i.
     */
    Freshness measure(int port, double backgroundRate) throws Exception {
        long toNextHour = HOUR - System.currentTimeMillis() % HOUR;
        long needed = duration.toMillis() + users / 1000 * 1000L + 30_000;
        if (toNextHour < needed) {
            System.out.printf("Freshness: waiting %d s for the next hour to begin...%n", toNextHour / 1000 + 2);
            Thread.sleep(toNextHour + 2000);
        }
        long hour = Math.floorDiv(System.currentTimeMillis(), HOUR) * HOUR;
        System.out.printf(
                Locale.ROOT,
                "Freshness: probes every %d ms for %s under %,.0f POSTs/s; posting the %,d pool users to this hour "
                        + "first...%n",
                PROBE_INTERVAL.toMillis(),
                Durations.format(duration),
                backgroundRate,
                users);
        try (HttpLoad load = new HttpLoad(clientThreads, port)) {
            HttpClientAgent client = load.client(4);
            prime(client);
            long base = awaitUniqueUsers(client, hour, users);
            int n = (int) (duration.toMillis() / PROBE_INTERVAL.toMillis());
            Probes probes = new Probes(n);
            String[] probeUsers = probeUsers(n);
            CompletableFuture<HttpLoad.Step> background = CompletableFuture.supplyAsync(() -> {
                try {
                    return load.openLoop(backgroundConnections, backgroundRate, duration, postMix);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread poller = new Thread(() -> poll(client, hour, base, probes), "freshness-poller");
            poller.setDaemon(true);
            poller.start();
            CompletableFuture<FreshGets> freshGets =
                    CompletableFuture.supplyAsync(() -> readFresh(client, hour, base, probes));
            long next = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the probes, not ordering anything
                }
                next += PROBE_INTERVAL.toNanos();
                if (Math.floorDiv(System.currentTimeMillis(), HOUR) * HOUR != hour) {
                    break; // the hour ended: later probes would count in the next one
                }
                long t = System.nanoTime();
                HttpLoad.Answer a = HttpLoad.sendAndWait(
                        client,
                        new HttpLoad.Call(
                                HttpMethod.POST,
                                "/analytics?timestamp=" + System.currentTimeMillis() + "&user=" + probeUsers[i]
                                        + "&impression"));
                if (a.status() != 204) {
                    throw new IllegalStateException("a freshness probe got " + a.status() + ": " + a.body());
                }
                synchronized (probes) {
                    probes.slowestPostNanos = Math.max(probes.slowestPostNanos, System.nanoTime() - t);
                    probes.sent[i] = t;
                    probes.posted = i + 1;
                }
            }
            synchronized (probes) {
                probes.doneNanos = System.nanoTime();
            }
            HttpLoad.Step bg = background.get();
            poller.join(PROBE_DEADLINE.toMillis() + 1000);
            poller.interrupt();
            Histogram h = new Histogram(TimeUnit.MINUTES.toMillis(1), 3);
            int visible = 0;
            int posted;
            StringBuilder slow = new StringBuilder();
            synchronized (probes) {
                posted = probes.posted;
                for (int i = 0; i < posted; i++) {
                    if (probes.seen[i] > 0) {
                        long ms = Math.max(0, TimeUnit.NANOSECONDS.toMillis(probes.seen[i] - probes.sent[i]));
                        h.recordValue(ms);
                        visible++;
                        if (ms > 1000) {
                            slow.append(slow.length() == 0 ? "" : ", ")
                                    .append('#')
                                    .append(i)
                                    .append(' ')
                                    .append(ms);
                        }
                    }
                }
            }
            if (slow.length() > 0) {
                System.out.println("  probes seen after more than 1 s (index ms, probes 100 ms apart): " + slow);
            }
            Freshness f = new Freshness(
                    bg.perSecond(),
                    posted,
                    visible,
                    h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99),
                    h.getMaxValue(),
                    String.format(
                            Locale.ROOT,
                            "%d of %d probes visible within %d s; background %,.0f POSTs/s achieved (p99 %.1f ms);"
                                    + " slowest probe POST %d ms, slowest poll GET %d ms, %d poll GETs lost or not 200",
                            visible,
                            posted,
                            PROBE_DEADLINE.toSeconds(),
                            bg.perSecond(),
                            bg.latencyMicros().getValueAtPercentile(99) / 1000.0,
                            TimeUnit.NANOSECONDS.toMillis(probes.slowestPostNanos),
                            TimeUnit.NANOSECONDS.toMillis(probes.slowestGetNanos),
                            probes.lostGets),
                    freshGets.get());
            System.out.printf(
                    Locale.ROOT,
                    "  POST -> visible in GET: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%s)%n",
                    f.p50(),
                    f.p99(),
                    f.max(),
                    f.note());
            System.out.println("  " + describe(f.freshGets()));
            client.close();
            return f;
        }
    }

    /** Every pool user once, to {@code hour}, at most as many at once as the load generator's connections. */
    private void prime(HttpClientAgent client) throws Exception {
        Semaphore inFlight = new Semaphore(4);
        long ts = System.currentTimeMillis();
        Queue<Integer> failed = new ConcurrentLinkedQueue<>();
        for (int u = 0; u < users; u++) {
            inFlight.acquire();
            int user = u;
            HttpLoad.sendTimed(client, primer(ts, user)).onComplete(ar -> {
                if (ar.failed() || ar.result().status() != 204) {
                    failed.add(user);
                }
                inFlight.release();
            });
        }
        // Every priming POST has the probes' timeout, so its permit comes back; bounded all the same.
        if (!inFlight.tryAcquire(4, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("priming: a POST was neither answered nor timed out within 30 s");
        }
        for (Integer user : failed) {
            HttpLoad.Answer a = HttpLoad.sendAndWait(client, primer(ts, user));
            if (a.status() != 204) {
                throw new IllegalStateException("serve refused a POST (" + a.status() + ") while the freshness "
                        + "case posted the pool's users: " + a.body());
            }
        }
    }

    private static HttpLoad.Call primer(long timestamp, int user) {
        return new HttpLoad.Call(
                HttpMethod.POST, "/analytics?timestamp=" + timestamp + "&user=user-" + user + "&impression");
    }

    private static long uniqueUsers(HttpClientAgent client, long hour) throws Exception {
        return uniqueUsers(client, hour, 10_000);
    }

    /** The hour's unique_users, -1 if not answered 200; a TimeoutException after {@code millis}. */
    private static long uniqueUsers(HttpClientAgent client, long hour, long millis) throws Exception {
        HttpLoad.Answer a =
                HttpLoad.sendAndWait(client, new HttpLoad.Call(HttpMethod.GET, "/analytics?timestamp=" + hour), millis);
        return a.status() != 200 ? -1 : usersOf(a);
    }

    /** The unique_users line of a GET's answer (the first line of its body). */
    private static long usersOf(HttpLoad.Answer a) {
        String body = a.body().toString(StandardCharsets.UTF_8);
        return Long.parseLong(body.substring("unique_users,".length(), body.indexOf('\n')));
    }

    /** Waits (bounded) until the hour shows the pool's users; its value then is the probes' base. */
    private static long awaitUniqueUsers(HttpClientAgent client, long hour, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long u = -1;
        while (System.nanoTime() < deadline) {
            try {
                u = uniqueUsers(client, hour);
            } catch (Exception e) {
                continue; // a slow answer: ask again
            }
            if (u >= expected) {
                return u;
            }
            Thread.sleep(POLL_INTERVAL.toMillis()); // polling another process's progress
        }
        throw new IllegalStateException(
                "the current hour showed " + u + " unique users 60 s after " + expected + " were posted");
    }

    /**
     * GETs the hour every {@link #POLL_INTERVAL}; probe i is seen when unique_users reaches base + i + 1. Ends when
     * every posted probe was seen, or {@link #PROBE_DEADLINE} after the last was posted.
     */
    private static void poll(HttpClientAgent client, long hour, long base, Probes probes) {
        int next = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long asked = System.nanoTime();
            try {
                // A poll answer lost in the client must not freeze the measurement: the next poll decides.
                long u = uniqueUsers(client, hour, POLL_GIVE_UP_MILLIS);
                long now = System.nanoTime();
                synchronized (probes) {
                    probes.slowestGetNanos = Math.max(probes.slowestGetNanos, now - asked);
                    if (u < 0) {
                        probes.lostGets++;
                    }
                    while (next < probes.posted && u >= base + next + 1) {
                        probes.seen[next++] = now;
                    }
                    if (probes.doneNanos > 0
                            && (next >= probes.posted || now - probes.doneNanos > PROBE_DEADLINE.toNanos())) {
                        return;
                    }
                }
                Thread.sleep(POLL_INTERVAL.toMillis()); // the poll interval is the measurement's resolution
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                synchronized (probes) { // lost in the client (no answer within the give-up time): the next one decides
                    probes.lostGets++;
                    probes.slowestGetNanos = Math.max(probes.slowestGetNanos, System.nanoTime() - asked);
                }
            }
        }
    }

    /**
     * Asks {@code GET ...&fresh} for the hour every {@link #PROBE_INTERVAL} until the probes are done: each answer
     * must count every probe acknowledged before it was asked (base + that many users at least).
     */
    private static FreshGets readFresh(HttpClientAgent client, long hour, long base, Probes probes) {
        Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        int answered = 0;
        int failed = 0;
        int missing = 0;
        long next = System.nanoTime() + PROBE_INTERVAL.toNanos() / 2; // between two probes' POSTs
        while (true) {
            int acknowledged;
            synchronized (probes) {
                if (probes.doneNanos > 0) {
                    break;
                }
                acknowledged = probes.posted;
            }
            try {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the reads, not ordering anything
                }
                next += PROBE_INTERVAL.toNanos();
                long t = System.nanoTime();
                HttpLoad.Answer a = HttpLoad.sendAndWait(
                        client, new HttpLoad.Call(HttpMethod.GET, "/analytics?timestamp=" + hour + "&fresh"));
                long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t);
                if (a.status() != 200) {
                    failed++;
                    continue;
                }
                answered++;
                latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                if (usersOf(a) < base + acknowledged) {
                    missing++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                failed++;
            }
        }
        return new FreshGets(
                answered,
                failed,
                missing,
                latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0);
    }

    static String describe(FreshGets g) {
        return String.format(
                Locale.ROOT,
                "GET &fresh every %d ms meanwhile: p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d answered, %d failed, %d"
                        + " counted fewer probes than were acknowledged before them",
                PROBE_INTERVAL.toMillis(),
                g.p50(),
                g.p99(),
                g.max(),
                g.answered(),
                g.failed(),
                g.missing());
    }

    /** The probes' send times (once acknowledged) and the times a GET first counted them. */
    private static final class Probes {
        final long[] sent;
        final long[] seen;
        int posted;
        long doneNanos;
        /** The slowest probe POST and poll GET: a stall of the measuring client itself shows here. */
        long slowestPostNanos;

        long slowestGetNanos;
        /** Poll GETs with no answer (or not 200) within the probe timeout. */
        int lostGets;

        Probes(int n) {
            sent = new long[n];
            seen = new long[n];
        }
    }

    /** New user names whose key hashes to partition 0, as the producer's default partitioner places them. */
    private static String[] probeUsers(int n) {
        String[] names = new String[n];
        String prefix = "probe-" + System.currentTimeMillis() + "-";
        int found = 0;
        for (long i = 0; found < n; i++) {
            String name = prefix + i;
            if (Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % TOPIC_PARTITIONS == 0) {
                names[found++] = name;
            }
        }
        return names;
    }
}
