package io.clickflow.api;

import static io.clickflow.api.ResultsScenario.CAMP_A_FINAL;
import static io.clickflow.api.ResultsScenario.CAMP_A_PROVISIONAL;
import static io.clickflow.api.ResultsScenario.CAMP_B_FINAL;
import static io.clickflow.api.ResultsScenario.CURRENT_CLICKS;
import static io.clickflow.api.ResultsScenario.CURRENT_HOUR;
import static io.clickflow.api.ResultsScenario.CURRENT_IMPRESSIONS;
import static io.clickflow.api.ResultsScenario.CURRENT_USERS;
import static io.clickflow.api.ResultsScenario.HOUR;
import static io.clickflow.api.ResultsScenario.MINUTE;
import static io.clickflow.api.ResultsScenario.MINUTE_WINDOWS;
import static io.clickflow.api.ResultsScenario.SCRIPT_PAYLOAD;
import static io.clickflow.api.ResultsScenario.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clickflow.tables.AnalyticsTables;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;
import io.clickflow.tables.HourlyStats;
import io.clickflow.tables.UniquesTables;
import io.clickflow.testing.KafkaTestBroker;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The results page as a person sees it, in Debian's headless Chromium: served by a real server over loopback from a
 * real SQLite file with known rows; then rows are written and the open page shows them without a reload.
 */
@Timeout(120)
class ResultsPageBrowserITCase {
    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    /** The page polls every 1.5 s and the server reuses an answer for 200 ms: this leaves slack for a slow box. */
    static final Duration SEEN_WITHIN = Duration.ofSeconds(15);

    @TempDir
    static Path dir;

    static Database database;
    static ApiServer server;
    static ChromeDriver browser;

    /** Null unless browser tests are skipped on a machine without the browser (-Dclickflow.browserTests=skip). */
    static String skipped;

    @BeforeAll
    static void start() throws Exception {
        skipped = HeadlessChromium.unavailable();
        if (skipped != null) {
            return;
        }
        KAFKA.createTopics(1, AnalyticsApiITCase.TOPIC);
        database = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        ResultsScenario.write(database);
        server = AnalyticsApiITCase.serve(KAFKA, database, "--results-refresh", "200ms");
        // Phone width: the page must work there, and the checks below read it as laid out for a phone.
        browser = HeadlessChromium.start(412, 915);
    }

