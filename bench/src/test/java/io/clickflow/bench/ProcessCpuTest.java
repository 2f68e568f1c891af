package io.clickflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** The JIT compilers' CPU that `bench api` reports per step, read from /proc for any JVM. */
class ProcessCpuTest {
    @Test
    void aRunningJvmsCompilersHaveUsedCpu() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux /proc");
        long pid = ProcessHandle.current().pid();
        // This JVM compiled the test framework's hot code before it got here.
        assertThat(BenchCase.compilerCpuNanos(pid)).isPositive();
        assertThat(BenchCase.compilerCpuNanos(pid)).isLessThanOrEqualTo(BenchCase.processCpuNanos() + 1_000_000_000L);
    }

    @Test
    void aProcessThatIsGoneCountsZero() {
        assertThat(BenchCase.compilerCpuNanos(Long.MAX_VALUE)).isZero();
    }
}
