package io.clickflow.runner;

import io.clickflow.tables.EventTimes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.core.execution.JobClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Prints a progress line of a local job every few seconds: events read (from the Web UI's REST API),
 * rows in the result tables (read from the database), and the watermark of the main operator.
 */
public final class ProgressReporter {
    private final TableCounts counts;
    private final String operatorName;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long startNanos = System.nanoTime();
    private String restBase;
    private String jobId;
    private long lastEvents;
    private boolean eventsRead;
    private long lastNanos = startNanos;
    private long lastLineNanos;
    private Map<String, Long> lastCounts = Map.of();
    private Supplier<String> alongside;
    private final Map<String, String> counters = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> lastCounters = new ConcurrentHashMap<>();
    private boolean showWatermark = true;

    /**
     * @param counts the job's table counts printed on each line, or null for a job without tables
     * @param operatorName a substring of the name of the operator whose input watermark is shown
     */
    public ProgressReporter(TableCounts counts, String operatorName) {
        this.counts = counts;
        this.operatorName = operatorName;
    }

    /** Adds a line printed after each progress line (a demo's load next to its job), null when there is none. */
    public ProgressReporter alongside(Supplier<String> line) {
        this.alongside = line;
        return this;
    }

    /**
     * Also shows the main operator's counters whose ids end in {@code suffix}, summed over its subtasks, as
     * {@code label}; when several ids end in it (e.g. one per destination) each is shown by the id's part before it.
     */
    public ProgressReporter withCounter(String label, String suffix) {
        counters.put(label, suffix);
        return this;
    }

    /** For a job without event time: no watermark part. */
    public ProgressReporter withoutWatermark() {
        showWatermark = false;
        return this;
    }

    void attach(String restBase, String jobId) {
        this.restBase = restBase;
        this.jobId = jobId;
    }

    /** Prints a line every {@code interval} until the job's result is in, whatever it is. */
    void runUntilDone(JobClient client, Duration interval) throws Exception {
        long waitMillis = interval.isZero() ? Long.MAX_VALUE : interval.toMillis();
        while (true) {
            try {
                client.getJobExecutionResult().get(waitMillis, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillRunning) {
                System.out.println(line());
                String more = alongside == null ? null : alongside.get();
                if (more != null) {
                    System.out.println(more);
                }
            } catch (ExecutionException failedOrCancelled) {
                return;
            }
        }
    }

    void printSummary(String outcome) {
        if (System.nanoTime() - lastLineNanos > TimeUnit.SECONDS.toNanos(1)) {
            System.out.println(line()); // unless a line was printed just now, as the job ended
        }
        if (counts == null) {
            System.out.println("Job " + outcome + ".");
            return;
        }
        // The last line may have been read just before the job wrote its last rows (a final window at the end of
        // input): the summary reads the tables once more.
        Map<String, Long> current = countRows();
        if (!current.isEmpty()) {
            lastCounts = current;
        }
        System.out.println("Job " + outcome + ". Results in " + counts.where() + ":");
        for (Map.Entry<String, Long> e : lastCounts.entrySet()) {
            System.out.printf("  %-12s %,d%n", e.getKey(), e.getValue());
        }
    }

    /** One progress line; parts that cannot be read right now are left out rather than failing the run. */
    String line() {
        StringBuilder sb = new StringBuilder();
        long now = System.nanoTime();
        sb.append(String.format("[%5ds]", TimeUnit.NANOSECONDS.toSeconds(now - startNanos)));
        // Rows first, then Flink's counts: the Web UI's metrics are fetched from the tasks only when asked
        // for, so one request starts a fetch and the next, a moment later, reads it. Events read after the
        // rows are at least the events those rows came from.
        Map<String, Long> current = countRows();
        get("/jobs/" + jobId);
        pause(METRICS_FETCH_MILLIS);
        JsonNode job = get("/jobs/" + jobId); // one request for both the source vertices and the watermark vertex
        Long events = eventsIn(job);
        if (events != null) {
            double rate = (events - lastEvents) / Math.max(1e-9, (now - lastNanos) / 1e9);
            sb.append(String.format(" events in %,d (%,.0f/s)", events, rate));
            lastEvents = events;
            lastNanos = now;
            eventsRead = true;
        } else if (eventsRead) {
            // A job that has just stopped no longer answers with its sources' metrics: the line keeps its first field.
            sb.append(String.format(" events in %,d (last read)", lastEvents));
        }
        if (!current.isEmpty()) {
            lastCounts = current;
        }
        current.forEach((label, n) -> sb.append(String.format(" | %s %,d", label, n)));
        counters.forEach((label, suffix) -> appendCounter(sb, job, label, suffix));
        Long watermark = showWatermark ? watermark(job) : null;
        if (watermark != null) {
            if (watermark == Long.MIN_VALUE) {
                sb.append(" | watermark none yet");
            } else if (watermark == Long.MAX_VALUE) {
                sb.append(" | watermark end of input");
            } else {
                sb.append(" | watermark ").append(EventTimes.format(watermark));
                long lag = System.currentTimeMillis() - watermark;
                if (Math.abs(lag) < 24 * 3600_000L) { // replays of history have no meaningful lag
                    sb.append(String.format(" (lag %.1fs)", lag / 1000.0));
                }
            }
        }
        lastLineNanos = System.nanoTime();
        return sb.toString();
    }

    /** How long a metrics fetch started by one request takes to land, with room (local, a few ms). */
    static final long METRICS_FETCH_MILLIS = 500;

    /**
     * Records the sources emitted (the source operators' numRecordsOut), not what their task chains send on:
     * a chain that turns a frame into one record per window would count each frame several times.
     */
    private Long eventsIn(JsonNode job) {
        if (job == null) {
            return null;
        }
        long total = 0;
        for (JsonNode v : job.path("vertices")) {
            if (!v.path("name").asText().startsWith("Source:")) {
                continue;
            }
            String vertex = "/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
            JsonNode available = get(vertex);
            if (available == null) {
                return null;
            }
            for (JsonNode m : available) {
                String id = m.path("id").asText();
                if (id.startsWith("Source__") && id.endsWith(".numRecordsOut")) {
                    JsonNode sum = get(vertex + "?get=" + id + "&agg=sum");
                    if (sum == null || !sum.isArray() || sum.isEmpty()) {
                        return null;
                    }
                    total += sum.get(0).path("sum").asLong();
                }
            }
        }
        return total;
    }

    private void appendCounter(StringBuilder sb, JsonNode job, String label, String suffix) {
        Map<String, Long> byPart = readCounter(job, suffix);
        // A job that is stopping may answer without some metrics: the line keeps the last numbers read rather than
        // showing 0 for a counter that only went up.
        if (byPart.isEmpty()) {
            byPart = lastCounters.getOrDefault(label, byPart);
        } else {
            lastCounters.put(label, byPart);
        }
        long total = byPart.values().stream().mapToLong(Long::longValue).sum();
        sb.append(String.format(" | %s %,d", label, total));
        if (byPart.size() > 1) {
            StringBuilder parts = new StringBuilder();
            byPart.forEach((part, n) ->
                    parts.append(parts.length() == 0 ? "" : ", ").append(String.format("%s %,d", part, n)));
            sb.append(" (").append(parts).append(')');
        }
    }

    /** The main operator's counters whose ids end in {@code suffix}, summed over subtasks; empty when unreadable. */
    private Map<String, Long> readCounter(JsonNode job, String suffix) {
        Map<String, Long> byPart = new TreeMap<>();
        JsonNode vertex = vertex(job);
        if (vertex == null) {
            return byPart;
        }
        String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
        JsonNode available = get(path);
        if (available == null) {
            return byPart;
        }
        for (JsonNode m : available) {
            String id = m.path("id").asText();
            if (id.endsWith(suffix)) {
                JsonNode sum = get(path + "?get=" + id + "&agg=sum");
                if (sum != null && sum.isArray() && !sum.isEmpty()) {
                    String head = id.substring(0, id.length() - suffix.length()).replaceAll("\\.+$", "");
                    byPart.put(
                            head.substring(head.lastIndexOf('.') + 1),
                            sum.get(0).path("sum").asLong());
                }
            }
        }
        return byPart;
    }

    private JsonNode vertex(JsonNode job) {
        if (job == null) {
            return null;
        }
        for (JsonNode v : job.path("vertices")) {
            if (v.path("name").asText().contains(operatorName)) {
                return v;
            }
        }
        return null;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Long watermark(JsonNode job) {
        JsonNode v = vertex(job);
        if (v == null) {
            return null;
        }
        JsonNode marks = get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/watermarks");
        if (marks == null || !marks.isArray() || marks.isEmpty()) {
            return null;
        }
        long min = Long.MAX_VALUE;
        for (JsonNode m : marks) {
            min = Math.min(min, Long.parseLong(m.path("value").asText()));
        }
        return min;
    }

    private Map<String, Long> countRows() {
        return counts == null ? Map.of() : counts.read();
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(restBase + path))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }
}
