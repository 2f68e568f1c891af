package io.clickflow.api;

import io.clickflow.commandline.ChildProcesses;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./clickflow serve} in its own JVM, as the launcher runs it (the API is not in the job jar: it runs from the
 * api module's jar and classpath); ready once it prints the address it listens on, stopped with SIGTERM, which runs
 * its graceful shutdown.
 */
public final class ApiServerProcess {
    /** Set by the launcher to the absolute path of api/target/classpath.txt; its jar lies next to it. */
    public static final String CLASSPATH_PROPERTY = "clickflow.api.classpath";

    public static final String DEFAULT_CLASSPATH_FILE = "api/target/classpath.txt";

    /** By name: the job's code never links against the API. */
    static final String MAIN_CLASS = "io.clickflow.api.ServeCommand";

    /** serve's switch (ServeCommand.WATCH_STDIN) to exit at the end of its stdin. */
    static final String WATCH_STDIN_PROPERTY = "clickflow.serve.watchStdin";

    static final Pattern LISTENING = Pattern.compile("listening on http://([\\d.]+):(\\d+)");

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    public final String name;
    public final Process process;
    public final Path log;
    private final long startedNanos = System.nanoTime();
    private volatile String base;
    private volatile int port;
    private volatile long startMillis;

    private ApiServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code serve} with {@code serveArgs}, its output to {@code log}; returns at once (see {@link
     * #awaitListening}).
     */
    public static ApiServerProcess start(
            String name, String classpath, Path log, List<String> jvmOptions, List<String> serveArgs) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.javaBin());
        command.addAll(jvmOptions);
        // Exits when this JVM does, however it ends (even kill -9): its stdin, a pipe held here, closes then.
        command.add("-D" + WATCH_STDIN_PROPERTY + "=true");
        command.add(MAIN_CLASS);
        command.addAll(serveArgs);
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ignoringCtrlC(command));
        // In the environment rather than after -cp: ps then shows the main class and the options, not 10 KB of jars.
        builder.environment().put("CLASSPATH", classpath);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new ApiServerProcess(
                    name,
                    builder.redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start(),
                    log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API's classpath file as the launcher gives it ({@value #CLASSPATH_PROPERTY}), or in the working directory. */
    public static Path defaultClasspathFile() {
        String configured = System.getProperty(CLASSPATH_PROPERTY);
        return configured != null && !configured.isBlank() ? Path.of(configured) : Path.of(DEFAULT_CLASSPATH_FILE);
    }

    /** The api module's jar (next to {@code classpathFile}) and the jars {@code classpathFile} lists. */
    public static String classpath(Path classpathFile) {
        Path file = classpathFile.toAbsolutePath();
        String hint = ": build it with `mvn -q package -DskipTests -pl api -am` (or `./clickflow`, which builds it)";
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the API's classpath " + file + " is missing" + hint);
        }
        try (Stream<Path> files = Files.list(file.getParent())) {
            Path jar = files.filter(p -> {
                        String n = p.getFileName().toString();
                        // The thin jar: the -all one repeats every dependency the list already names.
                        return n.startsWith("clickflow-api-") && n.endsWith(".jar") && !n.endsWith("-all.jar");
                    })
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no clickflow-api jar in " + file.getParent() + hint));
            return jar
                    + File.pathSeparator
                    + Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the line serve prints once it listens, and takes the address from it; fails if it exits first. */
    public ApiServerProcess awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = LISTENING.matcher(output());
            if (m.find()) {
                port = Integer.parseInt(m.group(2));
                base = "http://" + m.group(1) + ":" + port;
                startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                return this;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("serve " + name + " exited: " + output());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "serve " + name + " is not listening after " + timeout.toSeconds() + " s: " + output());
            }
            try {
                Thread.sleep(POLL.toMillis()); // polling a file another process writes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for serve " + name);
            }
        }
    }

    /** {@code http://127.0.0.1:PORT}, once listening. */
    public String base() {
        return base;
    }

    public int port() {
        return port;
    }

    /** From start to listening. */
    public long startMillis() {
        return startMillis;
    }

    /** SIGTERM: stops accepting, finishes requests under way, flushes the producer, exits. */
    public String stop(Duration timeout) {
        process.destroy();
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    ? "exited"
                    : "still running after " + timeout.toSeconds() + " s: " + output();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    public void kill() {
        process.destroyForcibly();
    }

    public String metrics() {
        try {
            return get("/metrics").body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                            .timeout(REQUEST_TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The end of its output. */
    public String output() {
        try {
            String s = Files.readString(log);
            return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
