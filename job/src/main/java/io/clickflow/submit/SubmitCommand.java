package io.clickflow.submit;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.options.JobCommand;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code ./clickflow submit <job> [job options] [--jobmanager HOST:PORT] [--jar PATH]}: uploads the job
 * jar to a running Flink cluster over its REST API and starts the job there with the same options a
 * local run takes. The options are parsed here first, so a typo fails before anything is uploaded.
 */
@Command(
        name = "submit",
        customSynopsis = "./clickflow submit <job> [job options] [--jobmanager HOST:PORT] [--jar PATH]",
        header = "Run a job on a Flink cluster: upload this jar over REST and start it there.",
        description = {
            "Uploads the job jar to a Flink cluster's REST API and runs <job> there (detached) with the job options,",
            "exactly as './clickflow <job>' takes them. Jobs: the commands that run a Flink job (attribution, uniques, analytics).",
            "",
            "File paths and jdbc:sqlite: URLs in the job options are read by the cluster's processes, on their machines.",
            "Pass passwords through the cluster's environment (CLICKFLOW_JDBC_PASSWORD, CLICKFLOW_SCHEMA_REGISTRY_PASSWORD),",
            "not --jdbc-password or --schema-registry-password: Flink shows program arguments in its Web UI."
        })
public final class SubmitCommand implements Callable<Integer> {
    static final String ENTRY_CLASS = "io.clickflow.Clickflow";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job to run: attribution, uniques or analytics.")
    String job;

    @Unmatched
    List<String> jobArgs = new ArrayList<>();

    @Option(
            names = "--jobmanager",
            paramLabel = "HOST:PORT",
            defaultValue = "localhost:8081",
            description = "REST address of the cluster's JobManager.")
    String jobManager;

    @Option(
            names = "--jar",
            paramLabel = "PATH",
            description = "The job jar to upload. Default: the jar this command runs from")
    Path jar;

    /** What a submission started; {@code savepointDir}: {@code savepoints} under the job's checkpoint dir, null if unknown. */
    public record Submitted(String jobManager, String jobId, String savepointDir) {
        public String webUi() {
            return jobManager + "/#/job/running/" + jobId + "/overview";
        }

        /**
         * How to stop the job with a savepoint where {@code --resume} looks. The target is spelled out: Flink's REST API
         * takes a stop without one to the cluster's default savepoint dir, not the job's (or refuses without a default).
         */
        public List<String> stopCommands() {
            String target = savepointDir == null ? "" : "--savepointPath " + savepointDir + " ";
            String body = savepointDir == null
                    ? "{\"drain\":false}"
                    : "{\"drain\":false,\"targetDirectory\":\"" + savepointDir + "\"}";
            return List.of(
                    "deploy/local-cluster.sh flink stop " + target + jobId,
                    "curl -X POST " + jobManager + "/jobs/" + jobId + "/stop -H 'Content-Type: application/json' -d '"
                            + body + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        Submitted submitted = submit(jobsOf(spec.parent()));
        System.out.println("Submitted " + job + " as job " + submitted.jobId() + " to " + submitted.jobManager());
        System.out.println("Web UI: " + submitted.webUi());
        System.out.println("Stop it with a savepoint"
                + (submitted.savepointDir() == null
                        ? " (the cluster names no checkpoint dir: give --checkpoint-dir to keep savepoints where --resume looks):"
                        : " in " + submitted.savepointDir() + " (where --resume looks):"));
        submitted.stopCommands().forEach(line -> System.out.println("  " + line));
        return 0;
    }

    /** The commands that run a Flink job, by name, among {@code root}'s subcommands. */
    public static Map<String, Class<?>> jobsOf(CommandSpec root) {
        Map<String, Class<?>> jobs = new TreeMap<>();
        for (Map.Entry<String, CommandLine> e : root.subcommands().entrySet()) {
            if (e.getValue().getCommand() instanceof JobCommand) {
                jobs.put(e.getKey(), e.getValue().getCommand().getClass());
            }
        }
        return jobs;
    }

    /** Parses {@code args} as the command line does, then submits; for tests and callers without a command line. */
    public static Submitted submit(Map<String, Class<?>> jobs, String... args) throws Exception {
        return Cli.parse(new SubmitCommand(), args).submit(jobs);
    }

    /** Checks the job's options, uploads the jar, runs the job and removes the uploaded jar again. */
    Submitted submit(Map<String, Class<?>> jobs) throws Exception {
        Class<?> command = jobs.get(job);
        if (command == null) {
            throw new UsageException(
                    "'" + job + "' cannot be submitted to a cluster; jobs: " + String.join(", ", jobs.keySet()));
        }
        CommandLine parsed = Cli.commandLine(command.getDeclaredConstructor().newInstance());
        ParseResult result = Cli.parseArgs(parsed, jobArgs.toArray(String[]::new));
        if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
            throw new UsageException("--help shows a job's options: ./clickflow " + job + " --help");
        }
        String checkpointDir = result.matchedOptionValue("--checkpoint-dir", null);
        if (result.hasMatchedOption("--web-port") || result.hasMatchedOption("--progress-interval")) {
            throw new UsageException(
                    "--web-port and --progress-interval are for local runs; the cluster has its own Web UI");
        }
        String base = baseUrl(jobManager);
        Path jarFile = jar != null ? jar : runningJar();
        if (!Files.isRegularFile(jarFile)) {
            throw new UsageException("--jar: no file at " + jarFile);
        }
        List<String> programArgs = new ArrayList<>();
        programArgs.add(job);
        programArgs.addAll(jobArgs);
        RestClient rest = new RestClient(base);
        if (checkpointDir == null) {
            checkpointDir = rest.clusterConfig("execution.checkpointing.dir"); // where the job's checkpoints go then
        }
        String savepointDir = checkpointDir == null ? null : checkpointDir.replaceAll("/+$", "") + "/savepoints";
        String jarId = rest.uploadJar(jarFile);
        try {
            ObjectNode request = rest.json.createObjectNode();
            request.put("entryClass", ENTRY_CLASS);
            request.set("programArgsList", rest.json.valueToTree(programArgs));
            JsonNode response = rest.post("/jars/" + jarId + "/run", request);
            return new Submitted(base, response.path("jobid").asText(), savepointDir);
        } finally {
            rest.deleteQuietly("/jars/" + jarId);
        }
    }

