package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./clickflow demo router --duration} as the launcher runs it, on a free Web UI port: a real broker, generated
 * multi-tenant traffic, the router in a MiniCluster; its progress shows records routed to every destination and dead
 * letters, it stops with a savepoint, and nothing is left running.
 */
class DemoRouterITCase {
    static final Duration RUN = Duration.ofSeconds(15);
    static final Duration PROGRESS = Duration.ofSeconds(2);
    static final int RATE = 300;
    static final Pattern PROGRESS_LINE = Pattern.compile(
            "\\| routed ([\\d,]+) \\(FINANCE ([\\d,]+), LOGISTICS ([\\d,]+), MARKETING ([\\d,]+)\\) \\| dead letters ([\\d,]+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void routesGeneratedTrafficToEveryDestinationAndStopsCleanly() throws Exception {
        List<Integer> ports = DemoAnalyticsITCase.freePorts(1);
        DemoRouterCommand demo = new DemoRouterCommand();
        demo.dir = dir.resolve("demo");
        demo.kafkaClasspathFile = Path.of("..", KafkaBroker.DEFAULT_CLASSPATH_FILE);
        DemoAnalyticsITCase.Run run = DemoAnalyticsITCase.runCapturingOutput(
                demo,
                "--duration",
                RUN.toSeconds() + "s",
                "--progress-interval",
                PROGRESS.toSeconds() + "s",
                "--rate",
                Integer.toString(RATE),
                "--web-port",
                ports.get(0).toString(),
                "--partitions",
                "2");
        int code = run.code();
        String output = run.output();
        assertThat(code).as("exit code; output:\n" + output).isZero();
        assertThat(output).contains("Stopped with a savepoint in");
        String lastLine = null;
        for (Matcher m = PROGRESS_LINE.matcher(output); m.find(); ) {
            lastLine = m.group();
        }
        assertThat(lastLine)
                .as("a progress line with every destination; output:\n" + output)
                .isNotNull();
        Matcher last = PROGRESS_LINE.matcher(lastLine);
        assertThat(last.find()).isTrue();
        for (int group = 2; group <= 5; group++) {
            assertThat(Long.parseLong(last.group(group).replace(",", "")))
                    .as("count " + group + " in " + last.group())
                    .isPositive();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .as("processes left behind")
                .isEmpty();
    }
}
