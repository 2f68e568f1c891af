package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.counting.CountMode;
import io.clickflow.tables.Database;
import io.clickflow.testing.KafkaTestBroker;
import io.clickflow.testing.ProcessCrash;
import io.clickflow.testing.ResultTables;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A real crash of {@code clickflow uniques}: its own JVM, killed with SIGKILL once rows are in the table and a
 * checkpoint completed after them, then the same command with {@code --resume}. From a file (bounded: the resumed
 * run ends by itself) and from Kafka (unbounded: frames arrive while no job runs and after the resume, then a flush
 * frame per partition closes every window): every window's final row, in the table and as the last record of its
 * window in the output topic (read {@code read_committed}), equals brute force (HLL: within 3 standard errors); no
 * window lost, none counted twice. Every 300th frame is three minutes late, within the allowed lateness.
 *
 * <p>In Kafka mode the first run is killed only once the minutes its input closes are final and a checkpoint holding
 * all of its input completed after that, and the first frame of every partition after the crash is a new user in
 * the last of those minutes: read right after the resume, before any other frame, while the watermark starts over
 * (watermarks are not in checkpoints), it must still correct the minute whose final row went out before the crash.
 */
class UniquesProcessCrashITCase {
    static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofHours(1));
    static final long START_SECONDS = Instant.parse("2024-01-01T00:50:00Z").getEpochSecond();
    static final int USERS = 20_000;
    static final double FRAMES_PER_SECOND = 40;
    static final int LATE_EVERY = 300;
    static final Duration LATE_BY = Duration.ofMinutes(3);
    static final int MALFORMED_EVERY = 1000;
    static final int PARTITIONS = 3;
    /** File mode: long enough that the first run still reads when it is killed. */
    static final int FILE_FRAMES = 36_000;
    /** File mode: the first run is killed once this many 1m windows are final (and a checkpoint after). */
    static final int FILE_MINUTES_BEFORE_KILL = 3;

    static final int KAFKA_FRAMES = 12_000;
    /** Kafka mode: how long the resumed job may take to reach brute force before the test says what differs. */
    static final Duration KAFKA_DONE_WITHIN = Duration.ofSeconds(90);

    @RegisterExtension
    static final KafkaTestBroker KAFKA = new KafkaTestBroker();

    /** One case's input, its crash, and where the first frames after the crash are (Kafka). */
    record Case(GeneratedFrames input, ProcessCrash crash, String outputTopic, Set<String> correctedAfterResume) {}

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @CsvSource({"file, HLL, on-watermark", "kafka, EXACT, update"})
    @Timeout(300)
    void killedAndResumedGivesTheUninterruptedCounts(String source, CountMode count, String emitMode, @TempDir Path dir)
            throws Exception {
        long started = System.nanoTime();
        List<String> args = List.of(
                "uniques",
                "--windows",
                "1m,1h",
                "--count",
                count.name().toLowerCase(),
                "--emit-mode",
                emitMode,
                "--update-interval",
                "200ms",
                "--allowed-lateness",
                "5m");
        Case c = source.equals("file") ? fileCase(args, dir) : kafkaCase(args, count, dir);
        Map<String, Long> expected = c.input.distinctUsers(WINDOWS);
        long flush = c.input.flushStartSeconds();
        Database db = c.crash.database();
        Map<String, Long> finalAtCrash = new HashMap<>();
        c.crash.atCrash(() -> finalAtCrash.putAll(UniquesResults.finalCounts(UniquesResults.table(db, flush))));
        if (c.outputTopic != null) {
            c.crash.doneWhen(
                    () -> UniquesResults.tableMatches(db, flush, expected, count)
                            && UniquesResults.topicMatches(KAFKA.readCommitted(c.outputTopic), flush, expected, count),
                    KAFKA_DONE_WITHIN);
        }
        c.crash.run();

        Map<String, ResultTables.UniqueUsersRow> table = UniquesResults.table(db, flush);
        assertThat(table.values()).as("every window final").allMatch(ResultTables.UniqueUsersRow::isFinal);
        assertThat(UniquesResults.mismatch(UniquesResults.finalCounts(table), expected, count))
                .as("the table")
                .isNull();
        if (c.outputTopic != null) {
            Map<String, JsonNode> last = UniquesResults.lastInTopic(KAFKA.readCommitted(c.outputTopic), flush);
            assertThat(last.values())
                    .as("each window's last record is final")
                    .allMatch(r -> r.get("is_final").asBoolean());
            Map<String, Long> fromTopic = new HashMap<>();
            last.forEach((window, row) ->
                    fromTopic.put(window, row.get("unique_users").asLong()));
            assertThat(UniquesResults.mismatch(fromTopic, expected, count))
                    .as("the output topic")
                    .isNull();
            fromTopic.forEach((window, users) ->
                    assertThat(users).as(window).isEqualTo(table.get(window).uniqueUsers()));
        }
        long malformed = c.input.frames.stream().filter(f -> f == null).count();
        assertThat(ResultTables.count(db, "rejected_events")).isEqualTo(malformed);
        assertThat(ResultTables.count(db, "late_events"))
                .as("the allowed lateness covers every late frame")
                .isZero();
        for (String window : c.correctedAfterResume) {
            assertThat(finalAtCrash.get(window))
                    .as("final before the crash, without the users first read after the resume: " + window)
                    .isNotNull()
                    .isLessThan(expected.get(window));
        }
        System.out.printf(
                "UniquesProcessCrashITCase %s %s %s: %d windows, %d final at the crash, %d s%n",
                source,
                count,
                emitMode,
                expected.size(),
                finalAtCrash.size(),
                Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    static Case fileCase(List<String> common, Path dir) throws Exception {
        GeneratedFrames input = input(61, FILE_FRAMES).writeFile(dir.resolve("frames.jsonl"));
        List<String> args = new ArrayList<>(common);
        // A file is never idle, only slow: the resumed reader re-reads up to its position first, while the source
        // subtask that has no file finished with the end-of-time watermark. An idle timeout shorter than that re-read
        // made every frame after it late; file runs now ignore it, which this one would otherwise show.
        args.addAll(List.of("--frames-file", input.file.toString(), "--idle-timeout", "1ms"));
        ProcessCrash crash = ProcessCrash.of(dir, args, "unique_users")
                .checkpointInterval(Duration.ofMillis(300))
                .killAfter(() -> finalMinutesOrMinusOne(dir) >= FILE_MINUTES_BEFORE_KILL);
        return new Case(input, crash, null, Set.of());
    }

    static Case kafkaCase(List<String> common, CountMode count, Path dir) throws Exception {
        GeneratedFrames input = input(62, KAFKA_FRAMES);
        int half = input.lines.size() / 2;
        long closedMinutes = closedMinutes(input, half);
        // A new user per partition in the last minute the first half closes, each its partition's first frame after
        // the crash.
        long lastClosedMinute = START_SECONDS + (closedMinutes - 1) * 60;
        Set<Integer> partitionsWithOne = new TreeSet<>();
        for (int k = 0; partitionsWithOne.size() < PARTITIONS; k++) {
            String uid = "new-after-resume-" + k;
            if (partitionsWithOne.add(Math.floorMod(uid.hashCode(), PARTITIONS))) {
                input.insert(half, uid, lastClosedMinute + 30);
            }
        }
        int lines = input.lines.size();
        int threeQuarters = half + PARTITIONS + (lines - half - PARTITIONS) / 2;

        String suffix = count.name().toLowerCase();
        String framesTopic = "crash-frames-" + suffix;
        String outputTopic = "crash-unique-users-" + suffix;
        String group = "crash-" + suffix;
        KAFKA.createTopics(PARTITIONS, framesTopic, outputTopic);
        KAFKA.produce(input.messages(framesTopic, PARTITIONS, 0, half));
        List<String> args = new ArrayList<>(common);
        args.addAll(List.of(
                "--bootstrap-servers",
                KAFKA.bootstrapServers(),
                "--frames-topic",
                framesTopic,
                "--group-id",
                group,
                "--starting-offsets",
                "earliest",
                "--idle-timeout",
                "0",
                "--output-topic",
                outputTopic,
                "--output-delivery",
                count == CountMode.EXACT ? "exactly-once" : "at-least-once"));
        List<KafkaTestBroker.Message> afterResume =
                new ArrayList<>(input.messages(framesTopic, PARTITIONS, threeQuarters, lines));
        afterResume.addAll(input.flushMessages(framesTopic, PARTITIONS));
        // Half before the first run, a quarter while no job runs, the rest and the flush frames after the resume.
        ProcessCrash crash = ProcessCrash.of(dir, args, "unique_users")
                .killAfter(() ->
                        finalMinutesOrMinusOne(dir) >= closedMinutes && KAFKA.committedOffsetsOrMinusOne(group) >= half)
                .whileDown(() -> KAFKA.produce(input.messages(framesTopic, PARTITIONS, half, threeQuarters)))
                .onResumed(() -> KAFKA.produce(afterResume));
        return new Case(input, crash, outputTopic, Set.of("60s@" + lastClosedMinute));
    }

    static GeneratedFrames input(long seed, int frames) {
        return GeneratedFrames.generate(
                seed, frames, USERS, START_SECONDS, FRAMES_PER_SECOND, 3, LATE_EVERY, LATE_BY, MALFORMED_EVERY);
    }

    /** 1m windows the frames among the first {@code lines} lines close: those ending 10 s before their newest. */
    static long closedMinutes(GeneratedFrames input, int lines) {
        long newest = input.frames.subList(0, lines).stream()
                .filter(f -> f != null)
                .mapToLong(FrameGenerator.Generated::tsSeconds)
                .max()
                .orElseThrow();
        return (newest - 10 - START_SECONDS) / 60;
    }

    static long finalMinutesOrMinusOne(Path dir) {
        try {
            return ResultTables.uniqueUsers(Database.of("jdbc:sqlite:" + dir.resolve("clickflow.db"))).values().stream()
                    .filter(r -> r.isFinal() && r.windowSeconds() == 60)
                    .count();
        } catch (Exception e) {
            return -1;
        }
    }
}
