package io.clickflow.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** JSON-lines files as the generators, tests and the benchmark write them: UTF-8, gzipped when named {@code .gz}. */
public final class LineFiles {
    private LineFiles() {}

    /** A buffered writer to {@code file}, its folders created. */
    public static BufferedWriter writer(Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        var out = Files.newOutputStream(file);
        return new BufferedWriter(
                new OutputStreamWriter(
                        file.toString().endsWith(".gz") ? new GZIPOutputStream(out, 1 << 16) : out,
                        StandardCharsets.UTF_8),
                1 << 16);
    }
}
