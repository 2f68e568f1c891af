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
 * {@code ./clickflow demo uniques --duration} as the launcher runs it, on a free Web UI port: a real broker, generated
 * frames with late and malformed ones, the unique-users job in a MiniCluster; its progress line shows frames read,
 * windows written, the newest minute's users and the rejected lines; it stops with a savepoint, and nothing is left
 * running.
 */
class DemoUniquesITCase {
    static final Duration RUN = Duration.ofSeconds(15);
    static final Duration PROGRESS = Duration.ofSeconds(2);
    static final int RATE = 200;
    /** Malformed lines at this rate show within the run; late ones need minutes of event time, so none are asked. */
    static final double MALFORMED = 0.05;

    static final Pattern PROGRESS_LINE = Pattern.compile(
            "events in ([\\d,]+) .*\\| windows ([\\d,]+) \\| final ([\\d,]+) \\| users this minute ([\\d,]+)"
                    + " \\| late ([\\d,]+) \\| rejected ([\\d,]+)");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void countsGeneratedFramesPerMinuteAndHourAndStopsCleanly() throws Exception {
        List<Integer> ports = DemoAnalyticsITCase.freePorts(1);
        DemoUniquesCommand demo = new DemoUniquesCommand();
        demo.dir = dir.resolve("demo");
        demo.kafkaClasspathFile = Path.of("..", KafkaBroker.DEFAULT_CLASSPATH_FILE);
        demo.apiClasspathFile = Path.of("..", ApiServerProcess.DEFAULT_CLASSPATH_FILE);
        DemoAnalyticsITCase.Run run = DemoAnalyticsITCase.runCapturingOutput(
                demo,
                "--duration",
                RUN.toSeconds() + "s",
                "--progress-interval",
                PROGRESS.toSeconds() + "s",
                "--rate",
                Integer.toString(RATE),
                "--malformed-fraction",
                Double.toString(MALFORMED),
                "--web-port",
                ports.get(0).toString(),
                "--partitions",
                "2",
                "--page-port",
                "0");
        int code = run.code();
        String output = run.output();
        assertThat(code).as("exit code; output:\n" + output).isZero();
        assertThat(output)
                .contains("Stopped with a savepoint in")
                .contains("windows 1m,1h")
                .contains("Results page (refreshes itself): http://127.0.0.1:");
        String lastLine = null;
        for (Matcher m = PROGRESS_LINE.matcher(output); m.find(); ) {
            lastLine = m.group();
        }
        assertThat(lastLine)
                .as("a progress line with windows, this minute's users and dead letters; output:\n" + output)
                .isNotNull();
        Matcher last = PROGRESS_LINE.matcher(lastLine);
        assertThat(last.find()).isTrue();
        assertThat(count(last, 1)).as("frames read in " + lastLine).isPositive();
        assertThat(count(last, 2)).as("windows in " + lastLine).isPositive();
        assertThat(count(last, 4)).as("users this minute in " + lastLine).isPositive();
        assertThat(count(last, 6)).as("rejected lines in " + lastLine).isPositive();
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .as("processes left behind")
                .isEmpty();
    }

    private static long count(Matcher m, int group) {
        return Long.parseLong(m.group(group).replace(",", ""));
    }
}
