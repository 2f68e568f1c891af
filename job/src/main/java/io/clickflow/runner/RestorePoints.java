package io.clickflow.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds what a job can resume from in its checkpoint folder: completed checkpoints
 * ({@code <dir>/<job id>/chk-<n>/_metadata}) and savepoints ({@code <dir>/savepoints/savepoint-*}/_metadata).
 * A checkpoint cut short by a crash has no {@code _metadata} and is never chosen.
 */
public final class RestorePoints {
    private RestorePoints() {}

    public static Path savepointDir(Path checkpointDir) {
        return checkpointDir.resolve("savepoints");
    }

    /** The newest completed checkpoint or savepoint (by the time its metadata was written), if any. */
    public static Optional<Path> newest(Path checkpointDir) {
        if (!Files.isDirectory(checkpointDir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.find(checkpointDir, 3, (p, attrs) -> attrs.isRegularFile()
                && p.getFileName().toString().equals("_metadata")
                && (p.getParent().getFileName().toString().startsWith("chk-")
                        || p.getParent().getFileName().toString().startsWith("savepoint-")))) {
            return files.max(Comparator.comparing(RestorePoints::modified)).map(Path::getParent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint folder " + checkpointDir, e);
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
