package io.clickflow.api;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes a PNG of a running results page as the browser test sees it (headless Chromium): how docs/results-page.png
 * is made, from a running {@code ./clickflow demo} (see docs/api.md). Arguments: the page's address, the PNG's path,
 * and optionally the window's width and height in CSS pixels.
 */
public final class ResultsPageScreenshot {
    private ResultsPageScreenshot() {}

    /** Refreshes to wait for: the first draws the page, the second sizes the charts to the laid-out page. */
    static final long REFRESHES = 2;

    static final Duration WAIT = Duration.ofSeconds(30);

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ResultsPageScreenshot URL FILE.png [WIDTH HEIGHT]");
            System.exit(2);
        }
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 1280;
        int height = args.length > 3 ? Integer.parseInt(args[3]) : 1400;
        ChromeDriver browser = HeadlessChromium.start(width, height);
        try {
            browser.get(args[0]);
            new WebDriverWait(browser, WAIT)
                    .until(d ->
                            ((Number) browser.executeScript("return window.clickflow ? window.clickflow.refreshes : 0"))
                                            .longValue()
                                    >= REFRESHES);
            Path out = Path.of(args[1]);
            Files.write(out, browser.getScreenshotAs(OutputType.BYTES));
            System.out.println("Wrote " + out.toAbsolutePath());
        } finally {
            browser.quit();
        }
    }
}
