package io.clickflow.api;

import io.clickflow.tables.Database;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live results page: {@code GET /} and its static files (from this jar; uPlot from its WebJar, so it works with
 * no internet), and the JSON it polls under {@code /api/}. Each distinct JSON request reads the database at most once
 * per refresh interval however many pages poll it; the reads run on the store's database threads.
 */
final class ResultsPage {
    /** What to answer: status, content type, body. */
    record Answer(int status, String type, byte[] body) {
        static Answer text(int status, String line) {
            return new Answer(status, TEXT, (line + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json; charset=utf-8";

    /**
     * Scripts only from this server's own files: a payload that made its way into the markup still could not run.
     * uPlot sizes its elements through style attributes, hence inline styles.
     */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private static final String PAGE = "/io/clickflow/api/page/";
    private static final int MAX_CACHED = 256;

    private final Map<String, Answer> files;
    private final HourlyStatsStore store;
    private final boolean sqlite;
    private final long refreshNanos;
    private final FlinkRest flink;
    private final Map<String, Pending> recent = new ConcurrentHashMap<>();

    /** A read and when it began (System.nanoTime). */
    private record Pending(CompletableFuture<Answer> answer, long startedNanos) {}

    ResultsPage(HourlyStatsStore store, Database database, Duration refresh, FlinkRest flink) {
        this.store = store;
        this.sqlite = database.isSqlite();
        this.refreshNanos = refresh.toNanos();
        this.flink = flink;
        String uplot = "/META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        this.files = Map.of(
                "/", resource(PAGE + "index.html", "text/html; charset=utf-8"),
                "/static/page.js", resource(PAGE + "page.js", "text/javascript; charset=utf-8"),
                "/static/page.css", resource(PAGE + "page.css", "text/css; charset=utf-8"),
                "/static/uPlot.iife.min.js", resource(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
                "/static/uPlot.min.css", resource(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    private static String uplotVersion() {
        Properties p = new Properties();
        try (InputStream in = ResultsPage.class.getResourceAsStream("/clickflow-api-version.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("clickflow-api-version.properties is missing from the api jar", e);
        }
        return p.getProperty("uplot");
    }

    private static Answer resource(String path, String type) {
        try (InputStream in = ResultsPage.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the classpath (the api jar or its WebJar)");
            }
            return new Answer(200, type, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The metrics route of a path this page answers, or null when it is not one of the page's. */
    static String route(String path) {
        if (path.equals("/") || path.startsWith("/static/")) {
            return path.equals("/") ? "/" : "/static";
        }
        return switch (path) {
            case "/api/attribution", "/api/uniques", "/api/hourly", "/api/quality", "/api/flink" -> path;
            default -> path.startsWith("/api/") ? "other" : null;
        };
    }

    /** The answer to a GET of {@code path}; completes on a database thread (or at once for files and 400s). */
    CompletableFuture<Answer> get(String path, String query, long arrivalNanos) {
        Answer file = files.get(path);
        if (file != null) {
            return CompletableFuture.completedFuture(file);
        }
        if (path.startsWith("/static/")) {
            return CompletableFuture.completedFuture(Answer.text(404, "no such file"));
        }
        Map<String, String> params;
        String key;
        HourlyStatsStore.Read<JsonObject> read;
        try {
            params = QueryString.parse(query);
            switch (path) {
                case "/api/attribution" -> {
                    only(params, "range");
                    String range = ResultsQueries.checkRange(params.get("range"));
                    key = path + "?" + range;
                    read = (c, timeout) ->
                            orMissing(ResultsQueries.ATTRIBUTED, () -> ResultsQueries.attribution(c, timeout, range));
                }
                case "/api/uniques" -> {
                    only(params, "range", "window");
                    String range = ResultsQueries.checkRange(params.get("range"));
                    Long window = window(params.get("window"));
                    key = path + "?" + range + "&" + window;
                    read = (c, timeout) -> orMissing(
                            ResultsQueries.UNIQUE_USERS, () -> ResultsQueries.uniques(c, timeout, range, window));
                }
                case "/api/hourly" -> {
                    only(params);
                    key = path;
                    read = (c, timeout) -> orMissing(ResultsQueries.HOURLY, () -> ResultsQueries.hourly(c, timeout));
                }
                case "/api/quality" -> {
                    only(params);
                    key = path;
                    read = (c, timeout) -> new JsonObject()
                            .put(
                                    "rejected",
                                    orMissing(
                                            ResultsQueries.REJECTED, () -> ResultsQueries.rejected(c, timeout, sqlite)))
                            .put("late", orMissing(ResultsQueries.LATE, () -> ResultsQueries.late(c, timeout)));
                }
                case "/api/flink" -> {
                    only(params);
                    return flink.overview();
                }
                default -> {
                    return CompletableFuture.completedFuture(Answer.text(
                            404,
                            "no such path (the results are /api/attribution, /api/uniques, /api/hourly, "
                                    + "/api/quality and /api/flink)"));
                }
            }
        } catch (BadRequest e) {
            return CompletableFuture.completedFuture(Answer.text(400, e.getMessage()));
        }
        return cached(key, read, arrivalNanos);
    }

    /** Joins a read of the same request begun within the refresh interval before this one arrived, else starts one. */
    private CompletableFuture<Answer> cached(String key, HourlyStatsStore.Read<JsonObject> read, long arrivalNanos) {
        Pending p = recent.get(key);
        if (p != null && arrivalNanos - p.startedNanos() <= refreshNanos) {
            return p.answer();
        }
        if (recent.size() >= MAX_CACHED) {
            recent.clear();
        }
        long started = System.nanoTime();
        CompletableFuture<Answer> answer = store.submit(read)
                .thenApply(json -> new Answer(200, JSON, json.toBuffer().getBytes()));
        Pending mine = new Pending(answer, started);
        recent.put(key, mine);
        // A failed read is not reused: the next poll tries again.
        answer.whenComplete((a, e) -> {
            if (e != null) {
                recent.remove(key, mine);
            }
        });
        return answer;
    }

    /** A section's read, where a table the job has not created yet is an answer rather than a failure. */
    @FunctionalInterface
    private interface Section {
        JsonObject read() throws SQLException;
    }

    private static JsonObject orMissing(String table, Section section) throws SQLException {
        try {
            return section.read();
        } catch (SQLException e) {
            if (HourlyStatsStore.missingTable(e)) {
                return ResultsQueries.missing(table);
            }
            throw e;
        }
    }

    private static void only(Map<String, String> params, String... allowed) throws BadRequest {
        Set<String> known = Set.of(allowed);
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new BadRequest("unknown parameter '" + Requests.shorten(e.getKey()) + "'"
                        + (allowed.length == 0 ? " (this path takes none)" : " (known: " + String.join(", ", allowed))
                        + (allowed.length == 0 ? "" : ")"));
            }
            if (e.getValue() == QueryString.NO_VALUE || e.getValue().isEmpty()) {
                throw new BadRequest(e.getKey() + " needs a value");
            }
        }
    }

    private static Long window(String value) throws BadRequest {
        if (value == null) {
            return null;
        }
        if (!value.matches("[0-9]{1,9}") || Long.parseLong(value) == 0) {
            throw new BadRequest(
                    "window must be a window size in seconds (e.g. 60), not '" + Requests.shorten(value) + "'");
        }
        return Long.parseLong(value);
    }

    /** For the shutdown path: nothing of its own to close besides the Flink client. */
    void close() {
        flink.close();
    }
}
