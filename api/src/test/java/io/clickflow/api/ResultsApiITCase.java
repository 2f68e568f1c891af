package io.clickflow.api;

import static io.clickflow.api.AnalyticsApiITCase.send;
import static io.clickflow.api.ResultsScenario.HOUR;
import static io.clickflow.api.ResultsScenario.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.DeadLetterTables;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.HourlyStats;
import io.clickflow.tables.RejectedEvent;
import io.clickflow.testing.KafkaTestBroker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The results page's JSON over real HTTP on loopback, from a real SQLite file with known rows: what each endpoint
 * answers, its event-time ranges, 400s with a reason, and sections whose table does not exist yet.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResultsApiITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    static final Duration REFRESH = Duration.ofMillis(200);

    @TempDir
    static Path dir;

    static Database database;
    static ApiServer server;
    static ApiServer empty;

    @BeforeAll
    static void start() throws Exception {
        KAFKA.createTopics(1, AnalyticsApiITCase.TOPIC);
        database = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        ResultsScenario.write(database);
        server = AnalyticsApiITCase.serve(KAFKA, database, "--results-refresh", REFRESH.toMillis() + "ms");
        empty = AnalyticsApiITCase.serve(KAFKA, Database.of("jdbc:sqlite:" + dir.resolve("empty.db")));
    }

    @AfterAll
    static void stop() {
        for (ApiServer s : new ApiServer[] {server, empty}) {
            if (s != null) {
                s.close(Duration.ofSeconds(5));
            }
        }
    }

    static JsonObject json(ApiServer s, String pathAndQuery) throws Exception {
        HttpResponse<String> r = send(s, "GET", pathAndQuery);
        assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(ResultsPage.JSON);
        return new JsonObject(r.body());
    }

    @Test
    void attributionPerCampaignOverTheWholeSpanByDefault() throws Exception {
        JsonObject a = json(server, "/api/attribution");
        assertThat(a.getBoolean("exists")).isTrue();
        // Under a day of event time: all of it, from the first to the newest page view.
        assertThat(a.getJsonObject("range"))
                .isEqualTo(new JsonObject()
                        .put("name", "all")
                        .put("from", "2024-03-01T10:00:00.000Z")
                        .put("to", "2024-03-01T10:21:00.000Z"));
        assertThat(a.getLong("pageViews")).isEqualTo(ResultsScenario.PAGE_VIEWS);
        assertThat(a.getDouble("unattributedShare")).isEqualTo(0.25);
        assertThat(a.getJsonObject("unattributed"))
                .isEqualTo(
                        new JsonObject().put("final", 1).put("provisional", 1).put("total", 2));
        assertThat(a.getJsonArray("campaigns"))
                .containsExactly(
                        new JsonObject()
                                .put("final", 3)
                                .put("provisional", 1)
                                .put("total", 4)
                                .put("campaign", "camp-a"),
                        new JsonObject()
                                .put("final", 2)
                                .put("provisional", 0)
                                .put("total", 2)
                                .put("campaign", "camp-b"));
        JsonArray latest = a.getJsonArray("latest");
        assertThat(latest).hasSize(ResultsScenario.PAGE_VIEWS);
        assertThat(latest.getJsonObject(0))
                .isEqualTo(new JsonObject()
                        .put("pageView", "pv-n1")
                        .put("user", "user-pv-n1")
                        .put("time", "2024-03-01T10:21:00.000Z")
                        .put("url", "/p/pv-n1")
                        .putNull("campaign")
                        .putNull("click")
                        .putNull("clickTime")
                        .put("final", false));
        JsonObject series = a.getJsonObject("series");
        assertThat(series.getString("bucket")).isEqualTo("minute");
        assertThat(series.getJsonArray("points")).hasSize(ResultsScenario.PAGE_VIEWS);
        assertThat(series.getJsonArray("points").getJsonObject(0))
                .isEqualTo(new JsonObject()
                        .put("start", "2024-03-01T10:00:00.000Z")
                        .put("attributed", 1)
                        .put("unattributed", 0));

        // The last 15 minutes of event time end at the newest row: camp-b and the unattributed ones.
        JsonObject last = json(server, "/api/attribution?range=15m");
        assertThat(last.getJsonObject("range").getString("from")).isEqualTo("2024-03-01T10:06:00.000Z");
        assertThat(last.getLong("pageViews")).isEqualTo(4);
        assertThat(last.getJsonArray("campaigns")).hasSize(1);
        assertThat(last.getDouble("unattributedShare")).isEqualTo(0.5);
    }

    @Test
    void uniqueUsersPerWindowSizeWithProvisionalPointsAndBounds() throws Exception {
        JsonObject u = json(server, "/api/uniques");
        assertThat(u.getJsonArray("windows")).isEqualTo(new JsonArray(List.of(60, 3600)));
        assertThat(u.getLong("window")).isEqualTo(60);
        assertThat(u.getBoolean("bounds")).isTrue();
        JsonArray points = u.getJsonArray("points");
        assertThat(points).hasSize(ResultsScenario.MINUTE_WINDOWS);
        assertThat(points.getJsonObject(1))
                .isEqualTo(new JsonObject()
                        .put("start", "2024-03-01T10:01:00.000Z")
                        .put("end", "2024-03-01T10:02:00.000Z")
                        .put("users", 11)
                        .put("lower", 9)
                        .put("upper", 13)
                        .put("final", true));
        assertThat(points.getJsonObject(ResultsScenario.MINUTE_WINDOWS - 1).getBoolean("final"))
                .isFalse();

        JsonObject hours = json(server, "/api/uniques?window=3600&range=all");
        assertThat(hours.getBoolean("bounds")).isFalse();
        assertThat(hours.getJsonArray("points")).hasSize(1);
        assertThat(hours.getJsonArray("points").getJsonObject(0).getLong("users"))
                .isEqualTo(40);
        // A size the table does not have: no points, and the sizes it has.
        JsonObject none = json(server, "/api/uniques?window=86400");
        assertThat(none.getJsonArray("points")).isEmpty();
        assertThat(none.getJsonArray("windows")).hasSize(2);
    }

    @Test
    void hourlyIsTheNewestHourAndTheDayBeforeIt() throws Exception {
        JsonObject h = json(server, "/api/hourly");
        assertThat(h.getJsonObject("current"))
                .isEqualTo(new JsonObject()
                        .put("hour", "2024-03-01T10:00:00.000Z")
                        .put("users", ResultsScenario.CURRENT_USERS)
                        .put("clicks", ResultsScenario.CURRENT_CLICKS)
                        .put("impressions", ResultsScenario.CURRENT_IMPRESSIONS)
                        .put("final", false));
        assertThat(h.getJsonArray("hours")).hasSize(3);
        assertThat(h.getJsonObject("range").getString("from")).isEqualTo(EventTimes.format(T0 - 23 * HOUR));
    }

    @Test
    void qualityCountsRejectedAndLateWithTheNewestPayloadsAsText() throws Exception {
        JsonObject q = json(server, "/api/quality");
        JsonObject rejected = q.getJsonObject("rejected");
        assertThat(rejected.getJsonArray("byReason"))
                .containsExactly(
                        new JsonObject().put("name", "user_id is missing").put("count", 2),
                        new JsonObject()
                                .put("name", ResultsScenario.LONG_REASON)
                                .put("count", 1));
        JsonArray latest = rejected.getJsonArray("latest");
        assertThat(latest).hasSize(3);
        // Newest first: the order rows were written in.
        assertThat(latest.getJsonObject(2).getString("payload")).isEqualTo(ResultsScenario.SCRIPT_PAYLOAD);
        assertThat(latest.getJsonObject(0).getString("position")).isEqualTo("1:4");
        assertThat(q.getJsonObject("late").getJsonArray("byStream"))
                .containsExactly(
                        new JsonObject().put("name", "page_view").put("count", 2),
                        new JsonObject().put("name", "ad_click").put("count", 1));
        assertThat(q.getJsonObject("late")
                        .getJsonArray("latest")
                        .getJsonObject(0)
                        .getString("event"))
                .isEqualTo("p-9");
    }

    @Test
    void manyReasonsAreTheLargestAndTheRestSummed() throws Exception {
        Database many = Database.of("jdbc:sqlite:" + dir.resolve("reasons.db"));
        List<RejectedEvent> rows = new ArrayList<>();
        int reasons = ResultsQueries.MAX_REASONS + 3;
        for (int r = 0; r < reasons; r++) {
            // reason r has r + 1 rows: the three smallest (1 + 2 + 3 rows) are summed
            for (int i = 0; i <= r; i++) {
                rows.add(new RejectedEvent("ad_click", "ad_clicks", r + ":" + i, "reason " + r, "{}"));
            }
        }
        ResultsScenario.upsert(many, AnalyticsTables.DDL, DeadLetterTables.REJECTED, rows);
        try (Connection c = many.connect()) {
            JsonObject rejected = ResultsQueries.rejected(c, 5, true);
            assertThat(rejected.getJsonArray("byReason")).hasSize(ResultsQueries.MAX_REASONS);
            assertThat(rejected.getJsonArray("byReason").getJsonObject(0))
                    .isEqualTo(new JsonObject()
                            .put("name", "reason " + (reasons - 1))
                            .put("count", reasons));
            assertThat(rejected.getJsonObject("otherReasons"))
                    .isEqualTo(new JsonObject().put("reasons", 3).put("count", 6));
        }
        assertThat(json(server, "/api/quality").getJsonObject("rejected").getJsonObject("otherReasons"))
                .isEqualTo(new JsonObject().put("reasons", 0).put("count", 0));
    }

    @Test
    void aSectionWhoseTableIsMissingSaysSo() throws Exception {
        assertThat(json(empty, "/api/attribution"))
                .isEqualTo(
                        new JsonObject().put("table", "attributed_page_views").put("exists", false));
        assertThat(json(empty, "/api/uniques"))
                .isEqualTo(new JsonObject().put("table", "unique_users").put("exists", false));
        assertThat(json(empty, "/api/hourly"))
                .isEqualTo(new JsonObject().put("table", "hourly_stats").put("exists", false));
        JsonObject q = json(empty, "/api/quality");
        assertThat(q.getJsonObject("rejected").getBoolean("exists")).isFalse();
        assertThat(q.getJsonObject("late").getBoolean("exists")).isFalse();
        assertThat(json(empty, "/api/flink")).isEqualTo(new JsonObject().put("configured", false));
    }

    @Test
    void badParametersAre400WithAReason() throws Exception {
        String[][] cases = {
            {"/api/attribution?range=2w", "range must be all, auto or one of 15m, 1h, 6h, 1d, 7d, 30d, not '2w'"},
            {"/api/attribution?range", "range needs a value"},
            {"/api/attribution?range=1h&range=6h", "more than once"},
            {"/api/attribution?from=1", "unknown parameter 'from' (known: range)"},
            {"/api/uniques?window=0", "window must be a window size in seconds"},
            {"/api/uniques?window=-60", "window must be a window size in seconds"},
            {"/api/uniques?window=1m", "not '1m'"},
            {"/api/hourly?range=1h", "unknown parameter 'range' (this path takes none)"},
            {"/api/quality?x=1", "unknown parameter 'x'"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = send(server, "GET", c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains(c[1]).endsWith("\n");
        }
        assertThat(send(server, "GET", "/api/nope").statusCode()).isEqualTo(404);
        assertThat(send(server, "GET", "/static/nope.js").statusCode()).isEqualTo(404);
        assertThat(send(server, "POST", "/api/hourly").statusCode()).isEqualTo(405);
    }

    @Test
    void thePageAndItsFilesComeFromTheJarWithAStrictScriptPolicy() throws Exception {
        HttpResponse<String> page = send(server, "GET", "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self';"));
        assertThat(page.body()).contains("<script src=\"/static/uPlot.iife.min.js\"></script>");
        for (String file : new String[] {"/static/uPlot.iife.min.js", "/static/page.js", "/static/page.css"}) {
            assertThat(send(server, "GET", file).statusCode()).as(file).isEqualTo(200);
        }
        assertThat(send(server, "GET", "/metrics").body())
                .contains("route=\"/api/hourly\",method=\"GET\",status=\"400\"");
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it adds an hour the others do not expect
    void aNewRowIsAnsweredWithinTheRefreshInterval() throws Exception {
        json(server, "/api/hourly");
        long next = T0 + HOUR;
        ResultsScenario.upsert(
                database, AnalyticsTables.DDL, AnalyticsTables.HOURLY, List.of(new HourlyStats(next, 1, 1, 1, false)));
        long written = System.nanoTime();
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> json(server, "/api/hourly")
                        .getJsonObject("current")
                        .getString("hour")
                        .equals(EventTimes.format(next)));
        assertThat(Duration.ofNanos(System.nanoTime() - written))
                .isLessThan(REFRESH.multipliedBy(2).plusSeconds(1));
    }
}
