package io.clickflow.demo;

import io.clickflow.api.ApiServerProcess;
import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A demo's results page: one {@code ./clickflow serve} JVM on 127.0.0.1 reading the demo's database, with the job's
 * REST address for its Flink section. serve wants an events topic; these demos post nothing to it.
 */
final class ResultsPageServer {
    private ResultsPageServer() {}

    static final String EVENTS_TOPIC = "analytics_events";

    /** {@code --page-port}, as every demo that serves the page takes it. */
    public static final class PortOption {
        @Option(
                names = "--page-port",
                paramLabel = "PORT",
                defaultValue = "8080",
                description =
                        "The results page (./clickflow serve in its own JVM, 127.0.0.1) on this port (0: any free one).")
        int pagePort;
    }

    /** Checks the port and finds the API's classpath before anything starts; a problem is one line. */
    static String check(int port, int webPort, Path apiClasspathFile) {
        Cli.range("--page-port", port, 0, 65535);
        if (port != 0 && port == webPort) {
            throw new UsageException("--page-port: port " + port + " is the --web-port");
        }
        DemoOptions.ensureFree(port, "the results page", "--page-port");
        try {
            return ApiServerProcess.classpath(
                    apiClasspathFile != null ? apiClasspathFile : ApiServerProcess.defaultClasspathFile());
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Starts serve (returns at once); its topic must exist ({@link #EVENTS_TOPIC}). */
    static ApiServerProcess start(
            String classpath, Path dir, int port, String bootstrapServers, Path database, int webPort) {
        return ApiServerProcess.start(
                "serve",
                classpath,
                dir.resolve("serve.log"),
                DemoAnalyticsCommand.SERVER_JVM,
                serveArgs(port, bootstrapServers, EVENTS_TOPIC, webPort, database));
    }

    /** serve's command line in a demo: on 127.0.0.1, its Flink section reading the demo's job on {@code webPort}. */
    static List<String> serveArgs(int port, String bootstrapServers, String eventsTopic, int webPort, Path database) {
        return List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--bootstrap-servers",
                bootstrapServers,
                "--events-topic",
                eventsTopic,
                "--flink-rest",
                "http://localhost:" + webPort,
                "--jdbc-url",
                "jdbc:sqlite:" + database.toAbsolutePath());
    }

    /** Waits until it listens and prints its address; a page that did not start is said, the demo goes on. */
    static void announce(ApiServerProcess page) {
        try {
            page.awaitListening(DemoAnalyticsCommand.SERVER_START);
            System.out.println("Results page (refreshes itself): " + page.base() + "/ (log: " + page.log + ")");
        } catch (RuntimeException e) {
            System.err.println("The results page did not start: " + e.getMessage());
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited in time; null does nothing. */
    static void stop(ApiServerProcess page) {
        if (page != null && !page.stop(SERVER_STOP).equals("exited")) {
            page.kill();
        }
    }

    private static final Duration SERVER_STOP = DemoAnalyticsCommand.SERVER_STOP;
}
