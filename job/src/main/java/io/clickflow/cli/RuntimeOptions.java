package io.clickflow.cli;

import io.clickflow.io.Database;
import io.clickflow.runner.RestorePoints;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Options every job shares: parallelism, checkpoints, state backend, the local Web UI, the database. */
public final class RuntimeOptions {
    public int parallelism;
    public Duration checkpointInterval;
    public String stateBackend;
    /** A local folder (null when --checkpoint-dir is a URI such as s3://...). */
    public Path checkpointDir;
    /** --checkpoint-dir as Flink takes it: a URI. */
    public String checkpointUri;
    /**
     * Options the user gave. On a cluster, options left at their defaults yield to the cluster's
     * configuration (its checkpoint dirs, default parallelism and state backend, or {@code flink run -p}).
     */
    public boolean parallelismGiven;
    public boolean checkpointDirGiven;
    public boolean stateBackendGiven;
    public int webPort;
    /** Where the job restores from, or null to start fresh. */
    public String restoreFrom;
    public Duration progressInterval;

    public static void declare(CommandLine cl) {
        cl.option("parallelism", "N", "2", "Parallelism of the job.")
                .option("checkpoint-interval", "DURATION", "10s", "Exactly-once checkpoints this often; rows reach the database at least at each one.")
                .option("state-backend", "NAME", "hashmap", "hashmap (state on the heap) | rocksdb (state on local disk).")
                .option("checkpoint-dir", "DIR", "output/checkpoints", "Where checkpoints are kept (retained when the job is cancelled or killed) and savepoints go (DIR/savepoints).")
                .flag("resume", "Restart from the newest completed checkpoint or savepoint in --checkpoint-dir (from the start if there is none).")
                .option("from-savepoint", "PATH", null, "Restart from this savepoint or retained checkpoint.")
                .option("web-port", "PORT", "8081", "Local runs: port of the Flink Web UI.")
                .option("progress-interval", "DURATION", "5s", "Local runs: how often a progress line is printed (0: never).");
    }

    public static RuntimeOptions parse(CommandLine cl) {
        RuntimeOptions r = new RuntimeOptions();
        r.parallelism = cl.integer("parallelism", 1, 1024);
        r.checkpointInterval = cl.duration("checkpoint-interval");
        if (r.checkpointInterval.toMillis() < 10) {
            throw new UsageException("--checkpoint-interval must be at least 10ms: checkpoints are how results become exactly-once");
        }
        r.stateBackend = cl.get("state-backend", s -> {
            String v = s.toLowerCase(Locale.ROOT);
            if (!v.equals("hashmap") && !v.equals("rocksdb")) {
                throw new IllegalArgumentException("must be hashmap or rocksdb, not '" + s + "'");
            }
            return v;
        });
        r.parallelismGiven = cl.isSet("parallelism");
        r.stateBackendGiven = cl.isSet("state-backend");
        r.checkpointDirGiven = cl.isSet("checkpoint-dir");
        String dir = cl.string("checkpoint-dir");
        if (dir.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*") && !dir.startsWith("file:")) {
            r.checkpointUri = dir; // a cluster file system (s3://, hdfs://, ...), read by Flink, not by us
            if (cl.flag("resume")) {
                throw new UsageException("--resume looks for checkpoints in a local --checkpoint-dir; with " + dir
                        + " give the checkpoint to restore with --from-savepoint");
            }
        } else {
            r.checkpointDir = Path.of(dir.startsWith("file:") ? java.net.URI.create(dir).getPath() : dir);
            r.checkpointUri = r.checkpointDir.toAbsolutePath().toUri().toString();
        }
        r.webPort = cl.integer("web-port", 1, 65535);
        if (cl.flag("resume") && cl.isSet("from-savepoint")) {
            throw new UsageException("--resume and --from-savepoint exclude each other");
        }
        if (cl.isSet("from-savepoint") && cl.string("from-savepoint").matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            r.restoreFrom = cl.string("from-savepoint"); // on a cluster file system: Flink checks it
        } else if (cl.isSet("from-savepoint")) {
            Path p = Path.of(cl.string("from-savepoint"));
            if (!Files.isRegularFile(p.resolve("_metadata")) && !Files.isRegularFile(p)) {
                throw new UsageException("--from-savepoint: no savepoint at " + p + " (expected a folder with _metadata)");
            }
            r.restoreFrom = p.toAbsolutePath().toString();
        } else if (cl.flag("resume")) {
            r.restoreFrom = RestorePoints.newest(r.checkpointDir).map(p -> p.toAbsolutePath().toString()).orElse(null);
            System.out.println(r.restoreFrom == null
                    ? "No completed checkpoint or savepoint in " + r.checkpointDir + ": starting from the beginning."
                    : "Resuming from " + r.restoreFrom);
        }
        r.progressInterval = cl.duration("progress-interval");
        return r;
    }

    /** Declares the database options; {@code what} says what the job writes there ("rows", "counts"). */
    public static void declareDatabase(CommandLine cl, String what) {
        cl.option("jdbc-url", "URL", "jdbc:sqlite:output/clickflow.db", "Where " + what + " go: jdbc:sqlite:PATH or jdbc:postgresql://HOST/DB.")
                .option("jdbc-user", "USER", null, "Database user (or env CLICKFLOW_JDBC_USER).")
                .option("jdbc-password", "PASSWORD", null, "Database password (or env CLICKFLOW_JDBC_PASSWORD); never logged.");
    }

    /** The database options; credentials fall back to the environment so they stay out of process lists. */
    public static Database database(CommandLine cl) {
        String url = cl.string("jdbc-url");
        String user = cl.isSet("jdbc-user") ? cl.string("jdbc-user") : System.getenv("CLICKFLOW_JDBC_USER");
        String password = cl.isSet("jdbc-password") ? cl.string("jdbc-password") : System.getenv("CLICKFLOW_JDBC_PASSWORD");
        Database db = new Database(url, user, password);
        try {
            db.driverClass();
        } catch (IllegalArgumentException e) {
            throw new UsageException("--jdbc-url: " + e.getMessage());
        }
        return db;
    }

    /** Where savepoints go: {@code savepoints} under --checkpoint-dir, as a URI. */
    public String savepointUri() {
        return checkpointUri.replaceAll("/+$", "") + "/savepoints";
    }

    /** How RocksDB keeps timers; set as a string so the job does not need the RocksDB classes to compile. */
    static final ConfigOption<String> ROCKSDB_TIMERS =
            ConfigOptions.key("state.backend.rocksdb.timer-service.factory").stringType().noDefaultValue();

    /**
     * The state backend, and on RocksDB timers on the JVM heap: there is one per pending page view and
     * per held click, small and bounded like the state itself, and keeping them out of RocksDB made
     * catch-up 17% faster (./clickflow bench, 2M events: 35,500 -> 41,600 events/s).
     */
    public static void configureStateBackend(Configuration conf, String stateBackend) {
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if (stateBackend.equals("rocksdb")) {
            conf.set(ROCKSDB_TIMERS, "HEAP");
        }
    }

    /**
     * Job configuration: exactly-once checkpoints kept on cancel, the state backend, no Kryo fallback.
     * On a cluster, the checkpoint dirs and state backend are only set when given (see {@link #checkpointDirGiven}).
     */
    public Configuration flinkConfiguration(boolean local) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (local || checkpointDirGiven) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointUri);
            conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepointUri());
        }
        if (local || stateBackendGiven) {
            configureStateBackend(conf, stateBackend);
        }
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
        }
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // A database that stays unavailable backs the job off instead of spinning in restarts.
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(1));
        return conf;
    }
}