    @BeforeEach
    void browserThere() {
        Assumptions.assumeTrue(skipped == null, skipped);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void showsTheTablesAndFollowsNewRowsWithoutReloading() throws Exception {
        browser.get("http://127.0.0.1:" + server.port() + "/");
        JavascriptExecutor js = browser;
        await().atMost(SEEN_WITHIN)
                .untilAsserted(() -> assertThat(text("hour-users")).isEqualTo(Long.toString(CURRENT_USERS)));

        // Campaigns: biggest first, final and provisional apart, the unattributed last.
        List<List<String>> campaigns = rows("campaigns");
        assertThat(campaigns.get(0)).containsExactly("camp-a", "3", "1", "4", "50.0%");
        assertThat(campaigns.get(1)).containsExactly("camp-b", "2", "0", "2", "25.0%");
        assertThat(campaigns.get(2)).containsExactly("(unattributed)", "1", "1", "2", "25.0%");
        assertThat(text("unattributed-share")).isEqualTo("25.0%");
        assertThat(rows("latest-attributed")).hasSize(ResultsScenario.PAGE_VIEWS);

        // The current hour is the newest one in the table (event time: a replay of 2024 shows 2024).
        assertThat(text("hour-start")).isEqualTo("2024-03-01 10:00 UTC");
        assertThat(text("hour-clicks")).isEqualTo(Long.toString(CURRENT_CLICKS));
        assertThat(text("hour-impressions")).isEqualTo(Long.toString(CURRENT_IMPRESSIONS));

        // Charts drawn on canvases, one point per row of the chosen window size (the smallest: 60 s).
        assertThat(browser.findElements(By.cssSelector("#uniques-chart canvas")))
                .hasSize(1);
        WebElement canvas = browser.findElement(By.cssSelector("#uniques-chart canvas"));
        assertThat(canvas.getSize().getWidth()).isGreaterThan(100);
        assertThat(points(js, "uniques")).isEqualTo(MINUTE_WINDOWS);
        assertThat(points(js, "hourly")).isEqualTo(3);
        assertThat(js.executeScript("return window.clickflow.charts.uniques.series.length"))
                .as("time, counts, provisional marks, upper and lower bound")
                .isEqualTo(5L);
        // A few points sit inside a time axis of at least three buckets, not against its edges.
        assertThat((Boolean) js.executeScript("const x = window.clickflow.charts.hourly.scales.x, d ="
                        + " window.clickflow.charts.hourly.data[0];"
                        + " return x.max - x.min >= 3 * 3600 && x.min < d[0] && x.max > d[d.length - 1]"))
                .as("the hourly chart's time axis")
                .isTrue();
        // Series that can be equal have markers of different sizes, all shown: where they coincide each one shows.
        assertThat(js.executeScript("return window.clickflow.charts.hourly.series.slice(1)"
                        + ".map(s => s.points.show ? s.points.size : 0)"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .hasSize(3)
                .doesNotHaveDuplicates()
                .doesNotContain(0L);
        assertThat(browser.findElements(By.cssSelector("#window option")))
                .extracting(WebElement::getText)
                .containsExactly("1 min", "1 h");

        // Untrusted payloads are text: the markup shows literally and nothing of it ran.
        assertThat(browser.findElements(By.cssSelector("#payloads pre")))
                .extracting(WebElement::getText)
                .contains(SCRIPT_PAYLOAD);
        assertThat(browser.findElements(By.cssSelector("#payloads script, #payloads img")))
                .isEmpty();
        assertThat(js.executeScript("return window.pwned === undefined")).isEqualTo(true);
        assertThat(rows("rejected"))
                .containsExactly(List.of("user_id is missing", "2"), List.of(ResultsScenario.LONG_REASON, "1"));
        assertThat(rows("late")).containsExactly(List.of("page_view", "2"), List.of("ad_click", "1"));

        // Phone width: nothing wider than the screen but what scrolls inside its own box.
        assertThat(js.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                .isEqualTo(true);

        // New rows: the open page (the same document: its marker survives) shows them.
        js.executeScript("window.sameDocument = 42");
        ResultsScenario.upsert(
                database,
                AnalyticsTables.DDL,
                AnalyticsTables.HOURLY,
                List.of(new HourlyStats(CURRENT_HOUR + HOUR, 9, 4, 12, false)));
        ResultsScenario.upsert(
                database,
                UniquesTables.DDL,
                UniquesTables.UNIQUE_USERS,
                List.of(ResultsScenario.minuteWindow(MINUTE_WINDOWS, 30, true)));
        ResultsScenario.upsert(
                database,
                AttributionTables.DDL,
                AttributionTables.ATTRIBUTED,
                List.of(
                        ResultsScenario.view("pv-b9", T0 + 30 * MINUTE, "camp-b", true),
                        ResultsScenario.view("pv-b10", T0 + 31 * MINUTE, "camp-b", true),
                        ResultsScenario.view("pv-b11", T0 + 32 * MINUTE, "camp-b", false)));
        await().atMost(SEEN_WITHIN).untilAsserted(() -> {
            assertThat(text("hour-users")).isEqualTo("9");
            assertThat(text("hour-start")).isEqualTo("2024-03-01 11:00 UTC");
            assertThat(points(js, "uniques")).isEqualTo(MINUTE_WINDOWS + 1);
            assertThat(rows("campaigns").get(0))
                    .containsExactly(
                            "camp-b",
                            Integer.toString(CAMP_B_FINAL + 2),
                            "1",
                            Integer.toString(CAMP_B_FINAL + 3),
                            "45.5%");
        });
        assertThat(rows("campaigns").get(1))
                .startsWith("camp-a", Integer.toString(CAMP_A_FINAL), Integer.toString(CAMP_A_PROVISIONAL));
        assertThat(text("hour-clicks")).isEqualTo("4");
        assertThat(points(js, "hourly")).isEqualTo(4);
        assertThat(js.executeScript("return window.sameDocument")).isEqualTo(42L);
        assertThat(text("status")).startsWith("updated ");
    }

    @Test
    void aJobCanBeChosenAndTheChoiceStaysInTheAddress() {
        browser.get("http://127.0.0.1:" + server.port() + "/?job=uniques&range=1h");
        await().atMost(SEEN_WITHIN)
                .untilAsserted(() -> assertThat(browser.findElement(By.cssSelector("#uniques .range"))
                                .getText())
                        .startsWith("1h: "));
        assertThat(browser.findElement(By.id("attribution")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("hourly")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("uniques")).isDisplayed()).isTrue();
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("job"))).selectByValue("all");
        await().atMost(SEEN_WITHIN)
                .untilAsserted(
                        () -> assertThat(browser.findElement(By.id("hourly")).isDisplayed())
                                .isTrue());
        assertThat(browser.getCurrentUrl()).endsWith("/?range=1h");
    }

    /**
     * As the analytics demo's page: one hour in hourly_stats, with as many users as clicks, and no attribution or
     * unique-users table (no such job runs there).
     */
    @Test
    void withOnlyTheAnalyticsJobOneHourIsCentredAndTheEmptyPanelsSayWhichJobFillsThem() throws Exception {
        Database analyticsOnly = Database.of("jdbc:sqlite:" + dir.resolve("analytics-only.db"));
        ResultsScenario.upsert(
                analyticsOnly,
                AnalyticsTables.DDL,
                AnalyticsTables.HOURLY,
                List.of(new HourlyStats(CURRENT_HOUR, 5, 5, 20, false)));
        ApiServer alone = AnalyticsApiITCase.serve(KAFKA, analyticsOnly, "--results-refresh", "200ms");
        try {
            browser.get("http://127.0.0.1:" + alone.port() + "/");
            JavascriptExecutor js = browser;
            await().atMost(SEEN_WITHIN).untilAsserted(() -> {
                assertThat(text("hour-users")).isEqualTo("5");
                assertThat(points(js, "hourly")).isEqualTo(1);
            });
            // The one hour sits in the middle of a three-hour axis (it spanned years, the point against its edge).
            @SuppressWarnings("unchecked")
            List<Number> axis = (List<Number>) js.executeScript(
                    "const u = window.clickflow.charts.hourly; return [u.scales.x.min, u.scales.x.max, u.data[0][0]]");
            double min = axis.get(0).doubleValue();
            double max = axis.get(1).doubleValue();
            double hour = axis.get(2).doubleValue();
            assertThat(max - min).as("the time axis, in seconds").isEqualTo(3 * 3600.0);
            assertThat(hour - min).as("the hour's place on it").isEqualTo(1.5 * 3600);

            for (String[] panel : new String[][] {
                {"attribution", "./clickflow attribution --jdbc-url", "./clickflow demo"},
                {"uniques", "./clickflow uniques --jdbc-url", "./clickflow demo uniques"}
            }) {
                WebElement missing = browser.findElement(By.cssSelector("#" + panel[0] + " .missing"));
                assertThat(missing.isDisplayed())
                        .as(panel[0] + " says why it is empty")
                        .isTrue();
                assertThat(missing.getText())
                        .as(panel[0] + "'s note")
                        .contains("job fills this panel")
                        .contains(panel[1])
                        .contains(panel[2])
                        .doesNotContain("does not exist yet");
                assertThat(browser.findElement(By.cssSelector("#" + panel[0] + " .body"))
                                .isDisplayed())
                        .isFalse();
            }
            // The panels with data come first.
            assertThat(browser.findElement(By.id("hourly")).getLocation().getY())
                    .isLessThan(browser.findElement(By.id("attribution"))
                            .getLocation()
                            .getY());
            assertThat(js.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .isEqualTo(true);
        } finally {
            alone.close(Duration.ofSeconds(5));
        }
    }

    static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    /** The rows of a table's body, each as its cells' text, read in one go (the page may redraw between reads). */
    @SuppressWarnings("unchecked")
    static List<List<String>> rows(String tableId) {
        return (List<List<String>>) browser.executeScript(
                "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
                        + ".map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))",
                tableId);
    }

    /** How many x values the named chart (a uPlot instance on the page) was given. */
    static long points(JavascriptExecutor js, String chart) {
        Object n = js.executeScript(
                "const c = window.clickflow.charts[arguments[0]]; return c ? c.data[0].length : -1", chart);
        return (Long) n;
    }
}
