package io.clickflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a job's checkpoint folder holds, for tests that must crash a job only after a checkpoint completed. */
public final class Checkpoints {
    private Checkpoints() {}

    /** A completed checkpoint (or savepoint) is a folder with {@code _metadata} under the job's folder. */
    public static boolean hasCompleted(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (Stream<Path> files =
                Files.find(checkpoints, 3, (p, a) -> p.getFileName().toString().equals("_metadata"))) {
            return files.findAny().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
