package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * {@code ./clickflow demo router --duration} as the launcher runs it, on a free Web UI port: a real broker, generated
 * multi-tenant traffic, the router in a MiniCluster; its progress shows records routed to every destination and dead
 * letters, it stops with a savepoint, and nothing is left running.
 */
class DemoRouterITCase {
    static final Duration RUN = Duration.ofSeconds(15);
    static final int RATE = 300;
    static final Pattern PROGRESS_LINE = Pattern.compile(
            "\\| routed ([\\d,]+) \\(FINANCE ([\\d,]+), LOGISTICS ([\\d,]+), MARKETING ([\\d,]+)\\) \\| dead letters ([\\d,]+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void routesGeneratedTrafficToEveryDestinationAndStopsCleanly() throws Exception {
        List<Integer> ports = DemoRuns.freePorts(1);
        DemoRouterCommand demo = new DemoRouterCommand();
        demo.dir = dir.resolve("demo");
        demo.kafkaClasspathFile = DemoRuns.KAFKA_CLASSPATH;
        DemoRuns.Run run = DemoRuns.run(demo, RUN, RATE, ports.get(0));
        int code = run.code();
        String output = run.output();
        assertThat(code).as("exit code; output:\n" + output).isZero();
        assertThat(output).contains("Stopped with a savepoint in");
        MatchResult last = DemoRuns.lastMatch(PROGRESS_LINE, output, "a progress line with every destination");
        for (int group = 2; group <= 5; group++) {
            assertThat(DemoRuns.count(last, group))
                    .as("count " + group + " in " + last.group())
                    .isPositive();
        }
        DemoRuns.assertNothingLeftRunning();
    }
}
