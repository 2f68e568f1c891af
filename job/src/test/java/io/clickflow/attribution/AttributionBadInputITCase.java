package io.clickflow.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.io.Sources;
import io.clickflow.stream.EmitMode;
import io.clickflow.tables.Database;
import io.clickflow.tables.RejectedEvent;
import io.clickflow.testing.ResultTables;

import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Bad input at volume through the whole job: thousands of garbage lines (random bytes, truncated
 * records, invalid UTF-8, 100k-deep nesting, 1 MB+ lines, wrong types, absurd times) between good
 * records. The job neither fails nor restarts, every bad line is in rejected_events with a reason at its
 * line number, and the good records give exactly the brute-force table.
 */
class AttributionBadInputITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = AttributionPipelines.miniCluster();

    @Test
    @Timeout(300)
    void garbageBetweenGoodRecordsIsRejectedAndTheRestIsExact(@TempDir Path dir) throws Exception {
        GeneratedInput input = GeneratedInput.generate(
                ClickstreamGenerator.Config.defaults()
                        .withSeed(61)
                        .withUsers(2000)
                        .withEventsPerSecond(20)
                        .withClickRatio(0.15)
                        .withMaxDisorderMillis(4000),
                30_000);
        Random random = new Random(61);
        Set<String> badPositions = new HashSet<>();
        Path clicks = dir.resolve("clicks.jsonl");
        Path views = dir.resolve("page_views.jsonl");
        try (OutputStream c = new BufferedOutputStream(Files.newOutputStream(clicks), 1 << 16);
                OutputStream v = new BufferedOutputStream(Files.newOutputStream(views), 1 << 16)) {
            long[] lines = new long[2];
            for (ClickstreamGenerator.Event e : input.events) {
                int stream = e.isClick() ? 0 : 1;
                OutputStream out = stream == 0 ? c : v;
                if (random.nextInt(10) == 0) {
                    out.write(garbage(random, e.json()));
                    out.write('\n');
                    badPositions.add((stream == 0 ? "clicks.jsonl" : "page_views.jsonl") + ":" + ++lines[stream]);
                }
                out.write(e.json().getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                lines[stream]++;
            }
        }
        Database db = AttributionPipelines.sqlite(dir);

        AttributionPipelines.runAttribution(
                AttributionPipelines.settings(EmitMode.UPDATE, Duration.ofSeconds(5), Duration.ZERO),
                Sources.file(clicks, new AdClickDecoder(), AdClickDecoder.TYPE),
                Sources.file(views, new PageViewDecoder(), PageViewDecoder.TYPE),
                db);

        var rejected = ResultTables.rejected(db);
        assertThat(rejected.keySet()).isEqualTo(badPositions);
        assertThat(rejected.values()).allSatisfy(r -> {
            assertThat(r.reason()).isNotBlank();
            assertThat(r.payload() == null ? 0 : r.payload().length())
                    .isLessThanOrEqualTo(RejectedEvent.MAX_PAYLOAD_CHARS);
        });
        BruteForceAttribution.assertTableMatches(input, db);
    }

    /** A line that is certainly not a valid record, of one of several kinds. */
    static byte[] garbage(Random random, String goodJson) throws IOException {
        byte[] good = goodJson.getBytes(StandardCharsets.UTF_8);
        switch (random.nextInt(8)) {
            case 0: { // a strict prefix of a good record
                return Arrays.copyOf(good, 1 + random.nextInt(good.length - 1));
            }
            case 1: { // random bytes that do not start an object
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                for (int i = 0; i < b.length; i++) {
                    if (b[i] == '\n' || b[i] == '\r') {
                        b[i] = 'x';
                    }
                }
                b[0] = '#';
                return b;
            }
            case 2: { // invalid UTF-8 inside the first id
                String s = goodJson.replaceFirst("\":\"", "\":\"\u0000");
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                int at = s.indexOf('\u0000');
                b[at] = (byte) 0xC3; // a lead byte followed by an ASCII char
                return b;
            }
            case 3:
                return "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            case 4: { // 1 MB+ of garbage
                return ("{\"junk\":\"" + "a".repeat(1_100_000)).getBytes(StandardCharsets.US_ASCII);
            }
            case 5:
                return goodJson.replace("\"user_id\":\"", "\"user_id\":{\"nested\":\"")
                        .replaceFirst("\",", "\"},")
                        .getBytes(StandardCharsets.UTF_8);
            case 6:
                return "{\"click_id\":\"x\",\"page_view_id\":\"x\",\"user_id\":\"u\",\"campaign_id\":\"c\",\"event_time\":\"9999-12-31T00:00:00Z\"}"
                        .getBytes(StandardCharsets.UTF_8);
            default:
                return "{\"click_id\":\"x\",\"page_view_id\":\"x\",\"user_id\":\"u\",\"campaign_id\":\"c\",\"event_time\":-5}"
                        .getBytes(StandardCharsets.UTF_8);
        }
    }
}
