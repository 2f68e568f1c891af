package io.clickflow.demo;

import java.nio.file.Path;

/** Placeholder until the broker process lands. */
public final class KafkaBroker implements AutoCloseable {
    public static Path defaultRuntimeClasspath() { throw new UnsupportedOperationException(); }
    public static KafkaBroker start(Path dataDir, Path classpath) { throw new UnsupportedOperationException(); }
    public String bootstrapServers() { return null; }
    public void createTopic(String name, int partitions) {}
    @Override public void close() {}
}
