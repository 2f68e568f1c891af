package io.clickflow.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.commandline.Cli;
import io.clickflow.tables.AnalyticsEvent;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.HourlyStats;
import io.clickflow.testing.KafkaTestBroker;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The API over real HTTP on loopback, with a real Kafka broker and a real SQLite file: each case of the spec, the
 * record that reached Kafka, two servers answering alike, and the cache's freshness bound.
 */
@Timeout(120)
class AnalyticsApiITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    static final String TOPIC = "analytics_events";
    static final Duration REFRESH = Duration.ofMillis(200);
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    static Path dir;

    static Database database;
    static ApiServer server;
    static ApiServer second;

    @BeforeAll
    static void start() throws Exception {
        KAFKA.createTopics(3, TOPIC);
        database = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        server = serve(database);
        second = serve(database);
    }

    static ApiServer serve(Database db, String... more) throws Exception {
        return serve(KAFKA, db, more);
    }

    /** A server on a free port, started as {@code ./clickflow serve} would be, against any broker and database. */
    static ApiServer serve(KafkaTestBroker kafka, Database db, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--port", "0",
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--jdbc-url", db.url().replaceFirst("\\?.*", ""),
                "--cache-refresh", REFRESH.toMillis() + "ms",
                "--event-loops", "2",
                "--health-interval", "500ms",
                "--max-user-length", "64"));
        args.addAll(List.of(more));
        return Cli.parse(new ServeCommand(), args.toArray(String[]::new)).start();
    }

    @AfterAll
    static void stop() {
        for (ApiServer s : new ApiServer[] {server, second}) {
            if (s != null) {
                s.close(Duration.ofSeconds(5));
            }
        }
    }

    static HttpResponse<String> send(ApiServer s, String method, String pathAndQuery) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(server, "GET", pathAndQuery);
    }

    static HttpResponse<String> post(String query) throws Exception {
        return send(server, "POST", "/analytics?" + query);
    }

    static String counts(long users, long clicks, long impressions) {
        return "unique_users," + users + "\nclicks," + clicks + "\nimpressions," + impressions + "\n";
    }

    static void upsert(HourlyStats row) throws Exception {
        upsert(database, row);
    }

    /** Writes a row as the analytics job's sink does: its DDL, its upsert statement and binder. */
    static void upsert(Database database, HourlyStats row) throws Exception {
        database.createTables(AnalyticsTables.DDL);
        try (Connection c = database.connect();
                PreparedStatement ps = c.prepareStatement(AnalyticsTables.HOURLY.upsert())) {
            AnalyticsTables.HOURLY.binder().bind(ps, row);
            ps.executeUpdate();
        }
    }

    @Test
    void postIsAnsweredOnlyOnceTheRecordIsInTheTopic() throws Exception {
        long now = System.currentTimeMillis();
        String[][] cases = {
            // query-string user, decoded user
            {"alice", "alice"},
            {"with+space", "with space"},
            {"with%20space", "with space"},
            {"a%2Bb", "a+b"},
            {"%25%26%3D%3F", "%&=?"},
            {"%C3%A9l%C3%A8ve%20%E6%97%A5%E6%9C%AC", "élève 日本"},
            {"quote%22back%5Cslash", "quote\"back\\slash"},
            {"%F0%9F%98%80", "😀"}
        };
        for (String[] c : cases) {
            int before = KAFKA.readCommitted(TOPIC).size();
            HttpResponse<String> r = post("timestamp=" + now + "&user=" + c[0] + "&impression");
            assertThat(r.statusCode()).as(c[0]).isEqualTo(204);
            assertThat(r.body()).isEmpty();
            // Read right after the 204, read_committed: the record must already be there.
            List<KafkaTestBroker.Read> records = KAFKA.readCommitted(TOPIC);
            assertThat(records).hasSize(before + 1);
            KafkaTestBroker.Read record = records.stream()
                    .filter(x -> x.key().equals(c[1]))
                    .filter(x -> x.value().equals(AnalyticsEvent.json(c[1], now, false)))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no record of " + c[1] + " in " + records));
            assertThat(record.value()).isEqualTo(AnalyticsEvent.json(c[1], now, false));
        }
        int before = KAFKA.readCommitted(TOPIC).size();
        assertThat(post("click&user=bob&timestamp=" + now).statusCode()).isEqualTo(204);
        assertThat(post("click=&user=bob&timestamp=" + now).statusCode()).isEqualTo(204);
        assertThat(post("click=1&user=bob&timestamp=" + now).statusCode()).isEqualTo(204);
        assertThat(KAFKA.readCommitted(TOPIC))
                .hasSize(before + 3)
                .filteredOn(r -> r.key().equals("bob"))
                .extracting(KafkaTestBroker.Read::value)
                .containsOnly(AnalyticsEvent.json("bob", now, true));
    }

    @Test
    void badRequestsAre400WithOneLineAndCountNowhere() throws Exception {
        long now = System.currentTimeMillis();
        String[][] cases = {
            {"timestamp=" + now + "&user=a", "give click or impression"},
            {"timestamp=" + now + "&user=a&click&impression", "not both"},
            {"timestamp=" + now + "&click", "user is missing"},
            {"timestamp=" + now + "&user=&click", "user is empty"},
            {"timestamp=" + now + "&user=" + "x".repeat(65) + "&click", "at most 64"},
            {"user=a&click", "timestamp is missing"},
            {"timestamp=soon&user=a&click", "as digits, not 'soon'"},
            {"timestamp=-1&user=a&click", "as digits, not '-1'"},
            {"timestamp=9223372036854775808&user=a&click", "too large"},
            {"timestamp=" + (now - Duration.ofHours(25).toMillis()) + "&user=a&click", "--max-age"},
            {"timestamp=" + (now + Duration.ofHours(2).toMillis()) + "&user=a&click", "--max-future"},
            {"timestamp=" + now + "&user=%C3%28&click", "not valid percent-encoded UTF-8"},
            {"timestamp=" + now + "&user=a&click=yes", "click is a flag"},
            {"timestamp=" + now + "&user=a&user=b&click", "more than once"},
            {"timestamp=" + now + "&user=a&click&extra=1", "unknown parameter 'extra'"},
        };
        int before = KAFKA.readCommitted(TOPIC).size();
        // java.net.URI refuses a malformed escape, so this one goes over a plain socket.
        assertThat(raw("POST /analytics?timestamp=" + now + "&user=a%zz&click HTTP/1.1\r\nHost: x\r\n\r\n"))
                .startsWith("HTTP/1.1 400 ")
                .endsWith("\r\n\r\nuser has a bad %-escape (use %XX with two hex digits; % itself is %25)\n");
        for (String[] c : cases) {
            HttpResponse<String> r = post(c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
            assertThat(r.body()).as(c[0]).contains(c[1]).endsWith("\n");
            assertThat(r.body().strip()).doesNotContain("\n");
        }
        for (String q : new String[] {"", "?timestamp=", "?timestamp=x", "?timestamp=1&user=a"}) {
            assertThat(get("/analytics" + q).statusCode()).as(q).isEqualTo(400);
        }
        assertThat(KAFKA.readCommitted(TOPIC)).hasSize(before);
    }

    @Test
    void idempotencyKeysGoIntoTheRecordAndBadOnesAre400() throws Exception {
        long now = System.currentTimeMillis();
        String q = "/analytics?timestamp=" + now + "&user=keyed&click";
        int before = KAFKA.readCommitted(TOPIC).size();
        assertThat(raw("POST " + q + " HTTP/1.1\r\nHost: x\r\nIdempotency-Key: h-1\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 204 ");
        assertThat(post(q.substring("/analytics?".length()) + "&id=q-1").statusCode())
                .isEqualTo(204);
        assertThat(KAFKA.readCommitted(TOPIC))
                .hasSize(before + 2)
                .filteredOn(r -> r.key().equals("keyed"))
                .extracting(KafkaTestBroker.Read::value)
                .containsExactlyInAnyOrder(
                        AnalyticsEvent.json("keyed", now, true, "h-1"), AnalyticsEvent.json("keyed", now, true, "q-1"));

        String[][] cases = {
            {"Idempotency-Key: k2", "&id=k1", "differ"},
            {"Idempotency-Key: " + "x".repeat(257), "", "Idempotency-Key is 257 bytes long"},
            {"Idempotency-Key: ", "", "Idempotency-Key is empty"},
            {"X-Other: 1", "&id=", "id is empty"},
        };
        before = KAFKA.readCommitted(TOPIC).size();
        for (String[] c : cases) {
            assertThat(raw("POST " + q + c[1] + " HTTP/1.1\r\nHost: x\r\n" + c[0] + "\r\nConnection: close\r\n\r\n"))
                    .as(c[0] + c[1])
                    .startsWith("HTTP/1.1 400 ")
                    .contains(c[2]);
        }
        assertThat(KAFKA.readCommitted(TOPIC)).hasSize(before);
    }

    @Test
    void hourEdgesReadTheRightRow() throws Exception {
        long hour = 1_700_002_800_000L; // 2023-11-14T23:00:00Z, an hour start
        assertThat(hour % AnalyticsTables.HOUR_MILLIS).isZero();
        upsert(new HourlyStats(hour - AnalyticsTables.HOUR_MILLIS, 1, 2, 3, true));
        upsert(new HourlyStats(hour, 40, 50, 60, false));
        assertThat(get("/analytics?timestamp=" + (hour - 1)).body()).isEqualTo(counts(1, 2, 3));
        assertThat(get("/analytics?timestamp=" + (hour - AnalyticsTables.HOUR_MILLIS))
                        .body())
                .isEqualTo(counts(1, 2, 3));
        HttpResponse<String> r = get("/analytics?timestamp=" + hour);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.body()).isEqualTo(counts(40, 50, 60));
        assertThat(get("/analytics?timestamp=" + (hour + AnalyticsTables.HOUR_MILLIS - 1))
                        .body())
                .isEqualTo(counts(40, 50, 60));
        // An hour without a row: zeros.
        assertThat(get("/analytics?timestamp=" + (hour + AnalyticsTables.HOUR_MILLIS))
                        .body())
                .isEqualTo(counts(0, 0, 0));
        assertThat(get("/analytics?timestamp=0").body()).isEqualTo(counts(0, 0, 0));
    }

    @Test
    void missingTableAnswersZeros() throws Exception {
        Database empty = Database.of("jdbc:sqlite:" + dir.resolve("not-yet/empty.db"));
        ApiServer s = serve(empty);
        try {
            HttpResponse<String> r = send(s, "GET", "/analytics?timestamp=" + System.currentTimeMillis());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(counts(0, 0, 0));
            assertThat(send(s, "GET", "/analytics?timestamp=1700000000000").body())
                    .isEqualTo(counts(0, 0, 0));
            assertThat(send(s, "GET", "/health").statusCode()).isEqualTo(200);
        } finally {
            s.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void twoServersAnswerTheSameGet() throws Exception {
        long now = System.currentTimeMillis();
        long past = now - Duration.ofHours(3).toMillis();
        upsert(new HourlyStats(HourlyStatsStore.hourStart(past), 7, 8, 9, true));
        for (long t : new long[] {past, now}) {
            String q = "/analytics?timestamp=" + t;
            assertThat(send(second, "GET", q).body())
                    .isEqualTo(send(server, "GET", q).body());
        }
        assertThat(send(second, "GET", "/analytics?timestamp=" + past).body()).isEqualTo(counts(7, 8, 9));
        // A POST to either one lands in the same topic.
        int before = KAFKA.readCommitted(TOPIC).size();
        assertThat(send(second, "POST", "/analytics?timestamp=" + now + "&user=carol&click")
                        .statusCode())
                .isEqualTo(204);
        assertThat(KAFKA.readCommitted(TOPIC)).hasSize(before + 1);
    }

    @Test
    void currentHourUpdatesAreSeenWithinTheRefreshBound() throws Exception {
        long hour = HourlyStatsStore.hourStart(System.currentTimeMillis());
        String q = "/analytics?timestamp=" + System.currentTimeMillis();
        for (int i = 1; i <= 3; i++) {
            if (HourlyStatsStore.hourStart(System.currentTimeMillis()) != hour) {
                return; // the hour turned during the test: the next run checks it
            }
            long written = System.nanoTime();
            upsert(new HourlyStats(hour, 1000 * i, 1000 * i, 1000 * i, false));
            String expected = counts(1000 * i, 1000 * i, 1000 * i);
            long deadline = written + Duration.ofSeconds(10).toNanos();
            String body = "";
            while (!body.equals(expected) && System.nanoTime() < deadline) {
                body = get(q).body();
            }
            long seenAfterMillis = (System.nanoTime() - written) / 1_000_000;
            assertThat(body).isEqualTo(expected);
            // The guarantee is 2 x refresh after the commit; the slack covers a busy 2-core machine.
            assertThat(seenAfterMillis).isLessThan(2 * REFRESH.toMillis() + 1000);
        }
        assertThat(get("/metrics").body()).containsPattern("clickflow_api_cache_hits_total [1-9]");
    }

    @Test
    void methodsPathsAndHealth() throws Exception {
        HttpResponse<String> r = send(server, "PUT", "/analytics?timestamp=1");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD, POST");
        assertThat(r.body()).isEqualTo("method PUT is not allowed on /analytics (allowed: GET, HEAD, POST)\n");
        assertThat(send(server, "DELETE", "/analytics").statusCode()).isEqualTo(405);
        r = send(server, "POST", "/health");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
        r = send(server, "POST", "/api/hourly");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(get("/").headers().firstValue("content-type")).hasValue("text/html; charset=utf-8"); // the page
        assertThat(get("/index.html").statusCode()).isEqualTo(404);
        assertThat(get("/analytics/").statusCode()).isEqualTo(404);
        assertThat(get("/nope?timestamp=1").body()).contains("no such path");

        r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("ok: Kafka topic 'analytics_events' (3 partitions)");

        r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
                .contains("clickflow_api_requests_total{route=\"/health\",method=\"GET\",status=\"200\"}")
                .contains("clickflow_api_requests_total{route=\"other\",method=\"GET\",status=\"404\"}")
                .contains("clickflow_api_request_duration_seconds_bucket{route=\"/health\",method=\"GET\",le=\"+Inf\"}")
                .contains("clickflow_api_kafka_send_errors_total 0")
                .contains("clickflow_api_cache_misses_total")
                .contains("# TYPE clickflow_api_request_duration_seconds histogram");
    }

    /** HEAD, as load balancers probe with it: the answer a GET gets, headers and all, without the body. */
    @Test
    void headIsAnsweredLikeGetWithoutABody() throws Exception {
        long hour = 1_700_020_800_000L; // 2023-11-15T04:00:00Z, a past hour: its answer does not change
        upsert(new HourlyStats(hour, 4, 5, 6, true));
        for (String path : new String[] {
            "/health", "/analytics?timestamp=" + hour, "/metrics", "/", "/api/hourly", "/analytics", "/nope"
        }) {
            HttpResponse<String> get = get(path);
            HttpResponse<String> head = send(server, "HEAD", path);
            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
            assertThat(head.headers().firstValue("content-type"))
                    .as(path)
                    .isEqualTo(get.headers().firstValue("content-type"));
            assertThat(head.body()).as(path).isEmpty();
            if (path.startsWith("/analytics") || path.equals("/") || path.equals("/nope")) {
                assertThat(head.headers().firstValueAsLong("content-length"))
                        .as(path)
                        .hasValue(get.body().getBytes(StandardCharsets.UTF_8).length);
            } else { // health, metrics and the JSON say how long ago things happened: their length varies
                assertThat(head.headers().firstValueAsLong("content-length").orElse(0))
                        .as(path)
                        .isPositive();
            }
        }
        assertThat(get("/analytics?timestamp=" + hour).body()).isEqualTo(counts(4, 5, 6));
        assertThat(send(server, "HEAD", "/health").statusCode()).isEqualTo(200);
        assertThat(send(server, "HEAD", "/analytics").statusCode()).isEqualTo(400); // no timestamp, as for GET
        // Over a plain socket: the status line and headers, no body, and the connection stays usable.
        assertThat(raw("HEAD /analytics?timestamp=" + hour + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200 OK\r\n")
                .contains("\r\ncontent-length: " + counts(4, 5, 6).length() + "\r\n")
                .endsWith("\r\n\r\n");
        assertThat(get("/metrics").body())
                .contains("clickflow_api_requests_total{route=\"/health\",method=\"HEAD\",status=\"200\"}");
    }

    /** Only HTTP/1.1 and 1.0 are served; another version gets 505 and a line saying so, not a bare 5xx. */
    @Test
    void otherHttpVersionsGet505WithAReason() throws Exception {
        for (String version : new String[] {"HTTP/2.0", "HTTP/3.0", "HTTP/1.2"}) {
            assertThat(raw("GET /health " + version + "\r\nHost: x\r\n\r\n"))
                    .as(version)
                    .startsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n")
                    .contains("\r\ncontent-type: text/plain; charset=utf-8\r\n")
                    .endsWith("\r\n\r\n" + version + " is not served here: send HTTP/1.1 (or HTTP/1.0)\n");
        }
        assertThat(raw("GET /health HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.0 200 ");
    }

    /**
     * The metrics say what happened: a request whose client closed the connection halfway is counted as given up,
     * under its own route and method (not as a 400); a request line too long to read is a 414 of an unknown method
     * (not a GET); another HTTP version is a 505.
     */
    @Test
    void metricsCountHalfRequestsAndUnreadableLinesTruthfully() throws Exception {
        ApiServer s = serve(database);
        try {
            sendAndClose(s, "GET /health HTTP/1.1\r\nHost: x\r\n"); // headers never end
            sendAndClose(s, "POST /analytics?timestamp=1&user=a&click HTTP/1.1\r\nHost: x\r\nX-Half: y");
            String bigPost = "POST /analytics?timestamp=" + System.currentTimeMillis() + "&click&user="
                    + "u".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
            try {
                assertThat(raw(s, bigPost)).contains(" 414 "); // answered as HTTP/1.0: the version was not read
            } catch (IOException e) {
                // The server answers 414 and closes before reading the whole line: the write may be reset.
            }
            assertThat(raw(s, "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 505 ");
            String aborted = "clickflow_api_requests_aborted_total{route=\"/health\",method=\"GET\"} 1";
            String abortedPost = "clickflow_api_requests_aborted_total{route=\"/analytics\",method=\"POST\"} 1";
            String tooLong = "clickflow_api_requests_total{route=\"invalid\",method=\"unknown\",status=\"414\"} 1";
            String metrics = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // The half requests are counted when the server sees their connections close: wait for that, no longer.
            while (System.nanoTime() < deadline
                    && !(metrics.contains(aborted) && metrics.contains(abortedPost) && metrics.contains(tooLong))) {
                metrics = send(s, "GET", "/metrics").body();
            }
            assertThat(metrics)
                    .contains(aborted)
                    .contains(abortedPost)
                    .contains(tooLong)
                    .contains("clickflow_api_requests_total{route=\"invalid\",method=\"GET\",status=\"505\"} 1")
                    .doesNotContain("status=\"400\"")
                    .doesNotContain("method=\"GET\",status=\"414\"");
        } finally {
            s.close(Duration.ofSeconds(5));
        }
    }

    /** Sends part of a request and closes the connection, as a client that gives up does. */
    static void sendAndClose(ApiServer s, String part) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(part.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    @Test
    void oversizedRequestsAreRefused() throws Exception {
        String longUri = "/analytics?timestamp=1&x=" + "a".repeat(5000);
        assertThat(raw("GET " + longUri + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                .contains(" 414 ")
                .endsWith("request line over 4096 bytes\n");
        assertThat(raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n\r\n"))
                .contains(" 431 ")
                .endsWith("request headers over 8192 bytes\n");
        // A declared body over the limit is refused before any of it is read.
        assertThat(
                        raw(
                                "POST /analytics?timestamp=1&user=a&click HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"))
                .startsWith("HTTP/1.1 413");
        // A streamed one is refused once it passes the limit.
        String chunk = Integer.toHexString(3000) + "\r\n" + "c".repeat(3000) + "\r\n";
        assertThat(raw(
                        "POST /analytics?timestamp=1&user=a&click HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + chunk + chunk))
                .startsWith("HTTP/1.1 4"); // 413, or 400 if the bad timestamp is answered first; never buffered
        // A small body is ignored.
        assertThat(raw("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"))
                .startsWith("HTTP/1.1 200");
    }

    /** One request over a plain socket (a client library would refuse to send some of these); the answer's text. */
    static String raw(String request) throws IOException {
        return raw(server, request);
    }

    static String raw(ApiServer s, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
