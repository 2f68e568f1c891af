package io.clickflow.options;

/**
 * Marks a command that runs a Flink job: {@code submit} can start it on a cluster, checking its options
 * here first. A new job is registered once, as a subcommand of {@code io.clickflow.Clickflow}.
 */
public interface JobCommand {}
