package io.clickflow.runner;

import io.clickflow.commandline.UsageException;
import io.clickflow.options.RuntimeOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a job resumes from in its checkpoint folder: completed checkpoints ({@code <dir>/<job id>/chk-<n>/_metadata})
 * and savepoints ({@code <dir>/savepoints/savepoint-*}/_metadata). A checkpoint cut short by a crash has no
 * {@code _metadata} and is never chosen. The folder is marked with the job that writes it, so a resume never
 * picks up another job's state.
 */
public final class RestorePoints {
    private RestorePoints() {}

    /** The file in a checkpoint folder naming the job whose checkpoints it holds. */
    static final String MARKER = "clickflow-job";

    public static Path savepointDir(Path checkpointDir) {
        return checkpointDir.resolve("savepoints");
    }

    /**
     * What to restore from, or null to start fresh: --from-savepoint, or with --resume the newest restore point
     * of this job in --checkpoint-dir. Refuses in one line when the folder belongs to another job or cannot be read.
     */
    public static String restoreFrom(RuntimeOptions runtime) {
        if (runtime.fromSavepoint() != null) {
            return runtime.fromSavepoint();
        }
        if (!runtime.resume()) {
            return null;
        }
        Path dir = runtime.checkpointDir();
        checkOwner(dir, runtime.job());
        Optional<Path> newest;
        try {
            newest = newest(dir);
        } catch (UncheckedIOException e) {
            throw new UsageException(
                    "--resume: cannot read " + dir + ": " + e.getCause().getMessage());
        }
        if (newest.isEmpty()) {
            System.out.println("Nothing to resume from: " + dir
                    + (Files.isDirectory(dir) ? " holds no completed checkpoint or savepoint" : " does not exist")
                    + "; starting from the beginning.");
            return null;
        }
        String path = newest.get().toAbsolutePath().toString();
        System.out.println("Resuming from " + path);
        return path;
    }

    /** Marks a local checkpoint folder as this job's, refusing one that is another job's. */
    public static void claim(Path checkpointDir, String job) {
        if (checkpointDir == null) {
            return;
        }
        checkOwner(checkpointDir, job);
        try {
            Files.createDirectories(checkpointDir);
            Files.writeString(checkpointDir.resolve(MARKER), job + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("--checkpoint-dir: cannot write " + checkpointDir + ": " + e.getMessage());
        }
    }

    private static void checkOwner(Path dir, String job) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return;
        }
        String owner;
        try {
            owner = Files.readString(marker, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UsageException("--checkpoint-dir: cannot read " + marker + ": " + e.getMessage());
        }
        if (!owner.equals(job)) {
            throw new UsageException("--checkpoint-dir " + dir + " holds checkpoints of the " + owner + " job, not of "
                    + job + "; give " + job + " its own --checkpoint-dir");
        }
    }

    /** The newest completed checkpoint or savepoint (by the time its metadata was written), if any. */
    public static Optional<Path> newest(Path checkpointDir) {
        if (!Files.isDirectory(checkpointDir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.find(
                checkpointDir,
                3,
                (p, attrs) -> attrs.isRegularFile()
                        && p.getFileName().toString().equals("_metadata")
                        && (p.getParent().getFileName().toString().startsWith("chk-")
                                || p.getParent().getFileName().toString().startsWith("savepoint-")))) {
            return files.max(Comparator.comparing(RestorePoints::modified)).map(Path::getParent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint folder " + checkpointDir, e);
        } catch (UncheckedIOException e) {
            throw e;
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
