package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.ResultTables;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Replays generated history from files through the whole pipeline into SQLite and compares the table
 * with a brute-force computation of the rule, in both emit modes.
 */
class AttributionFileReplayITCase {
    /** Events per replay; {@code -Dclickflow.replay.events=300000} for the large run. */
    static final int EVENTS = Integer.getInteger("clickflow.replay.events", 60_000);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @ParameterizedTest(name = "{0} mode, {1} state")
    @CsvSource({"ON_WATERMARK, hashmap", "UPDATE, hashmap", "ON_WATERMARK, rocksdb", "UPDATE, rocksdb"})
    @Timeout(300)
    void replayMatchesBruteForceAndKeepsEveryMalformedLine(EmitMode mode, String stateBackend, @TempDir Path dir)
            throws Exception {
        ClickstreamGenerator.Config config = ClickstreamGenerator.Config.defaults()
                .withSeed(mode.ordinal() + 7)
                .withUsers(3000)
                .withEventsPerSecond(20)
                .withClickRatio(0.15)
                .withMaxDisorderMillis(4000)
                .withMalformedFraction(0.002)
                .withDuplicateFraction(0.01);
        GeneratedInput input = GeneratedInput.generate(config, EVENTS)
                .writeFiles(dir.resolve("clicks.jsonl.gz"), dir.resolve("page_views.jsonl"));
        Database db = AttributionPipelines.sqlite(dir);

        AttributionPipelines.runAttribution(
                stateBackend,
                AttributionPipelines.settings(mode, Duration.ofSeconds(5), Duration.ZERO),
                Sources.file(input.clicksFile, new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.file(input.viewsFile, new PageViewDecoder(), PageViewDecoder.TYPE),
                db);

        BruteForceAttribution.assertTableMatches(input, db);
        assertThat(ResultTables.rejected(db).keySet()).isEqualTo(input.malformedPositions);
        assertThat(input.malformedPositions).isNotEmpty();
        assertThat(ResultTables.count(db, "late_events")).isZero();
    }
}
