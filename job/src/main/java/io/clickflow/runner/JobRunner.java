package io.clickflow.runner;

import io.clickflow.commandline.Cli;
import io.clickflow.commandline.UsageException;
import io.clickflow.options.RuntimeOptions;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.client.JobCancellationException;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs a job where it was started: under {@code flink run} (or the REST API) on that cluster, from
 * {@code ./clickflow} in a local MiniCluster with the Web UI, progress lines and a clean Ctrl-C.
 */
public final class JobRunner {
    private JobRunner() {}

    /** Adds a job's pipeline to an environment. */
    @FunctionalInterface
    public interface Pipeline {
        void define(StreamExecutionEnvironment env) throws Exception;
    }

    public static boolean isLocal() {
        return StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
    }

    /** The end of a job's start-up line: parallelism and state backend, or that the cluster decides them. */
    public static String describe(RuntimeOptions runtime) {
        boolean local = isLocal();
        return (runtime.parallelismGiven() || local
                        ? ", parallelism " + runtime.parallelism()
                        : ", the cluster's parallelism")
                + (runtime.stateBackendGiven() || local
                        ? ", state " + Cli.name(runtime.stateBackend())
                        : ", the cluster's state backend");
    }

    /** Creates the environment: on a cluster the one it provides, locally a MiniCluster with the Web UI. */
    public static StreamExecutionEnvironment environment(RuntimeOptions runtime, String restoreFrom, boolean local) {
        Configuration conf = configuration(runtime, restoreFrom, local);
        StreamExecutionEnvironment env;
        if (local) {
            ensurePortFree(runtime.webPort());
            conf.set(RestOptions.PORT, runtime.webPort());
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            conf.set(RestOptions.ADDRESS, "127.0.0.1");
            // The Web UI and the progress line read metrics through this cache; the default 10 s lags.
            conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
            if (runtime.stateBackend() == RuntimeOptions.StateBackend.ROCKSDB) {
                // RocksDB's block cache and write buffers are Flink's managed memory; a MiniCluster gets 128 MB
                // unless told otherwise, and once the state outgrows it every read becomes a system call.
                conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, LOCAL_ROCKSDB_MEMORY);
            }
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        } else {
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        }
        if (local || runtime.parallelismGiven()) {
            env.setParallelism(runtime.parallelism());
        }
        // Object reuse stays off: measured slower (BENCHMARKS.md), as operators with a side output then copy every
        // record.
        return env;
    }

    /**
     * Runs the pipeline; locally it prints progress until the job ends or the user presses Ctrl-C,
     * which cancels the job (its last checkpoint is retained) before the JVM exits.
     */
    public static void run(String jobName, RuntimeOptions runtime, Pipeline pipeline, ProgressReporter progress)
            throws Exception {
        run(jobName, runtime, pipeline, progress, stop -> {});
    }

    /** The longest a stop takes: the savepoint's wait, then the cancel's if the savepoint fails. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(100);

    /**
     * As {@link #run(String, RuntimeOptions, Pipeline, ProgressReporter)}; {@code onSubmitted} gets what stops the
     * running job as Ctrl-C does, with a savepoint (local runs only).
     */
    public static void run(
            String jobName,
            RuntimeOptions runtime,
            Pipeline pipeline,
            ProgressReporter progress,
            Consumer<Runnable> onSubmitted)
            throws Exception {
        run(jobName, runtime, pipeline, progress, onSubmitted, () -> {});
    }

    /**
     * As {@link #run(String, RuntimeOptions, Pipeline, ProgressReporter, Consumer)}; {@code beforeStop} runs once, on
     * Ctrl-C or the stop, before the job's savepoint: a demo stops what feeds the job first, so the savepoint holds
     * everything it was given.
     */
    public static void run(
            String jobName,
            RuntimeOptions runtime,
            Pipeline pipeline,
            ProgressReporter progress,
            Consumer<Runnable> onSubmitted,
            Runnable beforeStop)
            throws Exception {
        boolean local = isLocal();
        String restoreFrom = RestorePoints.restoreFrom(runtime);
        if (local || runtime.checkpointDirGiven()) {
            RestorePoints.claim(runtime.checkpointDir(), runtime.job());
        }
        StreamExecutionEnvironment env = environment(runtime, restoreFrom, local);
        pipeline.define(env);
        if (!local) {
            execute(() -> env.execute(jobName), restoreFrom);
            return;
        }
        JobClient client = execute(() -> env.executeAsync(jobName), restoreFrom);
        String webUi = "http://localhost:" + runtime.webPort();
        System.out.println("Job " + jobName + " running (id " + client.getJobID() + "); Flink Web UI: " + webUi);
        Thread main = Thread.currentThread();
        AtomicBoolean stoppedByUser = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        String savepoints = runtime.savepointUri();
        Runnable stop = () -> {
            if (stoppedByUser.compareAndSet(false, true)) {
                try {
                    beforeStop.run();
                } catch (RuntimeException e) {
                    System.out.println("Stopping what feeds the job failed: " + e);
                }
                try {
                    stopQuietly(client, savepoints);
                } finally {
                    stopped.countDown();
                }
            }
        };
        Thread cancelOnExit = new Thread(
                () -> {
                    stop.run();
                    joinQuietly(main); // lets the main thread print its summary and clean up before the JVM halts
                },
                "cancel-on-exit");
        Runtime.getRuntime().addShutdownHook(cancelOnExit);
        progress.attach(webUi, client.getJobID().toHexString());
        onSubmitted.accept(stop);
        try {
            progress.runUntilDone(client, runtime.progressInterval());
            JobStatus status = JobStatus.FINISHED;
            Throwable failure = null;
            try {
                client.getJobExecutionResult().get();
            } catch (ExecutionException e) {
                boolean cancelled = ExceptionUtils.findThrowable(e, JobCancellationException.class)
                        .isPresent();
                status = cancelled ? JobStatus.CANCELED : JobStatus.FAILED;
                failure = cancelled ? null : e.getCause();
            }
            if (stoppedByUser.get()) {
                // The job ends as its savepoint completes, a moment before the stop hears of it: wait for the stop,
                // so that the caller's clean-up (a demo's timer, the JVM's exit) does not interrupt it and lose the
                // savepoint's path, and the summary comes after it.
                stopped.await(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            progress.printSummary(
                    stoppedByUser.get() && status == JobStatus.FINISHED
                            ? "stopped"
                            : status.name().toLowerCase());
            if (failure != null) {
                throw new Exception("the job failed: " + failure.getMessage(), failure);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running
            }
        }
    }

    /** Submits; a restore point whose state does not fit this job's operators becomes one line, not Flink's trace. */
    private static <T> T execute(Callable<T> submit, String restoreFrom) throws Exception {
        try {
            return submit.call();
        } catch (Exception e) {
            if (restoreFrom != null
                    && ExceptionUtils.findThrowableWithMessage(e, "Cannot map checkpoint/savepoint state")
                            .isPresent()) {
                throw new UsageException(
                        "the state in " + restoreFrom + " does not fit this job (another job's, or taken with "
                                + "other options that shape the state); start from another --checkpoint-dir or without --resume");
            }
            throw e;
        }
    }

    /** Ctrl-C: stop with a savepoint so that {@code --resume} continues exactly there; cancel if that fails. */
    private static void stopQuietly(JobClient client, String savepointDir) {
        try {
            JobStatus status = client.getJobStatus().get(5, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                return;
            }
            System.out.println("\nStopping the job with a savepoint...");
            try {
                String path = client.stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
                System.out.println("Stopped with a savepoint in " + path + " (continue with --resume)");
            } catch (Exception e) {
                System.out.println("No savepoint (" + e.getClass().getSimpleName()
                        + "); cancelling, the last checkpoint is kept.");
                client.cancel().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // The JVM is exiting; the MiniCluster goes with it.
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void ensurePortFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new UsageException("port " + port
                    + " for the Flink Web UI is in use (another clickflow?); choose one with --web-port");
        }
    }

    /** Managed memory of a local run with RocksDB: its block cache and write buffers, shared by the slots. */
    public static final MemorySize LOCAL_ROCKSDB_MEMORY = MemorySize.parse("1g");

    /** How RocksDB keeps timers; set as a string so the job does not need the RocksDB classes to compile. */
    static final ConfigOption<String> ROCKSDB_TIMERS = ConfigOptions.key("state.backend.rocksdb.timer-service.factory")
            .stringType()
            .noDefaultValue();

    /**
     * The state backend, and on RocksDB its timers in RocksDB too, whatever the cluster says: attribution keeps a timer
     * per user holding a click, and on the heap those would grow the heap with the state and be written whole, on the
     * task thread, into every checkpoint (BENCHMARKS.md "Large state"); where state is small enough for heap timers to
     * pay, the hashmap backend is cheaper still. RocksDB checkpoints are incremental: each uploads only the files
     * written since the one before, instead of the whole state every interval.
     */
    public static void configureStateBackend(Configuration conf, String stateBackend) {
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        if (stateBackend.equals("rocksdb")) {
            conf.set(ROCKSDB_TIMERS, "ROCKSDB");
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        }
    }

    /**
     * Job configuration: exactly-once checkpoints kept on cancel, the state backend, no Kryo fallback.
     * On a cluster, the checkpoint dir and state backend are only set when given (see {@link RuntimeOptions#checkpointDirGiven}).
     */
    static Configuration configuration(RuntimeOptions runtime, String restoreFrom, boolean local) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, runtime.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (local || runtime.checkpointDirGiven()) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, runtime.checkpointUri());
        }
        // Savepoints go under the job's checkpoint dir wherever it runs (also for flink stop without a
        // target), so that --resume finds them; on a cluster with its own checkpoint dir, under that one.
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepointUri(runtime, local));
        if (local || runtime.stateBackendGiven()) {
            configureStateBackend(conf, Cli.name(runtime.stateBackend()));
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

    /** The job's savepoint dir: under --checkpoint-dir, or on a cluster without one under the cluster's checkpoint dir. */
    static String savepointUri(RuntimeOptions runtime, boolean local) {
        if (!local && !runtime.checkpointDirGiven()) {
            String clusterDir = StreamExecutionEnvironment.getExecutionEnvironment()
                    .getConfiguration()
                    .get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
            if (clusterDir != null) {
                return clusterDir.replaceAll("/+$", "") + "/savepoints";
            }
        }
        return runtime.savepointUri();
    }
}
