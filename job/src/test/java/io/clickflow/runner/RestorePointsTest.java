package io.clickflow.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clickflow.attribution.AttributionCommand;
import io.clickflow.commandline.UsageException;
import io.clickflow.options.RuntimeOptions;
import io.clickflow.uniques.UniquesCommand;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/** --resume finds this job's newest restore point, refuses another job's dir in one line, and says when there is none. */
class RestorePointsTest {

    @Test
    void aDirMarkedByAnotherJobIsRefusedNamingThatJob(@TempDir Path dir) {
        RestorePoints.claim(dir, "attribution");
        RuntimeOptions uniques = UniquesCommand.parse("--checkpoint-dir", dir.toString(), "--resume").runtime;
        assertThatThrownBy(() -> RestorePoints.restoreFrom(uniques))
                .isInstanceOf(UsageException.class)
                .hasMessage("--checkpoint-dir " + dir + " holds checkpoints of the attribution job, not of uniques;"
                        + " give uniques its own --checkpoint-dir");
        assertThatThrownBy(() -> RestorePoints.claim(dir, "uniques"))
                .as("nor may another job write there")
                .isInstanceOf(UsageException.class);
    }

    @Test
    void theNewestCompletedCheckpointOrSavepointOfThisJobIsResumed(@TempDir Path dir) throws Exception {
        RestorePoints.claim(dir, "attribution");
        Path cut = Files.createDirectories(dir.resolve("0f1e/chk-9")); // no _metadata: a crash cut it short
        Path checkpoint = Files.createDirectories(dir.resolve("0f1e/chk-7"));
        Files.writeString(checkpoint.resolve("_metadata"), "x");
        Path savepoint = Files.createDirectories(dir.resolve("savepoints/savepoint-0f1e-1"));
        Files.writeString(savepoint.resolve("_metadata"), "x");
        Files.setLastModifiedTime(checkpoint.resolve("_metadata"), FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(savepoint.resolve("_metadata"), FileTime.fromMillis(2_000));
        RuntimeOptions runtime = AttributionCommand.parse("--checkpoint-dir", dir.toString(), "--resume").runtime;
        assertThat(printed(() -> assertThat(RestorePoints.restoreFrom(runtime))
                        .isEqualTo(savepoint.toAbsolutePath().toString())))
                .isEqualTo("Resuming from " + savepoint.toAbsolutePath() + "\n");
        assertThat(cut).exists();
    }

    @Test
    void nothingToResumeFromIsSaidAndStartsFresh(@TempDir Path dir) {
        RuntimeOptions runtime =
                AttributionCommand.parse("--checkpoint-dir", dir.resolve("none").toString(), "--resume").runtime;
        assertThat(printed(() -> assertThat(RestorePoints.restoreFrom(runtime)).isNull()))
                .isEqualTo("Nothing to resume from: " + dir.resolve("none")
                        + " does not exist; starting from the beginning.\n");
        RuntimeOptions fresh = AttributionCommand.parse("--checkpoint-dir", dir.toString()).runtime;
        assertThat(printed(() -> assertThat(RestorePoints.restoreFrom(fresh)).isNull()))
                .as("without --resume: silent")
                .isEmpty();
    }

    private static String printed(Runnable action) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
