package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.counting.CountMode;
import io.clickflow.counting.Sketches;
import io.clickflow.counting.WindowKeys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;

/**
 * The HLL counts the job reports, built the way the job builds them (one sketch per shard, unioned):
 * within the documented error at several cardinalities, and the reported ~95% bounds hold the true
 * count about 95% of the time. Hashing is deterministic, so these results are the same on every run.
 */
class SketchesTest {

    /** The shards' sketches of {@code n} users named {@code prefix + i}, unioned: {estimate, lower, upper}. */
    static long[] countThroughShards(int n, String prefix, int lgK) {
        WindowKeys keys = new WindowKeys(List.of(Duration.ofMinutes(1)), CountMode.HLL.shards());
        byte[][] shards = new byte[keys.shards()][];
        for (int i = 0; i < n; i++) {
            String uid = prefix + i;
            int shard = keys.shard(uid);
            if (shards[shard] == null) {
                shards[shard] = Sketches.newUpdatable(lgK);
            }
            Sketches.updateAndEstimate(shards[shard], uid);
        }
        byte[] union = null;
        for (byte[] shard : shards) {
            if (shard != null) {
                union = Sketches.union(union, Sketches.compact(shard), lgK);
            }
        }
        return Sketches.count(union);
    }

    @ParameterizedTest(name = "{0} users, lgK {1}")
    @CsvSource({"1000, 14", "10000, 14", "100000, 14", "1000000, 14", "10000, 12", "100000, 12", "100000, 16"})
    void estimateIsWithinThreeStandardErrorsAndInsideItsBounds(int n, int lgK) {
        long[] c = countThroughShards(n, "user-", lgK);
        double rse = Sketches.relativeStandardError(lgK);
        assertThat(Math.abs(c[0] - n) / (double) n)
                .as("relative error, RSE %.4f", rse)
                .isLessThanOrEqualTo(3 * rse);
        assertThat(c[1]).isLessThanOrEqualTo(n);
        assertThat(c[2]).isGreaterThanOrEqualTo(n);
        double width = (c[2] - c[1]) / (double) n;
        assertThat(width).as("bounds width ~ 4 RSE").isLessThanOrEqualTo(6 * rse);
        if (n > 4 << lgK) { // below, the sketch is near exact and its bounds tight
            assertThat(width).isGreaterThanOrEqualTo(2 * rse);
        }
    }

    @Test
    void smallCountsAreExact() {
        for (int n : new int[] {0, 1, 2, 17, 100}) {
            long[] c = n == 0 ? new long[] {0, 0, 0} : countThroughShards(n, "u", 14);
            assertThat(c[0]).as("%d users", n).isEqualTo(n);
        }
    }

    @Test
    void boundsHoldTheTrueCountAboutNinetyFivePercentOfTheTime() {
        int trials = 200;
        int inside = 0;
        for (int t = 0; t < trials; t++) {
            long[] c = countThroughShards(20_000, "trial-" + t + "-", 12);
            if (c[1] <= 20_000 && 20_000 <= c[2]) {
                inside++;
            }
        }
        // 2 standard errors: 95.4% expected; 200 trials give a standard deviation of ~1.5 points.
        assertThat(inside / (double) trials).isBetween(0.90, 0.995);
    }

    @Test
    void unionIsIdempotentSoAShardsNewerSketchMayReplaceItsOlderOne() {
        byte[] shard = Sketches.newUpdatable(14);
        for (int i = 0; i < 5000; i++) {
            Sketches.updateAndEstimate(shard, "a" + i);
        }
        byte[] older = Sketches.compact(shard);
        for (int i = 0; i < 5000; i++) {
            Sketches.updateAndEstimate(shard, "b" + i);
        }
        byte[] union =
                Sketches.union(Sketches.union(Sketches.union(null, older, 14), Sketches.compact(shard), 14), older, 14);
        byte[] otherOrder = Sketches.union(Sketches.union(null, Sketches.compact(shard), 14), older, 14);
        assertThat(Sketches.count(union)).isEqualTo(Sketches.count(otherOrder));
    }

    @Test
    void documentedErrorOfTheDefault() {
        assertThat(Sketches.relativeStandardError(14)).isBetween(0.0080, 0.0082);
    }
}
