package io.clickflow.options;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Options every job shares: parallelism, checkpoints, state backend, what to restore from, the local Web
 * UI and progress line. Parsing only: the runner turns them into Flink's configuration.
 */
public final class RuntimeOptions {
    /** Where state lives. */
    public enum StateBackend {
        HASHMAP,
        ROCKSDB
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "Parallelism of the job.")
    private int parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            // A job may ship its own default in its resource bundle (route: a short one, its state is tiny).
            defaultValue = "${bundle:checkpoint-interval.default:-10s}",
            // A command with no database says what a checkpoint means for it in its resource bundle (route).
            descriptionKey = "checkpoint-interval",
            description = "Exactly-once checkpoints this often; rows reach the database at least at each one.")
    private Duration checkpointInterval;

    @Option(
            names = "--state-backend",
            paramLabel = "NAME",
            defaultValue = "hashmap",
            description =
                    "hashmap (state on the heap) | rocksdb (state on local disk, incremental checkpoints; local runs"
                            + " give it 1 GB of managed memory).")
    private StateBackend stateBackend;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description = "Where checkpoints are kept (retained when the job is cancelled or killed) and savepoints go "
                    + "(DIR/savepoints), wherever the job runs. Default: output/checkpoints/${COMMAND-NAME}")
    private String checkpointDirOption;

    @Option(
            names = "--resume",
            description =
                    "Restart from the newest completed checkpoint or savepoint in --checkpoint-dir (from the start "
                            + "only if the dir holds none).")
    private boolean resume;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "Restart from this savepoint or retained checkpoint.")
    private String fromSavepointOption;

    @Option(
            names = "--web-port",
            paramLabel = "PORT",
            defaultValue = "8081",
            description = "Local runs: port of the Flink Web UI.")
    private int webPort;

    @Option(
            names = "--progress-interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            description = "Local runs: how often a progress line is printed (0: never).")
    private Duration progressInterval;

    // Worked out by validate(), once, from the options above; read through the accessors below.
    private String job;
    private Path checkpointDir;
    private String checkpointUri;
    private String fromSavepoint;
    private boolean parallelismGiven;
    private boolean stateBackendGiven;
    private boolean checkpointDirGiven;

    /** Checks the values and works out the derived ones; call once after parsing. */
    public RuntimeOptions validate() {
        job = mixee.name();
        Cli.range("--parallelism", parallelism, 1, 1024);
        Cli.range("--web-port", webPort, 1, 65535);
        if (checkpointInterval.toMillis() < 10) {
            throw new UsageException(
                    "--checkpoint-interval must be at least 10ms: checkpoints are how results become exactly-once");
        }
        parallelismGiven = Cli.given(mixee, "--parallelism");
        stateBackendGiven = Cli.given(mixee, "--state-backend");
        checkpointDirGiven = checkpointDirOption != null;
        String dir = checkpointDirGiven ? checkpointDirOption : "output/checkpoints/" + job;
        if (isUri(dir) && !dir.startsWith("file:")) {
            checkpointUri = dir; // a cluster file system (s3://, hdfs://, ...), read by Flink, not by us
            if (resume) {
                throw new UsageException("--resume looks for checkpoints in a local --checkpoint-dir; with " + dir
                        + " give the checkpoint to restore with --from-savepoint");
            }
        } else {
            checkpointDir = Path.of(dir.startsWith("file:") ? URI.create(dir).getPath() : dir);
            checkpointUri = checkpointDir.toAbsolutePath().toUri().toString();
        }
        if (resume && fromSavepointOption != null) {
            throw new UsageException("--resume and --from-savepoint exclude each other");
        }
        if (fromSavepointOption != null && isUri(fromSavepointOption) && !fromSavepointOption.startsWith("file:")) {
            fromSavepoint = fromSavepointOption; // on a cluster file system: Flink checks it
        } else if (fromSavepointOption != null) {
            Path p = Path.of(
                    fromSavepointOption.startsWith("file:")
                            ? URI.create(fromSavepointOption).getPath()
                            : fromSavepointOption);
            if (!Files.isRegularFile(p.resolve("_metadata")) && !Files.isRegularFile(p)) {
                throw new UsageException(
                        "--from-savepoint: no savepoint at " + p + " (expected a folder with _metadata)");
            }
            fromSavepoint = p.toAbsolutePath().toString();
        }
        return this;
    }

    public int parallelism() {
        return parallelism;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public StateBackend stateBackend() {
        return stateBackend;
    }

    /** --resume: restart from the newest checkpoint or savepoint in the checkpoint dir. */
    public boolean resume() {
        return resume;
    }

    public int webPort() {
        return webPort;
    }

    public Duration progressInterval() {
        return progressInterval;
    }

    /** The job's name in checkpoint metadata and default paths: the command's name. */
    public String job() {
        return job;
    }

    /** A local folder (null when --checkpoint-dir is a URI such as s3://...). */
    public Path checkpointDir() {
        return checkpointDir;
    }

    /** --checkpoint-dir as Flink takes it: a URI. */
    public String checkpointUri() {
        return checkpointUri;
    }

    /** --from-savepoint as Flink takes it, or null. */
    public String fromSavepoint() {
        return fromSavepoint;
    }

    /**
     * Options the user gave. On a cluster, options left at their defaults yield to the cluster's configuration (its
     * default parallelism and state backend, or {@code flink run -p}).
     */
    public boolean parallelismGiven() {
        return parallelismGiven;
    }

    public boolean stateBackendGiven() {
        return stateBackendGiven;
    }

    public boolean checkpointDirGiven() {
        return checkpointDirGiven;
    }

    /** Restores were asked for: --resume or --from-savepoint. */
    public boolean restoreAsked() {
        return resume || fromSavepointOption != null;
    }

    /** Where savepoints go: {@code savepoints} under --checkpoint-dir, as a URI. */
    public String savepointUri() {
        return checkpointUri.replaceAll("/+$", "") + "/savepoints";
    }

    private static boolean isUri(String s) {
        return s.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*");
    }
}