    static String baseUrl(String jobManager) {
        String s = jobManager.contains("://") ? jobManager : "http://" + jobManager;
        try {
            URI uri = URI.create(s);
            if (uri.getHost() == null || uri.getPort() <= 0 && !jobManager.contains("://")) {
                throw new IllegalArgumentException("no host:port");
            }
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        } catch (IllegalArgumentException e) {
            throw new UsageException(
                    "--jobmanager must be HOST:PORT (the REST port, 8081 by default), not '" + jobManager + "'");
        }
    }

    private static Path runningJar() {
        try {
            Path self = Path.of(SubmitCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
                return self;
            }
        } catch (Exception e) {
            // fall through
        }
        throw new UsageException("not running from the job jar; give it with --jar job/target/clickflow-job-*.jar");
    }

    /** The few calls of Flink's REST API a submission needs, with the cluster's errors made readable. */
    static final class RestClient {
        final ObjectMapper json = new ObjectMapper();
        private final String base;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        RestClient(String base) {
            this.base = base;
        }

        String uploadJar(Path jar) throws Exception {
            String boundary = "clickflow-" + UUID.randomUUID();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                            + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                    .timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                    .build();
            JsonNode response = send(request);
            String file = response.path("filename").asText();
            if (file.isEmpty()) {
                throw new IOException("the cluster did not accept the jar: " + response);
            }
            return Path.of(file).getFileName().toString();
        }

        /** A key of the JobManager's configuration, or null when it has none. */
        String clusterConfig(String key) throws Exception {
            for (JsonNode entry : send(HttpRequest.newBuilder(URI.create(base + "/jobmanager/config"))
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build())) {
                if (key.equals(entry.path("key").asText())) {
                    return entry.path("value").asText();
                }
            }
            return null;
        }

        JsonNode post(String path, JsonNode body) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                    .build());
        }

        void deleteQuietly(String path) {
            try {
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(30))
                                .DELETE()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
                // A leftover upload is harmless; the job is what matters.
            }
        }

        private JsonNode send(HttpRequest request) throws Exception {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                throw new UsageException("no Flink JobManager answers at " + base
                        + " (check --jobmanager; start one with deploy/local-cluster.sh start)");
            }
            JsonNode body = response.body().isBlank() ? json.createObjectNode() : json.readTree(response.body());
            if (response.statusCode() >= 400 || body.has("errors")) {
                throw new UsageException("the cluster refused " + request.uri().getPath() + ": " + reason(body));
            }
            return body;
        }

        /** The cause a user can act on, from Flink's error list (which holds whole stack traces). */
        static String reason(JsonNode body) {
            String all = body.path("errors").toString().replace("\\n", "\n").replace("\\t", "\t");
            for (String marker : List.of("UsageException: ", "IllegalArgumentException: ")) {
                int at = all.lastIndexOf(marker);
                if (at >= 0) {
                    String rest = all.substring(at + marker.length());
                    int end = rest.indexOf('\n');
                    return end < 0 ? rest : rest.substring(0, end);
                }
            }
            int cause = all.lastIndexOf("Caused by: ");
            if (cause >= 0) {
                String rest = all.substring(cause + "Caused by: ".length());
                int end = rest.indexOf('\n');
                return end < 0 ? rest : rest.substring(0, end);
            }
            JsonNode errors = body.path("errors");
            String first = errors.isArray() && errors.size() > 0 ? errors.get(0).asText() : body.toString();
            int end = first.indexOf('\n');
            return end < 0 ? first : first.substring(0, end);
        }
    }
}
