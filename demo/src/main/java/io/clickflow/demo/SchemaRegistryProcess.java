package io.clickflow.demo;

import io.clickflow.commandline.ChildProcesses;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Confluent-compatible schema registry for {@code demo router --format avro}: Apicurio Registry 2.6 (in-memory)
 * as a child JVM on a free loopback port. The launcher has kafka-runtime's build unpack it (profile apicurio-registry) next to the Kafka classpath file
 * ({@code kafka-runtime/target/apicurio-registry}); it never goes into the job jar.
 */
final class SchemaRegistryProcess implements AutoCloseable {
    /** Where kafka-runtime's build unpacks Apicurio, next to its classpath file. */
    static final String DIR_NAME = "apicurio-registry";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private SchemaRegistryProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The unpacked registry next to the broker's classpath file, as kafka-runtime's build leaves it. */
    static Path defaultDir(Path kafkaClasspathFile) {
        return kafkaClasspathFile.toAbsolutePath().getParent().resolve(DIR_NAME);
    }

    /** Starts the registry from {@code dir} on {@code port}, its log {@code log}, and waits until it answers. */
    static SchemaRegistryProcess start(Path dir, Path log, int port) throws IOException, InterruptedException {
        Path runner;
        try (Stream<Path> files = Files.list(dir)) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            runner = null;
        }
        if (runner == null) {
            throw new IllegalStateException(
                    "no Apicurio Registry under " + dir.toAbsolutePath()
                            + " (./clickflow demo router --format avro fetches it: mvn -DskipTests package -pl kafka-runtime -Papicurio-registry)");
        }
        Process process = new ProcessBuilder(ChildProcesses.ignoringCtrlC(List.of(
                        ChildProcesses.javaBin(),
                        "-Xmx256m",
                        "-Dquarkus.http.host=127.0.0.1",
                        "-Dquarkus.http.port=" + port,
                        "-jar",
                        runner.toString())))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        SchemaRegistryProcess registry = new SchemaRegistryProcess(process, port, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!registry.answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Apicurio Registry exited with " + process.exitValue() + "; its log: " + log);
            }
            if (System.nanoTime() > deadline) {
                registry.close();
                throw new IllegalStateException(
                        "Apicurio Registry did not answer within " + START_TIMEOUT.toSeconds() + " s; its log: " + log);
            }
            Thread.sleep(200);
        }
        return registry;
    }

    /** The Confluent-compatible API, as {@code --schema-registry} takes it. */
    String url() {
        return url(port);
    }

    /** The Confluent-compatible API of a registry started on {@code port}. */
    static String url(int port) {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    Path log() {
        return log;
    }

    private boolean answers() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                                            .timeout(Duration.ofSeconds(2))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM (Quarkus shuts down in order), killed if still there after a while. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
