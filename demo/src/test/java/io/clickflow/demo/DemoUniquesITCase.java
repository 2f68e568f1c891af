package io.clickflow.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.testing.Waits;
import io.clickflow.uniques.UniquesWorkflow;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * {@code ./clickflow demo uniques --duration} as the launcher runs it, on a free Web UI port: a real broker, generated
 * frames with late and malformed ones, the unique-users job in a MiniCluster; its progress line shows frames read,
 * windows written, the newest minute's users and the rejected lines; it stops with a savepoint, and nothing is left
 * running.
 */
class DemoUniquesITCase {
    static final Duration RUN = Duration.ofSeconds(15);
    static final int RATE = 200;
    /** Malformed lines at this rate show within the run; late ones need minutes of event time, so none are asked. */
    static final double MALFORMED = 0.05;

    static final Pattern PROGRESS_LINE = Pattern.compile(
            "events in ([\\d,]+) .*\\| windows ([\\d,]+) \\| final ([\\d,]+) \\| users this minute ([\\d,]+)"
                    + " \\| late ([\\d,]+) \\| rejected ([\\d,]+)");

    /** How long the page is watched: the demo's whole run, its start included. */
    static final Duration PAGE_WATCH = Duration.ofSeconds(120);

    /** A subtask that has read records: its count is not 0 or null. */
    static final Pattern RECORDS_IN = Pattern.compile("\"recordsIn\":[1-9]");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void countsGeneratedFramesPerMinuteAndHourAndStopsCleanly() throws Exception {
        List<Integer> ports = DemoRuns.freePorts(2);
        // While the demo runs: its results page's Flink section, read from the job's own REST API.
        AtomicReference<String> flink = new AtomicReference<>();
        Thread watcher = new Thread(() -> watchFlinkSection(ports.get(1), flink), "page-watcher");
        watcher.setDaemon(true);
        watcher.start();
        DemoUniquesCommand demo = new DemoUniquesCommand();
        demo.dir = dir.resolve("demo");
        demo.kafkaClasspathFile = DemoRuns.KAFKA_CLASSPATH;
        demo.apiClasspathFile = DemoRuns.API_CLASSPATH;
        DemoRuns.Run run = DemoRuns.run(
                demo,
                RUN,
                RATE,
                ports.get(0),
                "--malformed-fraction",
                Double.toString(MALFORMED),
                "--page-port",
                ports.get(1).toString());
        watcher.join(PAGE_WATCH.toMillis());
        int code = run.code();
        String output = run.output();
        assertThat(code).as("exit code; output:\n" + output).isZero();
        assertThat(output)
                .contains("Stopped with a savepoint in")
                .contains("windows 1m,1h")
                .contains("Results page (refreshes itself): http://127.0.0.1:");
        MatchResult last = DemoRuns.lastMatch(
                PROGRESS_LINE, output, "a progress line with windows, this minute's users and dead letters");
        String lastLine = last.group();
        assertThat(DemoRuns.count(last, 1)).as("frames read in " + lastLine).isPositive();
        assertThat(DemoRuns.count(last, 2)).as("windows in " + lastLine).isPositive();
        assertThat(DemoRuns.count(last, 4))
                .as("users this minute in " + lastLine)
                .isPositive();
        assertThat(DemoRuns.count(last, 6)).as("rejected lines in " + lastLine).isPositive();
        assertThat(flink.get())
                .as("the page's /api/flink while the demo ran: the job's operators with records in per subtask")
                .isNotNull()
                .contains("\"configured\":true")
                .contains(UniquesWorkflow.OPERATOR_NAME)
                .contains("\"recordsIn\"");
        DemoRuns.assertNothingLeftRunning();
    }

    /**
     * Polls the page's {@code /api/flink} until it shows the uniques operator having read records (every answer before
     * is the job still starting), keeping that answer; gives up when the demo's run is over.
     */
    private static void watchFlinkSection(int pagePort, AtomicReference<String> seen) {
        HttpClient http = HttpClient.newHttpClient();
        try {
            Waits.until(
                    () -> {
                        try {
                            HttpResponse<String> r = http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pagePort + "/api/flink"))
                                            .timeout(Duration.ofSeconds(5))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200
                                    && r.body().contains(UniquesWorkflow.OPERATOR_NAME)
                                    && RECORDS_IN.matcher(r.body()).find()) {
                                seen.set(r.body());
                                return true;
                            }
                        } catch (IOException notUpYet) {
                            // the page server starts with the demo: connection refused until then
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return true;
                        }
                        return false;
                    },
                    PAGE_WATCH,
                    "no Flink section with records");
        } catch (AssertionError | Exception notSeen) {
            // the test's assertion on what was seen says so
        }
    }
}
