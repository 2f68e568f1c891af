package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.analytics.AnalyticsTraffic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

        ApiLoad load = demo.load;
        assertThat(load.accepted204()).as("POSTs answered 204 per server").allMatch(n -> n > RATE);
        assertThat(load.unsure()).as("POSTs without a 204: " + load.failures()).isZero();
        ApiLoad.Check check = demo.check;
        assertThat(check.difference()).as("the first GET that differed").isNull();
        assertThat(check.exact()).isTrue();
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
                .as("every POST answered 204 is in one hour")
                .isEqualTo(
                        load.accepted204().stream().mapToLong(Long::longValue).sum());

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
}
