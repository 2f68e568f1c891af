package io.clickflow.attribution;

import io.clickflow.decode.Decoded;
import io.clickflow.runner.JobRunner;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.AttributionTables;
import io.clickflow.tables.Database;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.nio.file.Path;
import java.time.Duration;

/** Shared set-up of integration tests: a MiniCluster of parallelism 2 and the attribution pipeline over real sinks. */
public final class AttributionPipelines {
    private AttributionPipelines() {}

    public static final int PARALLELISM = 2;

    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(PARALLELISM)
                .build());
    }

    public static AttributionWorkflow.Settings settings(EmitMode mode, Duration outOfOrderness, Duration idleTimeout) {
        return new AttributionWorkflow.Settings(Duration.ofMinutes(30), mode, outOfOrderness, idleTimeout);
    }

    /** A fresh SQLite file with the attribution tables. */
    public static Database sqlite(Path dir) throws Exception {
        Database db = Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
        db.createTables(AttributionTables.DDL);
        return db;
    }

    /** The environment jobs get: exactly-once checkpoints, no Kryo fallback, heap state. */
    public static StreamExecutionEnvironment environment() {
        return environment("hashmap");
    }

    public static StreamExecutionEnvironment environment(String stateBackend) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = new Configuration();
        JobRunner.configureStateBackend(conf, stateBackend); // as jobs do
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(conf);
        env.setParallelism(PARALLELISM);
        return env;
    }

    /** The environment on {@code parallelism}, restoring from {@code savepoint} unless it is null. */
    public static StreamExecutionEnvironment environment(int parallelism, String savepoint) {
        StreamExecutionEnvironment env = environment();
        env.setParallelism(parallelism);
        if (savepoint != null) {
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            env.configure(restore);
        }
        return env;
    }

    /** Frequent checkpoints to files in {@code dir}, as in production (not the JobManager's heap). */
    public static StreamExecutionEnvironment withFileCheckpoints(
            StreamExecutionEnvironment env, Path dir, Duration interval) {
        Configuration checkpoints = new Configuration();
        checkpoints.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, interval);
        checkpoints.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        checkpoints.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        env.configure(checkpoints);
        return env;
    }

    /** Restarts after a failure, quickly and often enough for tests that cause failures on purpose. */
    public static StreamExecutionEnvironment withFixedDelayRestarts(
            StreamExecutionEnvironment env, int attempts, Duration delay) {
        Configuration restarts = new Configuration();
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
        restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, delay);
        env.configure(restarts);
        return env;
    }

    public static void runAttribution(
            AttributionWorkflow.Settings settings,
            Source<Decoded<AdClick>, ?, ?> clicks,
            Source<Decoded<PageView>, ?, ?> views,
            Database db)
            throws Exception {
        runAttribution("hashmap", settings, clicks, views, db);
    }

    public static void runAttribution(
            String stateBackend,
            AttributionWorkflow.Settings settings,
            Source<Decoded<AdClick>, ?, ?> clicks,
            Source<Decoded<PageView>, ?, ?> views,
            Database db)
            throws Exception {
        StreamExecutionEnvironment env = environment(stateBackend);
        AttributionWorkflow.defineWorkflow(env, settings, clicks, views, AttributionJob.jdbcSinks(db, PARALLELISM));
        env.execute("attribution test");
    }
}
