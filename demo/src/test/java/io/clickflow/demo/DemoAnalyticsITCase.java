package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.analytics.AnalyticsTraffic;
import io.clickflow.api.ApiServerProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * {@code ./clickflow demo analytics --duration} as the launcher runs it, on free ports: a real broker and
 * {@code ./clickflow serve} child processes, the job in a MiniCluster, the load on both servers; every hour's GET on
 * each server ends equal to the brute force over the POSTs it got 204 for, and nothing is left running.
 */
class DemoAnalyticsITCase {
    /** Load time: several progress lines, and enough POSTs on each server. */
    static final Duration RUN = Duration.ofSeconds(20);

    /** POSTs per second: a light load, the machine's two cores also run the job, the broker and two servers. */
    static final int RATE = 200;

    static final Pattern LOAD_LINE =
            Pattern.compile("(?m)^ +load [\\d,]+ req/s \\(POST [\\d,]+, GET [\\d,]+\\) \\| p99 POST .* \\| hour ");

    /** A progress line of the job: its first field is the events read. */
    static final Pattern JOB_LINE = Pattern.compile("(?m)^\\[ *\\d+s\\].*$");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void loadsTwoServersStopsInOrderAndEveryHourEqualsTheBruteForce() throws Exception {
        List<Integer> ports = DemoRuns.freePorts(3);
        DemoAnalyticsCommand demo = new DemoAnalyticsCommand();
        demo.dir = dir.resolve("demo");
        demo.kafkaClasspathFile = DemoRuns.KAFKA_CLASSPATH;
        demo.apiClasspathFile = DemoRuns.API_CLASSPATH;

        // A person's own POST during the demo, as the README shows it: counted in by the closing check, not a mismatch.
        CompletableFuture<Integer> outsidePost = CompletableFuture.supplyAsync(() -> postAsSomeoneElse(demo));
        DemoRuns.Run run =
                DemoRuns.run(demo, RUN, RATE, ports.get(0), "--api-ports", ports.get(1) + "," + ports.get(2));
        int code = run.code();
        String output = run.output();

        assertThat(code).as("exit code; output:\n" + output).isZero();
        assertThat(LOAD_LINE.matcher(output).results().count())
                .as("load progress lines")
                .isGreaterThanOrEqualTo(2);
        assertThat(output)
                .contains("API servers: http://127.0.0.1:" + ports.get(1) + " and http://127.0.0.1:" + ports.get(2))
                .contains("Stopped with a savepoint in")
                .contains("Results page (refreshes itself): http://127.0.0.1:" + ports.get(1) + "/");

        assertThat(outsidePost.get(10, TimeUnit.SECONDS))
                .as("the outside POST's status")
                .isEqualTo(204);
        assertThat(output)
                .doesNotContain("still differ")
                .contains("Every server answers every hour exactly as the brute force over the load's 204s and 1 event"
                        + " others POSTed");
        assertThat(DemoRuns.lastMatch(Pattern.compile("(?m)^ +warm-up \\(not measured\\) load .*$"), output, "warm-up")
                        .group())
                .as("the warm-up line")
                .doesNotContain("skipped");
        assertThat(DemoRuns.lastMatch(JOB_LINE, output, "the job's last progress line")
                        .group())
                .as("the job's last progress line, after the stop")
                .containsPattern("^\\[ *\\d+s\\] events in [\\d,]+");

        ApiLoad load = demo.load;
        assertThat(load.accepted204()).as("POSTs answered 204 per server").allMatch(n -> n > RATE);
        assertThat(load.unsure()).as("POSTs without a 204: " + load.failures()).isZero();
        ApiLoad.Check check = demo.check;
        assertThat(check.difference()).as("the first GET that differed").isNull();
        assertThat(check.exact()).isTrue();
        assertThat(check.outsideCompared()).as("outside events counted in").isEqualTo(1);
        assertThat(check.outsideNotCompared()).isZero();
        long currentHour = AnalyticsTraffic.hourOf(System.currentTimeMillis());
        Map<Long, AnalyticsTraffic.Hour> expected = check.expected();
        assertThat(expected).as("hours posted to").hasSizeGreaterThan(1);
        for (String server : List.of("serve-1", "serve-2")) {
            assertThat(check.answers().get(server))
                    .as(server + "'s last answers")
                    .isEqualTo(expected);
        }
        // The brute force itself, over what the load got 204 for: the check compared against this.
        AnalyticsTraffic.Hour now = load.accepted().hour(currentHour);
        assertThat(now.clicks() + now.impressions())
                .as("events of the current hour")
                .isGreaterThan(RATE);
        assertThat(expected.values().stream()
                        .mapToLong(h -> h.clicks() + h.impressions())
                        .sum())
                .as("every POST answered 204 is in one hour, and the outside one")
                .isEqualTo(
                        load.accepted204().stream().mapToLong(Long::longValue).sum() + 1);

        for (ApiServerProcess s : demo.servers) {
            assertThat(s.process.isAlive()).as(s.name + " running").isFalse();
            assertThat(s.process.exitValue())
                    .as(s.name + " exit code (SIGTERM, graceful)")
                    .isIn(0, 143);
        }
        assertThat(ProcessHandle.of(demo.broker.pid()).map(ProcessHandle::isAlive))
                .as("the broker")
                .isIn(Optional.empty(), Optional.of(false));
        DemoRuns.assertNothingLeftRunning();
        for (int port : ports) {
            assertThat(DemoRuns.listening(port))
                    .as("port " + port + " still open")
                    .isFalse();
        }
    }

    /** Once the load runs (the servers listen), POSTs a click of alice to the first server; its status. */
    private static int postAsSomeoneElse(DemoAnalyticsCommand demo) {
        while (demo.load == null) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // waiting for the servers, not ordering events
        }
        ApiServerProcess first = demo.servers.get(0);
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(first.base() + "/analytics?timestamp="
                                            + System.currentTimeMillis() + "&user=alice&click"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
