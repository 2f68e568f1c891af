package io.clickflow.bench;

import io.clickflow.api.ApiServerProcess;
import io.clickflow.commandline.ChildProcesses;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The API bench's servers, each in its own process with its log in the run folder: the constant ceiling and the
 * Redis peer's API ({@link ApiPeer}), {@code redis-server}, {@code ./clickflow serve} and the analytics job behind it;
 * each one's port once it answers.
 */
final class ApiServers {
    private final BenchRun run;
    /** Its options: --event-loops, --job-heap, --job-options, --serve-options. */
    private final ApiBench bench;

    ApiServers(BenchRun run, ApiBench bench) {
        this.run = run;
        this.bench = bench;
    }

    Process startPeer(String kind, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                ChildProcesses.javaBin(),
                ApiBench.SERVER_HEAP,
                "-cp",
                System.getProperty("java.class.path"),
                ApiPeer.class.getName(),
                kind));
        command.addAll(args);
        command.addAll(List.of(
                "--port",
                Integer.toString(ChildProcesses.freePort()),
                "--event-loops",
                Integer.toString(bench.eventLoops)));
        return start(kind + "-peer", command);
    }

    /** {@code ./clickflow serve} as the launcher runs it: its own JVM, the api module's jar and classpath. */
    Process startServe(String bs, Path db) throws Exception {
        int port = ChildProcesses.freePort();
        ApiServerProcess serve = ApiServerProcess.start(
                "serve",
                ApiServerProcess.classpath(ApiServerProcess.defaultClasspathFile()),
                run.resolve("serve.log"),
                List.of(ApiBench.SERVER_HEAP),
                withMore(
                        List.of(
                                "--port",
                                Integer.toString(port),
                                "--bootstrap-servers",
                                bs,
                                "--events-topic",
                                ApiBench.TOPIC,
                                "--jdbc-url",
                                "jdbc:sqlite:" + db,
                                "--event-loops",
                                Integer.toString(bench.eventLoops)),
                        bench.serveOptions));
        run.child(serve.process);
        ports.put(serve.process, port);
        names.put(serve.process, "serve");
        return serve.process;
    }

    Process startJob(String bs, Path db) throws Exception {
        System.out.println("Starting the analytics job (MiniCluster, parallelism 2, update mode)...");
        Process p = ChildJvm.startServing(
                "analytics",
                withMore(
                        List.of(
                                "--bootstrap-servers",
                                bs,
                                "--events-topic",
                                ApiBench.TOPIC,
                                "--group-id",
                                "bench-api",
                                "--starting-offsets",
                                "earliest",
                                "--jdbc-url",
                                "jdbc:sqlite:" + db,
                                "--checkpoint-dir",
                                run.resolve("checkpoints").toString(),
                                "--web-port",
                                Integer.toString(ChildProcesses.freePort())),
                        bench.jobOptions),
                bench.jobHeap,
                run.log,
                run.resolve("job.log"),
                ApiBench.START_TIMEOUT);
        run.child(p);
        return p;
    }

    /** {@code options} followed by the user's {@code more}, split at spaces. */
    private static List<String> withMore(List<String> options, String more) {
        List<String> all = new ArrayList<>(options);
        if (!more.isBlank()) {
            all.addAll(List.of(more.trim().split("\\s+")));
        }
        return all;
    }

    Process startRedis(Path redisServer, int port) throws Exception {
        // Persistence off: the peer at its fastest (a snapshot or append-only file would only cost it).
        Process p = start(
                "redis",
                List.of(
                        redisServer.toString(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        run.folder.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not start; see " + run.resolve("redis.log"));
                }
                Thread.sleep(50); // polling another process's start-up
            }
        }
    }

    /** Starts a child with its output in {@code <name>.log}; the server's port is its --port. */
    private Process start(String name, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(run.resolve(name + ".log").toFile())
                .start();
        run.child(p);
        ports.put(p, command.contains("--port") ? Integer.parseInt(command.get(command.indexOf("--port") + 1)) : -1);
        names.put(p, name);
        return p;
    }

    private final Map<Process, Integer> ports = new LinkedHashMap<>();
    private final Map<Process, String> names = new LinkedHashMap<>();

    /** The server's port once a GET of the current hour answers 200 (bounded). */
    int port(Process p) throws Exception {
        int port = ports.get(p);
        long deadline = System.nanoTime() + ApiBench.START_TIMEOUT.toNanos();
        try (HttpLoad load = new HttpLoad(1, port)) {
            HttpClientAgent client = load.client(1);
            while (true) {
                HttpLoad.Answer a = HttpLoad.sendAndWait(
                        client,
                        new HttpLoad.Call(HttpMethod.GET, "/analytics?timestamp=" + System.currentTimeMillis()));
                if (a.status() == 200) {
                    client.close();
                    return port;
                }
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            names.get(p) + " did not answer; see " + run.resolve(names.get(p) + ".log"));
                }
                Thread.sleep(100); // polling another process's start-up
            }
        }
    }

    /** SIGTERM (servers shut down gracefully, Redis too), then SIGKILL after 20 s. */
    void stop(Process p) throws InterruptedException {
        ChildJvm.stop(p);
    }

    static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
