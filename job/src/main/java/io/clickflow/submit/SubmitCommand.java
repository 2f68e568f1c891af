package io.clickflow.submit;

import io.clickflow.attribution.AttributionOptions;
import io.clickflow.uniques.UniquesOptions;
import io.clickflow.cli.CommandLine;
import io.clickflow.cli.UsageException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code ./clickflow submit <job> [job options] [--jobmanager HOST:PORT] [--jar PATH]}: uploads the job
 * jar to a running Flink cluster over its REST API and starts the job there with the same options a
 * local run takes. The options are checked here first, so a typo fails before anything is uploaded.
 */
public final class SubmitCommand {
    private SubmitCommand() {}

    /** The jobs a cluster can run, with the options each accepts. */
    static final Map<String, Supplier<CommandLine>> JOBS = new java.util.TreeMap<>(Map.of(
            AttributionOptions.COMMAND, AttributionOptions::commandLine,
            UniquesOptions.COMMAND, UniquesOptions::commandLine));

    static final String ENTRY_CLASS = "io.clickflow.Clickflow";

    static final String HELP = String.join("\n",
            "Usage: ./clickflow submit <job> [job options] [--jobmanager HOST:PORT] [--jar PATH]",
            "",
            "Uploads the job jar to a Flink cluster's REST API and runs <job> there (detached) with the job",
            "options, exactly as './clickflow <job>' takes them. Jobs: " + String.join(", ", JOBS.keySet()) + ".",
            "",
            "Options:",
            "  --jobmanager HOST:PORT   REST address of the cluster's JobManager. Default: localhost:8081",
            "  --jar PATH               The job jar to upload. Default: the jar this command runs from",
            "  --help                   Show this help and exit.",
            "",
            "File paths and jdbc:sqlite: URLs in the job options are read by the cluster's processes, on",
            "their machines. Pass the database password through the cluster's environment",
            "(CLICKFLOW_JDBC_PASSWORD), not --jdbc-password: Flink shows program arguments in its Web UI.",
            "");

    /** What a submission started. */
    public record Submitted(String jobManager, String jobId) {
        public String webUi() {
            return jobManager + "/#/job/running/" + jobId + "/overview";
        }
    }

    public static void run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(HELP);
            return;
        }
        Submitted submitted = submit(args);
        System.out.println("Submitted " + args[0] + " as job " + submitted.jobId() + " to " + submitted.jobManager());
        System.out.println("Web UI: " + submitted.webUi());
        System.out.println("Stop it with a savepoint: curl -X POST " + submitted.jobManager() + "/jobs/" + submitted.jobId()
                + "/stop -H 'Content-Type: application/json' -d '{\"drain\":false}'");
    }

    /** Checks the options, uploads the jar, runs the job and removes the uploaded jar again. */
    public static Submitted submit(String[] args) throws Exception {
        String job = args[0];
        Supplier<CommandLine> options = JOBS.get(job);
        if (options == null) {
            throw new UsageException("'" + job + "' cannot be submitted to a cluster; jobs: " + String.join(", ", JOBS.keySet()));
        }
        String jobManager = "localhost:8081";
        Path jar = null;
        List<String> jobArgs = new ArrayList<>();
        jobArgs.add(job);
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--jobmanager") || arg.equals("--jar")) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(arg + " needs a value");
                }
                String value = args[++i];
                if (arg.equals("--jobmanager")) {
                    jobManager = value;
                } else {
                    jar = Path.of(value);
                }
            } else if (arg.startsWith("--jobmanager=")) {
                jobManager = arg.substring("--jobmanager=".length());
            } else if (arg.startsWith("--jar=")) {
                jar = Path.of(arg.substring("--jar=".length()));
            } else {
                jobArgs.add(arg);
            }
        }
        CommandLine cl = options.get().parse(jobArgs.subList(1, jobArgs.size()).toArray(String[]::new));
        if (cl.helpRequested()) {
            throw new UsageException("--help shows a job's options: ./clickflow " + job + " --help");
        }
        if (cl.isSet("web-port") || cl.isSet("progress-interval")) {
            throw new UsageException("--web-port and --progress-interval are for local runs; the cluster has its own Web UI");
        }
        String base = baseUrl(jobManager);
        Path jarFile = jar != null ? jar : runningJar();
        if (!Files.isRegularFile(jarFile)) {
            throw new UsageException("--jar: no file at " + jarFile);
        }
        RestClient rest = new RestClient(base);
        String jarId = rest.uploadJar(jarFile);
        try {
            ObjectNode request = rest.json.createObjectNode();
            request.put("entryClass", ENTRY_CLASS);
            request.set("programArgsList", rest.json.valueToTree(jobArgs));
            JsonNode response = rest.post("/jars/" + jarId + "/run", request);
            return new Submitted(base, response.path("jobid").asText());
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
            throw new UsageException("--jobmanager must be HOST:PORT (the REST port, 8081 by default), not '" + jobManager + "'");
        }
    }

    private static Path runningJar() {
        try {
            Path self = Path.of(SubmitCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        RestClient(String base) {
            this.base = base;
        }

        String uploadJar(Path jar) throws Exception {
            String boundary = "clickflow-" + UUID.randomUUID();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
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

        JsonNode post(String path, JsonNode body) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                    .build());
        }

        void deleteQuietly(String path) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).DELETE().build(),
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
                throw new UsageException("no Flink JobManager answers at " + base + " (check --jobmanager; start one with deploy/local-cluster.sh start)");
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
