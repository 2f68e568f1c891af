package io.clickflow.api;

import static io.clickflow.api.AnalyticsApiITCase.counts;
import static io.clickflow.api.AnalyticsApiITCase.send;
import static io.clickflow.api.AnalyticsApiITCase.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clickflow.commandline.UsageException;
import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.HourlyStats;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.PostgresTestServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * The API on a real PostgreSQL 17 server ({@code --jdbc-url jdbc:postgresql://...}, a role with a password): GETs
 * answer exactly the rows the analytics job's own upsert wrote (its DDL, statement and merge rule, run on PostgreSQL),
 * hour edges, an hour without a row and a database without the table answer zeros, the current hour's cache refreshes
 * within its bound, {@code /health} names the database and turns 503 in an outage, and a wrong password is one line
 * at start, never echoed.
 */
@Timeout(120)
class PostgresApiITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    @RegisterExtension
    static final PostgresTestServer POSTGRES = new PostgresTestServer();

    static final long HOUR = AnalyticsTables.HOUR_MILLIS;
    /** 2023-11-14T23:00:00Z, an hour start. */
    static final long SOME_HOUR = 1_700_002_800_000L;

    /** From an outage's start or end until /health says so: a few cache refreshes, roomy for a busy machine. */
    static final Duration OUTAGE_SEEN = Duration.ofSeconds(10);

    static Database database;
    static ApiServer server;

    @BeforeAll
    static void start() throws Exception {
        KAFKA.createTopics(1, AnalyticsApiITCase.TOPIC);
        database = POSTGRES.newDatabase();
        server = serve(database);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close(Duration.ofSeconds(5));
        }
    }

    static ApiServer serve(Database db) throws Exception {
        return AnalyticsApiITCase.serve(KAFKA, db, "--jdbc-user", db.user(), "--jdbc-password", db.password());
    }

    static HttpResponse<String> get(long timestamp) throws Exception {
        return send(server, "GET", "/analytics?timestamp=" + timestamp);
    }

    @Test
    void theResultsPageReadsPostgresAsItReadsSqlite(@TempDir Path dir) throws Exception {
        Database postgres = POSTGRES.newDatabase();
        Database sqlite = Database.of("jdbc:sqlite:" + dir.resolve("same.db"));
        ResultsScenario.write(postgres);
        ResultsScenario.write(sqlite);
        try (Connection pg = postgres.connect();
                Connection lite = sqlite.connect()) {
            for (String range : new String[] {"auto", "all", "15m", "1d"}) {
                assertThat(ResultsQueries.attribution(pg, 5, range))
                        .as(range)
                        .isEqualTo(ResultsQueries.attribution(lite, 5, range));
                assertThat(ResultsQueries.uniques(pg, 5, range, null))
                        .as(range)
                        .isEqualTo(ResultsQueries.uniques(lite, 5, range, null));
            }
            assertThat(ResultsQueries.uniques(pg, 5, "all", 3600L))
                    .isEqualTo(ResultsQueries.uniques(lite, 5, "all", 3600L));
            assertThat(ResultsQueries.hourly(pg, 5)).isEqualTo(ResultsQueries.hourly(lite, 5));
            assertThat(ResultsQueries.rejected(pg, 5, false)).isEqualTo(ResultsQueries.rejected(lite, 5, true));
            assertThat(ResultsQueries.late(pg, 5)).isEqualTo(ResultsQueries.late(lite, 5));
            assertThat(ResultsQueries.attribution(pg, 5, "auto").getLong("pageViews"))
                    .isEqualTo(ResultsScenario.PAGE_VIEWS);
        }
        ApiServer page = serve(postgres);
        try {
            HttpResponse<String> r = send(page, "GET", "/api/quality");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"payload\":\"<script>");
        } finally {
            page.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void getsAnswerTheRowsTheJobsUpsertKept() throws Exception {
        assertThat(SOME_HOUR % HOUR).isZero();
        upsert(database, new HourlyStats(SOME_HOUR - HOUR, 1, 2, 3, true));
        // Update mode's rows of one hour in any order: the upsert keeps the final one, then the larger counts.
        HourlyStats provisional = new HourlyStats(SOME_HOUR, 40, 50, 60, false);
        HourlyStats finalRow = new HourlyStats(SOME_HOUR, 41, 51, 61, true);
        HourlyStats earlier = new HourlyStats(SOME_HOUR, 30, 30, 30, false);
        for (HourlyStats row : new HourlyStats[] {provisional, finalRow, earlier, provisional}) {
            upsert(database, row);
        }
        assertThat(stored(SOME_HOUR)).isEqualTo(counts(41, 51, 61));
        assertThat(AnalyticsTables.keep(AnalyticsTables.keep(provisional, finalRow), earlier))
                .isSameAs(finalRow);

        assertThat(get(SOME_HOUR - HOUR).body()).isEqualTo(counts(1, 2, 3));
        assertThat(get(SOME_HOUR - 1).body()).isEqualTo(counts(1, 2, 3));
        HttpResponse<String> r = get(SOME_HOUR);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.body()).isEqualTo(stored(SOME_HOUR));
        assertThat(get(SOME_HOUR + HOUR - 1).body()).isEqualTo(counts(41, 51, 61));
        assertThat(get(SOME_HOUR + HOUR).body()).as("an hour without a row").isEqualTo(counts(0, 0, 0));
    }

    @Test
    void currentHourUpdatesAreSeenWithinTheRefreshBound() throws Exception {
        long hour = HourlyStatsStore.hourStart(System.currentTimeMillis());
        for (int i = 1; i <= 3; i++) {
            if (HourlyStatsStore.hourStart(System.currentTimeMillis()) != hour) {
                return; // the hour turned during the test: the next run checks it
            }
            upsert(database, new HourlyStats(hour, 100 * i, 100 * i, 100 * i, false));
            String expected = counts(100 * i, 100 * i, 100 * i);
            // The guarantee is 2 x refresh after the commit; the slack covers a busy 2-core machine.
            await("the current hour's GET shows row " + i)
                    .atMost(Duration.ofMillis(2 * AnalyticsApiITCase.REFRESH.toMillis() + 1000))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> get(System.currentTimeMillis()).body(), expected::equals);
        }
        assertThat(send(server, "GET", "/metrics").body()).containsPattern("clickflow_api_cache_hits_total [1-9]");
    }

    @Test
    void healthNamesTheDatabaseAndNeverThePassword() throws Exception {
        HttpResponse<String> r = send(server, "GET", "/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .startsWith("ok: Kafka topic '" + AnalyticsApiITCase.TOPIC + "'")
                .contains("database " + database.describe() + " read ")
                .doesNotContain(PostgresTestServer.PASSWORD);
        assertThat(database.describe()).startsWith("jdbc:postgresql://127.0.0.1:");
    }

    @Test
    void aDatabaseWithoutTheTableAnswersZeros() throws Exception {
        ApiServer s = serve(POSTGRES.newDatabase());
        try {
            assertThat(send(s, "GET", "/analytics?timestamp=" + System.currentTimeMillis())
                            .body())
                    .isEqualTo(counts(0, 0, 0));
            assertThat(send(s, "GET", "/analytics?timestamp=" + SOME_HOUR).body())
                    .isEqualTo(counts(0, 0, 0));
            assertThat(send(s, "GET", "/health").statusCode()).isEqualTo(200);
        } finally {
            s.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWrongPasswordIsOneLineAtStart() {
        Database wrong = new Database(database.url(), database.user(), "not-the-password");
        assertThatThrownBy(() -> serve(wrong))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("cannot open the database " + database.describe() + ": ")
                .hasMessageNotContaining("not-the-password")
                .hasMessageNotContaining("\n");
    }

    /**
     * A real outage without stopping the server: the database stops accepting connections and the server's are
     * terminated. {@code /health} turns 503 naming the database, a GET that needs the database is a 503 (never zeros
     * from nothing), and both recover once connections are accepted again.
     */
    @Test
    void aDatabaseOutageIs503AndHealthSaysSoUntilItRecovers() throws Exception {
        Database db = POSTGRES.newDatabase();
        String name = db.describe().substring(db.describe().lastIndexOf('/') + 1);
        upsert(db, new HourlyStats(SOME_HOUR, 5, 6, 7, true));
        upsert(db, new HourlyStats(SOME_HOUR - HOUR, 1, 1, 1, true));
        ApiServer s = serve(db);
        try {
            assertThat(send(s, "GET", "/analytics?timestamp=" + SOME_HOUR).body())
                    .isEqualTo(counts(5, 6, 7));
            asSuperuser("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            asSuperuser("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
            await("/health turns 503")
                    .atMost(OUTAGE_SEEN)
                    .until(() -> send(s, "GET", "/health").statusCode(), status -> status == 503);
            assertThat(send(s, "GET", "/health").body())
                    .contains("database " + db.describe() + ": ")
                    .doesNotContain(PostgresTestServer.PASSWORD);
            // An hour not read before: the answer needs the database.
            HttpResponse<String> r = send(s, "GET", "/analytics?timestamp=" + (SOME_HOUR - HOUR));
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).startsWith("cannot read hourly_stats: ");

            asSuperuser("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
            await("/health turns 200 again")
                    .atMost(OUTAGE_SEEN)
                    .until(() -> send(s, "GET", "/health").statusCode(), status -> status == 200);
            assertThat(send(s, "GET", "/analytics?timestamp=" + (SOME_HOUR - HOUR))
                            .body())
                    .isEqualTo(counts(1, 1, 1));
            assertThat(send(s, "GET", "/metrics").body()).containsPattern("clickflow_api_db_errors_total [1-9]");
        } finally {
            asSuperuser("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
            s.close(Duration.ofSeconds(5));
        }
    }

    static void asSuperuser(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(POSTGRES.url("postgres"), "postgres", "");
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** What a GET of the hour must answer, read straight from the table with the API's own query. */
    static String stored(long hourStart) throws Exception {
        try (Connection c = database.connect();
                PreparedStatement ps = c.prepareStatement(AnalyticsTables.SELECT_HOUR)) {
            ps.setString(1, AnalyticsTables.hourKey(hourStart));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next())
                        .as("a row for " + AnalyticsTables.hourKey(hourStart))
                        .isTrue();
                return counts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }
}
