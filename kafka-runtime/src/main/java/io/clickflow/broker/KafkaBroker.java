package io.clickflow.broker;

import io.clickflow.commandline.ChildProcesses;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node Kafka broker (KRaft, combined broker and controller) run as a child JVM: tied to this
 * JVM ({@link #start}) for the demo, the bench and the tests, or detached ({@link #startDetached}) for
 * deploy/local-kafka.sh.
 */
public final class KafkaBroker implements AutoCloseable {

    /** Set by the launcher script to the absolute path of kafka-runtime/target/classpath.txt. */
    public static final String CLASSPATH_PROPERTY = "clickflow.kafka.classpath";

    public static final String DEFAULT_CLASSPATH_FILE = "kafka-runtime/target/classpath.txt";

    /** Spelled out rather than "localhost", which may resolve to ::1 first and miss the listener. */
    private static final String HOST = "127.0.0.1";

    private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 40;

    /** Holds the pid of a detached broker, and only that, so {@code kill $(cat broker.pid)} works too. */
    static final String PID_FILE = "broker.pid";

    private static final String MAIN_CLASS = "io.clickflow.broker.BrokerMain";

    private final Process process;
    private final String bootstrapServers;
    private final Path logFile;
    private final Admin admin;
    private final boolean detached;

    private KafkaBroker(Process process, String bootstrapServers, Path logFile, Admin admin, boolean detached) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.logFile = logFile;
        this.admin = admin;
        this.detached = detached;
    }

    /** A detached broker as its data dir records it: the pid file and the listener in server.properties. */
    public record Detached(long pid, String bootstrapServers) {
        /** Whether the broker's listener accepts connections (a live broker may still be starting or stuck). */
        public boolean accepts() {
            return KafkaBroker.accepts(
                    Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1)));
        }
    }

    /** The address clients reach a broker of this class on {@code port} at. */
    public static String address(int port) {
        return HOST + ":" + port;
    }

    /** Starts a broker on two free loopback ports; see {@link #start(Path, Path, int, int)}. */
    public static KafkaBroker start(Path dataDir, Path runtimeClasspathFile) throws IOException {
        return start(dataDir, runtimeClasspathFile, 0, 0);
    }

    /**
     * Starts a broker keeping its data in {@code dataDir} and returns once it answers clients. A
     * data dir that was formatted before is reused as is, so topics and offsets survive a restart;
     * pass the same ports then, or clients holding the old address will not find it. Port 0 picks a
     * free one.
     */
    public static KafkaBroker start(Path dataDir, Path runtimeClasspathFile, int port, int controllerPort)
            throws IOException {
        return launch(dataDir, runtimeClasspathFile, port, controllerPort, false);
    }

    /**
     * Starts a broker that outlives this JVM, as {@link #start(Path, Path, int, int)} does otherwise:
     * its pid goes to {@value #PID_FILE} in {@code dataDir}, its output to broker.log there. {@link
     * #close()} then lets go of it without stopping it; {@link #stopDetached} stops it. A new
     * controller port is picked on each start: with a static quorum (controller.quorum.voters) the
     * formatted storage does not record it.
     */
    public static KafkaBroker startDetached(Path dataDir, Path runtimeClasspathFile, int port) throws IOException {
        return launch(dataDir, runtimeClasspathFile, port, 0, true);
    }

    private static KafkaBroker launch(
            Path dataDir, Path runtimeClasspathFile, int port, int controllerPort, boolean detached)
            throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        String classpath = childClasspath(runtimeClasspathFile);
        int brokerPort = port > 0 ? port : ChildProcesses.freePort();
        int quorumPort = controllerPort > 0 ? controllerPort : ChildProcesses.freePort(brokerPort);
        Path config = writeServerProperties(dir, brokerPort, quorumPort);

        // Formatting an already formatted log dir fails, and a new cluster id would orphan its data.
        if (!Files.exists(logDir(dir).resolve("meta.properties"))) {
            format(dir, classpath, config);
        }

        Path logFile = dir.resolve("broker.log");
        List<String> command = new ArrayList<>();
        if (detached) {
            // nohup starts the JVM with SIGHUP ignored, and a JVM leaves an ignored SIGHUP ignored: the
            // terminal that ran the script may close without taking the broker with it.
            command.add("nohup");
        }
        command.addAll(List.of(ChildProcesses.javaBin(), "-Xmx512m"));
        if (detached) {
            // Nobody holds the stdin of a broker meant to outlive its starter, so its end means nothing
            // (BrokerMain.WATCH_STDIN; kafka-runtime is not on this module's classpath).
            command.add("-Dclickflow.broker.watchStdin=false");
        }
        command.addAll(List.of(MAIN_CLASS, config.toString()));
        // A tied broker stops when its demo says so, after what writes to it (a terminal's Ctrl-C reaches it too).
        ProcessBuilder builder = new ProcessBuilder(detached ? command : ChildProcesses.ignoringCtrlC(command));
        // The classpath (~9 KB) in the environment rather than after -cp keeps the command line short:
        // ps shows the main class and the config, and so does ProcessHandle.Info, which reads only the
        // first 4 KB of it (see brokerProcess).
        builder.environment().put("CLASSPATH", classpath);
        builder.directory(dir.toFile())
                .redirectErrorStream(true)
                // Appended, so after a restart the earlier run's log is still there to compare.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // Tied, stdin stays a pipe that this JVM holds open: BrokerMain exits when it closes, so a
        // killed demo cannot leave an orphaned broker holding its ports.
        Process process = builder.start();
        Path pidFile = dir.resolve(PID_FILE);
        if (detached) {
            // Nothing reads it; closed now, so this JVM keeps no hold on the broker.
            closeQuietly(process.getOutputStream());
            Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
        }
        String bootstrap = address(brokerPort);
        try {
            Admin admin = awaitReady(process, bootstrap, brokerPort, logFile);
            return new KafkaBroker(process, bootstrap, logFile, admin, detached);
        } catch (RuntimeException e) {
            stop(process);
            if (detached) {
                Files.deleteIfExists(pidFile);
            }
            throw e;
        }
    }

    /** The detached broker of {@code dataDir} if its pid file names a live broker of that dir, else empty. */
    public static Optional<Detached> detached(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        return brokerProcess(dir).map(p -> new Detached(p.pid(), advertisedAddress(dir)));
    }

    /**
     * Stops the detached broker of {@code dataDir} as {@link #close()} stops a tied one, and removes its
     * pid file (also a stale one). Returns the broker it stopped, or empty when none was running.
     */
    public static Optional<Detached> stopDetached(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        Optional<ProcessHandle> broker = brokerProcess(dir);
        Optional<Detached> running = broker.map(p -> new Detached(p.pid(), advertisedAddress(dir)));
        broker.ifPresent(p -> {
            p.destroy();
            if (!awaitExit(p)) {
                p.destroyForcibly();
                awaitExit(p);
            }
        });
        Files.deleteIfExists(dir.resolve(PID_FILE));
        return running;
    }

    /**
     * The runtime classpath file of module kafka-runtime: from system property {@value
     * #CLASSPATH_PROPERTY}, else {@value #DEFAULT_CLASSPATH_FILE} under the working directory.
     */
    public static Path defaultRuntimeClasspath() {
        String configured = System.getProperty(CLASSPATH_PROPERTY);
        Path file = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of(DEFAULT_CLASSPATH_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("Kafka runtime classpath " + file.toAbsolutePath()
                    + " not found: run `mvn -q package -DskipTests` (or `./clickflow`, which builds it)");
        }
        return file;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** The number of partitions the topic has now (one created earlier keeps its own count). */
    public int partitions(String topic) {
        try {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not describe topic " + topic, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Describing topic " + topic + " took over 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing topic " + topic, e);
        }
    }

    /** Until every partition of the new topic has a leader, so a client's first send or fetch finds one. */
    private void awaitLeader(String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (admin
                        .describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .stream()
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        topic + " has partitions without a leader after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50); // polling the broker's metadata
        }
    }

    /** Creates a topic with replication 1, or leaves an existing one of that name as it is. */
    public void createTopic(String name, int partitions) {
        try {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Could not create topic " + name, e.getCause());
                }
            }
            awaitLeader(name, Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not create topic " + name, e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Creating topic " + name + " took over 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        } catch (Exception e) {
            throw new IllegalStateException("Could not create topic " + name, e);
        }
    }

    /**
     * Stops the broker: SIGTERM lets it close its logs; a broker stuck past the timeout is killed. A
     * detached broker is only let go of: it keeps running until {@link #stopDetached}.
     */
    @Override
    public void close() {
        // Closed first, so it does not log reconnect attempts to a broker going away.
        admin.close(Duration.ofSeconds(5));
        if (!detached) {
            stop(process);
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        closeQuietly(process.getOutputStream());
    }

    /**
     * The jars listed by maven-dependency-plugin, preceded by the module's own target/classes (next
     * to the file in the Maven layout): build-classpath never lists a module's own output, and
     * classes exist after compile whereas the jar's name carries the version. Being first also
     * makes the module's log4j2.properties the one log4j finds.
     */
    static String childClasspath(Path runtimeClasspathFile) throws IOException {
        Path file = runtimeClasspathFile.toAbsolutePath();
        Path classes = file.getParent().resolve("classes");
        if (!Files.isRegularFile(classes.resolve("io/clickflow/broker/BrokerMain.class"))) {
            throw new IllegalStateException("No BrokerMain under " + classes
                    + ": run `mvn -q package -DskipTests` (or `./clickflow`, which builds it)");
        }
        String jars = Files.readString(file, StandardCharsets.UTF_8).strip();
        return classes + File.pathSeparator + jars;
    }

    private static Path logDir(Path dataDir) {
        return dataDir.resolve("kraft-logs");
    }

    /**
     * The live process the pid file names, if it is this dir's broker: after a reboot or a kill -9 the
     * file outlives the broker and its pid may belong to anything by now, which must not be stopped.
     */
    private static Optional<ProcessHandle> brokerProcess(Path dir) throws IOException {
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(
                    Files.readString(pidFile, StandardCharsets.UTF_8).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String config = dir.resolve("server.properties").toString();
        return ProcessHandle.of(pid).filter(p -> isBroker(p, config));
    }

    /**
     * Whether the process is the broker started with that config. No command line means no: a broker that
     * died shows none while it waits to be reaped (see {@link #exited}), and a process whose command line
     * the OS hides from us is not one we may stop.
     */
    private static boolean isBroker(ProcessHandle process, String config) {
        return process.isAlive()
                && process.info()
                        .commandLine()
                        .map(line -> line.contains(MAIN_CLASS) && line.contains(config))
                        .orElse(false);
    }

    /** host:port of the PLAINTEXT listener that server.properties advertises. */
    private static String advertisedAddress(Path dir) {
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve("server.properties"), StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot read " + dir.resolve("server.properties") + ": " + e.getMessage(), e);
        }
        return props.getProperty("advertised.listeners", "").replaceFirst("^PLAINTEXT://", "");
    }

    /** Whether the broker exited within the stop timeout (polled: the process is not this JVM's child). */
    private static boolean awaitExit(ProcessHandle process) {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        while (!exited(process)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            pause();
        }
        return true;
    }

    /**
     * Whether the process has exited: gone, or a zombie, which isAlive() still counts as alive. A detached
     * broker's parent is init by then, and where nothing reaps orphans (a container without an init) it
     * stays a zombie. Only Linux's /proc tells; elsewhere isAlive() is all there is.
     */
    static boolean exited(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat =
                    Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"), StandardCharsets.UTF_8);
            // pid (command) state ...: the command may contain spaces and parentheses, the state follows the last ')'.
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // no /proc, or the process went just now: the next poll's isAlive() tells
        }
    }

    private static Path writeServerProperties(Path dataDir, int port, int controllerPort) throws IOException {
        List<Map.Entry<String, String>> props = List.of(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@" + HOST + ":" + controllerPort),
                Map.entry(
                        "listeners",
                        "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"),
                Map.entry("log.dirs", logDir(dataDir).toString()),
                // One node: the defaults of 3 replicas would leave these internal topics uncreatable.
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                // The default 50 partitions made the first consumer group wait ~1.5 s longer here
                // (and likewise the first transaction); one local broker gains nothing from them.
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.num.partitions", "1"),
                // Nobody else is going to join a demo's consumer group; do not wait 3 s for them.
                Map.entry("group.initial.rebalance.delay.ms", "0"));
        Path file = dataDir.resolve("server.properties");
        // Written by hand, not Properties.store, to keep the order and skip escaping ':' so a person
        // reading it sees what the broker got; only a backslash (in a Windows path) needs escaping.
        StringBuilder text = new StringBuilder("# Written by clickflow's KafkaBroker on every start\n");
        for (Map.Entry<String, String> p : props) {
            text.append(p.getKey())
                    .append('=')
                    .append(p.getValue().replace("\\", "\\\\"))
                    .append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static void format(Path dataDir, String classpath, Path config) throws IOException {
        Path output = dataDir.resolve("format.log");
        Process format = new ProcessBuilder(
                        ChildProcesses.javaBin(),
                        "-cp",
                        classpath,
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        Uuid.randomUuid().toString(),
                        "-c",
                        config.toString())
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        closeQuietly(format.getOutputStream());
        try {
            if (!format.waitFor(FORMAT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException("Formatting Kafka storage took over " + FORMAT_TIMEOUT.toSeconds()
                        + " s; output so far:\n" + tail(output));
            }
        } catch (InterruptedException e) {
            format.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while formatting Kafka storage", e);
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException(
                    "Formatting Kafka storage failed (exit " + format.exitValue() + "):\n" + tail(output));
        }
    }

    /**
     * Waits for the port to accept connections before asking anything through Admin: an Admin
     * client started earlier logs a warning on every refused connection, into the demo's console.
     */
    private static Admin awaitReady(Process process, String bootstrap, int port, Path logFile) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            checkStarting(process, deadline, logFile);
            pause();
        }
        Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        try {
            while (true) {
                try {
                    // A listening broker can still lack the metadata to answer; nodes prove it has it.
                    if (!admin.describeCluster()
                            .nodes()
                            .get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return admin;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // Not ready yet: the deadline below decides when to give up.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
                }
                checkStarting(process, deadline, logFile);
                pause();
            }
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    private static void checkStarting(Process process, long deadline, Path logFile) {
        if (!process.isAlive()) {
            throw new IllegalStateException("Kafka broker exited with code " + process.exitValue() + " while starting; "
                    + logFile + " ends with:\n" + tail(logFile));
        }
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("Kafka broker not ready after " + START_TIMEOUT.toSeconds() + " s; "
                    + logFile + " ends with:\n" + tail(logFile));
        }
    }

    /** Whether nothing listens on the port of the loopback address the broker binds. */
    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(
                    System.lineSeparator(), lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // The child is gone or going; there is nobody left to tell.
        }
    }
}
