package io.clickflow.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The running jobs' own numbers from Flink's REST API ({@code --flink-rest}): per operator and subtask, records in
 * and out and the current input watermark with its lag behind this server's clock. One request to Flink at a time,
 * and an answer is reused for the refresh interval, so pages polling it cannot load the JobManager.
 */
final class FlinkRest implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final String base;
    private final long refreshNanos;
    private final HttpClient http;
    private final ExecutorService thread;
    private volatile CompletableFuture<ResultsPage.Answer> last;
    private volatile long lastStartedNanos;

    /** {@code base} null: not configured, and {@code /api/flink} says so. */
    FlinkRest(String base, Duration refresh) {
        this.base = base == null ? null : base.replaceAll("/+$", "");
        this.refreshNanos = refresh.toNanos();
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "clickflow-api-flink-rest");
            t.setDaemon(true);
            return t;
        });
        this.http = base == null
                ? null
                : HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(TIMEOUT)
                        .build();
    }

    synchronized CompletableFuture<ResultsPage.Answer> overview() {
        if (base == null) {
            return CompletableFuture.completedFuture(json(new JsonObject().put("configured", false)));
        }
        long now = System.nanoTime();
        if (last != null && now - lastStartedNanos <= refreshNanos) {
            return last;
        }
        lastStartedNanos = now;
        try {
            last = CompletableFuture.supplyAsync(this::read, thread);
        } catch (RejectedExecutionException e) {
            last = CompletableFuture.failedFuture(e);
        }
        return last;
    }

    private ResultsPage.Answer read() {
        JsonObject out = new JsonObject().put("configured", true).put("address", base);
        try {
            long now = System.currentTimeMillis();
            JsonArray jobs = new JsonArray();
            for (Object o : get("/jobs/overview").getJsonArray("jobs", new JsonArray())) {
                JsonObject job = (JsonObject) o;
                if (!"RUNNING".equals(job.getString("state"))) {
                    continue;
                }
                String jid = job.getString("jid");
                JsonArray operators = new JsonArray();
                for (Object v : get("/jobs/" + jid).getJsonArray("vertices", new JsonArray())) {
                    operators.add(vertex(jid, (JsonObject) v, now));
                }
                jobs.add(new JsonObject()
                        .put("id", jid)
                        .put("name", job.getString("name"))
                        .put("operators", operators));
            }
            return json(out.put("jobs", jobs));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return json(out.put("error", "cannot read " + base + ": " + HourlyStatsStore.oneLine(e)));
        }
    }

    private JsonObject vertex(String jid, JsonObject v, long now) throws Exception {
        String vid = v.getString("id");
        JsonObject detail = get("/jobs/" + jid + "/vertices/" + vid);
        JsonArray watermarks = getArray("/jobs/" + jid + "/vertices/" + vid + "/watermarks");
        JsonArray subtasks = new JsonArray();
        for (Object s : detail.getJsonArray("subtasks", new JsonArray())) {
            JsonObject subtask = (JsonObject) s;
            int index = subtask.getInteger("subtask", subtasks.size());
            JsonObject metrics = subtask.getJsonObject("metrics", new JsonObject());
            Long watermark = null;
            for (Object w : watermarks) {
                JsonObject m = (JsonObject) w;
                if ((index + ".currentInputWatermark").equals(m.getString("id"))) {
                    long value = Long.parseLong(m.getString("value"));
                    watermark = value <= Long.MIN_VALUE + 1 ? null : value; // none yet
                }
            }
            subtasks.add(new JsonObject()
                    .put("subtask", index)
                    .put("recordsIn", metrics.getLong("read-records"))
                    .put("recordsOut", metrics.getLong("write-records"))
                    .put("watermark", watermark)
                    .put("watermarkLagMillis", watermark == null ? null : now - watermark));
        }
        return new JsonObject()
                .put("name", v.getString("name"))
                .put("parallelism", v.getInteger("parallelism"))
                .put("subtasks", subtasks);
    }

    private JsonObject get(String path) throws Exception {
        return new JsonObject(fetch(path));
    }

    private JsonArray getArray(String path) throws Exception {
        return new JsonArray(fetch(path));
    }

    private String fetch(String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(TIMEOUT)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode());
        }
        return r.body();
    }

    private static ResultsPage.Answer json(JsonObject o) {
        return new ResultsPage.Answer(200, ResultsPage.JSON, o.toBuffer().getBytes());
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
