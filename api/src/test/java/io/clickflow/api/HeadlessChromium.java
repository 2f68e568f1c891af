package io.clickflow.api;

import static org.junit.jupiter.api.Assertions.fail;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (packages {@code chromium} and {@code
 * chromium-driver}; {@code ./clickflow test} installs them). Missing ones fail the test with how to install them; only
 * {@code -Dclickflow.browserTests=skip} turns that into a skip.
 */
final class HeadlessChromium {
    private HeadlessChromium() {}

    static final String SKIP_PROPERTY = "clickflow.browserTests";
    static final Path CHROMIUM = Path.of(System.getProperty("clickflow.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("clickflow.chromedriver", "/usr/bin/chromedriver"));

    /**
     * Why no browser can be started here (null when both binaries are there). Missing ones fail the caller with how
     * to install them, unless {@code -Dclickflow.browserTests=skip} was given: then the reason is returned, for the
     * tests to be skipped with.
     */
    static String unavailable() {
        String missing = !Files.isExecutable(CHROMIUM)
                ? CHROMIUM.toString()
                : !Files.isExecutable(CHROMEDRIVER) ? CHROMEDRIVER.toString() : null;
        if (missing == null) {
            return null;
        }
        String why = missing + " is missing: install Debian's browser and its driver (apt-get install -y chromium "
                + "chromium-driver; ./clickflow test does)";
        if ("skip".equals(System.getProperty(SKIP_PROPERTY))) {
            return why + "; skipped as -D" + SKIP_PROPERTY + "=skip asks";
        }
        return fail(why + ", or skip browser tests explicitly with -D" + SKIP_PROPERTY + "=skip");
    }

    /** A browser window of {@code width} x {@code height} CSS pixels; quit it when done. */
    static ChromeDriver start(int width, int height) {
        String unavailable = unavailable();
        if (unavailable != null) {
            throw new IllegalStateException(unavailable);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--no-first-run",
                "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }
}
