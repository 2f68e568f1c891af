package io.clickflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.commandline.ChildProcesses;
import io.clickflow.tables.Database;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A real crash of a {@code clickflow} job command: it runs in its own JVM ({@link ChildJob}) writing to SQLite in
 * {@code dir}, is killed with SIGKILL once rows are in {@code table} and a checkpoint completed after them, and the
 * same command with {@code --resume} runs to its end (a bounded job) or until {@link #doneWhen} holds (an unbounded
 * one, then killed too).
 */
public final class ProcessCrash {
    /** A test's step between or after the runs. */
    public interface Step {
        void run() throws Exception;
    }

    private final Path dir;
    private final List<String> jobArgs;
    private final String table;
    private Duration checkpointInterval = Duration.ofSeconds(1);
    private BooleanSupplier killAfter;
    private Step atCrash = () -> {};
    private Step whileDown = () -> {};
    private Step onResumed = () -> {};
    private BooleanSupplier doneWhen;
    private Duration doneWithin = Duration.ofSeconds(300);
    private long rowsAtCrash;
    private long rowsAtEnd;

    private ProcessCrash(Path dir, List<String> jobArgs, String table) {
        this.dir = dir;
        this.jobArgs = jobArgs;
        this.table = table;
    }

    /** {@code jobArgs} without the database, checkpoint and port options, which this adds. */
    public static ProcessCrash of(Path dir, List<String> jobArgs, String table) {
        return new ProcessCrash(dir, jobArgs, table);
    }

    public ProcessCrash checkpointInterval(Duration interval) {
        this.checkpointInterval = interval;
        return this;
    }

    /**
     * The first run is killed once this holds (instead of once the table has a row) and a checkpoint completed
     * after that, e.g. once rows that the restored state must already have emitted are written.
     */
    public ProcessCrash killAfter(BooleanSupplier condition) {
        this.killAfter = condition;
        return this;
    }

    /** Runs right after the kill, before {@link #whileDown} (e.g. reading what the first run left). */
    public ProcessCrash atCrash(Step step) {
        this.atCrash = step;
        return this;
    }

    /** Runs after the kill, before the resumed run starts (e.g. input arriving while no job runs). */
    public ProcessCrash whileDown(Step step) {
        this.whileDown = step;
        return this;
    }

    /** Runs once the resumed job is started (e.g. the records that move an unbounded job's watermark on). */
    public ProcessCrash onResumed(Step step) {
        this.onResumed = step;
        return this;
    }

    /** An unbounded job: the resumed run is polled until this holds, then killed. */
    public ProcessCrash doneWhen(BooleanSupplier condition) {
        this.doneWhen = condition;
        return this;
    }

    /**
     * An unbounded job: the resumed run is polled until {@code condition} holds or {@code timeout} passed, then
     * killed; the test's own assertions then say what is wrong.
     */
    public ProcessCrash doneWhen(BooleanSupplier condition, Duration timeout) {
        this.doneWhen = condition;
        this.doneWithin = timeout;
        return this;
    }

    public Database database() {
        return Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"));
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    /** Rows of the table when the first run was killed. */
    public long rowsAtCrash() {
        return rowsAtCrash;
    }

    /** Runs, kills, resumes; returns the database. */
    public Database run() throws Exception {
        Database db = database();
        List<String> common = new ArrayList<>(jobArgs);
        common.addAll(List.of(
                "--jdbc-url",
                "jdbc:sqlite:" + dir.resolve("clickflow.db"),
                "--checkpoint-dir",
                checkpoints().toString(),
                "--checkpoint-interval",
                checkpointInterval.toMillis() + "ms",
                "--progress-interval",
                "0"));

        long started = System.nanoTime();
        List<String> first = new ArrayList<>(common);
        first.addAll(List.of("--web-port", Integer.toString(ChildProcesses.freePort())));
        try (ChildJob crashing = ChildJob.start(dir.resolve("first.log"), first)) {
            // Killed mid-way: after rows are in the table and a checkpoint completed after them, so the restored
            // state, positions and the rows already written must agree.
            Waits.until(
                    () -> (killAfter == null ? rowsOrMinusOne(db) > 0 : killAfter.getAsBoolean())
                            || !crashing.isAlive(),
                    Duration.ofSeconds(180),
                    killAfter == null ? "no rows written" : "the rows to kill after were not written");
            long beforeRows = ChildJob.newestCompletedCheckpoint(checkpoints());
            Waits.until(
                    () -> ChildJob.newestCompletedCheckpoint(checkpoints()) > beforeRows || !crashing.isAlive(),
                    Duration.ofSeconds(180),
                    "no checkpoint completed after the first rows");
            assertThat(crashing.isAlive())
                    .as("the first run must still be running when it is killed: " + crashing.output())
                    .isTrue();
            assertThat(crashing.kill()).isEqualTo(137);
            rowsAtCrash = ResultTables.count(db, table);
        }
        long killed = System.nanoTime();
        atCrash.run();
        whileDown.run();
        List<String> second = new ArrayList<>(common);
        second.addAll(List.of("--resume", "--web-port", Integer.toString(ChildProcesses.freePort())));
        try (ChildJob resumed = ChildJob.start(dir.resolve("second.log"), second)) {
            onResumed.run();
            if (doneWhen == null) {
                assertThat(resumed.waitFor(300)).as(resumed.output()).isZero();
            } else {
                long deadline = System.nanoTime() + doneWithin.toNanos();
                Waits.until(
                        () -> doneWhen.getAsBoolean() || !resumed.isAlive() || System.nanoTime() > deadline,
                        doneWithin.plusSeconds(10),
                        "the resumed job did not complete");
                assertThat(resumed.isAlive())
                        .as("the resumed job is still running: " + resumed.output())
                        .isTrue();
                resumed.kill();
            }
            assertThat(resumed.output()).contains("Resuming from");
            rowsAtEnd = ResultTables.count(db, table);
            System.out.printf(
                    "ProcessCrash %s: killed after %d ms with %d rows, resumed run done %d ms later with %d%n",
                    jobArgs.get(0),
                    Duration.ofNanos(killed - started).toMillis(),
                    rowsAtCrash,
                    Duration.ofNanos(System.nanoTime() - killed).toMillis(),
                    rowsAtEnd);
            assertThat(rowsAtCrash).as("killed mid-way").isPositive().isLessThan(rowsAtEnd);
        }
        return db;
    }

    /** Rows of the table at the end. */
    public long rowsAtEnd() {
        return rowsAtEnd;
    }

    private long rowsOrMinusOne(Database db) {
        try {
            return ResultTables.count(db, table);
        } catch (Exception e) {
            return -1;
        }
    }
}
