package io.clickflow.uniques;

import io.clickflow.io.LineFiles;
import io.clickflow.testing.KafkaTestBroker;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generated frames of the challenge's shape, with malformed lines and frames minutes late mixed in, and
 * the brute-force answer: distinct users per window.
 */
public final class GeneratedFrames {
    static final long DAY_SECONDS = Duration.ofDays(1).toSeconds();

    /** How far past the start of the last frame's day the flush frames are. */
    static final Duration FLUSH_AFTER = Duration.ofDays(2);

    /** The lines, in order; null entries in {@link #frames} mark the malformed ones. */
    public final List<String> lines = new ArrayList<>();

    public final List<FrameGenerator.Generated> frames = new ArrayList<>();
    /** {@code file name + ":" + line number} of every malformed line. */
    public final Set<String> malformedPositions = new HashSet<>();

    public Path file;

    /**
     * @param lateEvery every n-th frame is moved {@code lateBy} back in event time (0: none)
     * @param malformedEvery a malformed line after every n-th frame (0: none)
     */
    public static GeneratedFrames generate(
            long seed,
            int count,
            int users,
            long startSeconds,
            double framesPerSecond,
            int maxDisorderSeconds,
            int lateEvery,
            Duration lateBy,
            int malformedEvery) {
        GeneratedFrames g = new GeneratedFrames();
        FrameGenerator generator = new FrameGenerator(seed, users, startSeconds, framesPerSecond, maxDisorderSeconds);
        for (int i = 1; i <= count; i++) {
            FrameGenerator.Generated f = generator.next();
            if (lateEvery > 0 && i % lateEvery == 0) {
                long late = f.tsSeconds() - lateBy.toSeconds();
                f = new FrameGenerator.Generated(
                        f.json()
                                .replace("\"ts\":" + f.tsSeconds() + ",", "\"ts\":" + late + ",")
                                .replace("\"ts\":" + f.tsSeconds() + "}", "\"ts\":" + late + "}"),
                        f.uid(),
                        late);
            }
            g.lines.add(f.json());
            g.frames.add(f);
            if (malformedEvery > 0 && i % malformedEvery == 0) {
                g.lines.add(FrameGenerator.MALFORMED[(i / malformedEvery) % FrameGenerator.MALFORMED.length]);
                g.frames.add(null);
            }
        }
        return g;
    }

    /** Inserts a minimal frame (only {@code uid} and {@code ts}) before line {@code index}. */
    public GeneratedFrames insert(int index, String uid, long tsSeconds) {
        lines.add(index, "{\"uid\":\"" + uid + "\",\"ts\":" + tsSeconds + "}");
        frames.add(index, new FrameGenerator.Generated(lines.get(index), uid, tsSeconds));
        return this;
    }

    public GeneratedFrames writeFile(Path file) throws IOException {
        this.file = file;
        try (BufferedWriter w = LineFiles.writer(file)) {
            for (int i = 0; i < lines.size(); i++) {
                w.write(lines.get(i));
                w.write('\n');
                if (frames.get(i) == null) {
                    malformedPositions.add(file.getFileName() + ":" + (i + 1));
                }
            }
        }
        return this;
    }

    /**
     * Writes the lines in consecutive slices into {@code files} files in {@code folder}, named in time order
     * (every third one gzipped); positions are {@code file name:line}.
     */
    public GeneratedFrames writeFolder(Path folder, int files) throws IOException {
        this.file = folder;
        List<BufferedWriter> writers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long[] lineNumbers = new long[files];
        try {
            for (int f = 0; f < files; f++) {
                String name = "frames-" + f + (f % 3 == 1 ? ".jsonl.gz" : ".jsonl");
                names.add(name);
                writers.add(LineFiles.writer(folder.resolve(name)));
            }
            int perFile = (lines.size() + files - 1) / files;
            for (int i = 0; i < lines.size(); i++) {
                int f = i / perFile;
                writers.get(f).write(lines.get(i));
                writers.get(f).write('\n');
                lineNumbers[f]++;
                if (frames.get(i) == null) {
                    malformedPositions.add(names.get(f) + ":" + lineNumbers[f]);
                }
            }
        } finally {
            for (BufferedWriter w : writers) {
                w.close();
            }
        }
        return this;
    }

    /**
     * Lines {@code from} (inclusive) to {@code to} (exclusive) as records of {@code topic}, keyed by user as a
     * producer of such frames would key them; the malformed lines go to partition 0 without a key.
     */
    public List<KafkaTestBroker.Message> messages(String topic, int partitions, int from, int to) {
        List<KafkaTestBroker.Message> messages = new ArrayList<>();
        for (int i = from; i < to; i++) {
            FrameGenerator.Generated f = frames.get(i);
            messages.add(new KafkaTestBroker.Message(
                    topic,
                    f == null ? 0 : Math.floorMod(f.uid().hashCode(), partitions),
                    f == null ? null : f.uid(),
                    lines.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        return messages;
    }

    /** Every line as records of {@code topic}. */
    public List<KafkaTestBroker.Message> messages(String topic, int partitions) {
        return messages(topic, partitions, 0, lines.size());
    }

    /**
     * One frame per partition {@link #FLUSH_AFTER} past the last frame, so an unbounded job's watermark closes
     * every window of the input (watermarks are not in checkpoints: a resumed job needs new records); their
     * windows start at {@link #flushStartSeconds()} and are no part of the input's.
     */
    public List<KafkaTestBroker.Message> flushMessages(String topic, int partitions) {
        List<KafkaTestBroker.Message> messages = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            String json = "{\"uid\":\"flush-" + p + "\",\"ts\":" + flushStartSeconds() + "}";
            messages.add(new KafkaTestBroker.Message(topic, p, "flush-" + p, json.getBytes(StandardCharsets.UTF_8)));
        }
        return messages;
    }

    /** Where the flush frames are: a whole day after the last frame's day starts, past any window of up to 1d. */
    public long flushStartSeconds() {
        long last = frames.stream()
                .filter(f -> f != null)
                .mapToLong(FrameGenerator.Generated::tsSeconds)
                .max()
                .orElseThrow();
        return Math.floorDiv(last, DAY_SECONDS) * DAY_SECONDS + FLUSH_AFTER.toSeconds();
    }

    /** Distinct users per window: {@code window seconds + "s@" + start epoch seconds} -> count. */
    public Map<String, Long> distinctUsers(List<Duration> windows) {
        Map<String, Set<String>> users = new HashMap<>();
        for (FrameGenerator.Generated f : frames) {
            if (f == null) {
                continue;
            }
            for (Duration w : windows) {
                long size = w.toSeconds();
                long start = Math.floorDiv(f.tsSeconds(), size) * size;
                users.computeIfAbsent(size + "s@" + start, k -> new LinkedHashSet<>())
                        .add(f.uid());
            }
        }
        Map<String, Long> counts = new HashMap<>();
        users.forEach((k, v) -> counts.put(k, (long) v.size()));
        return counts;
    }

    public long lateFrameCount(int lateEvery) {
        return lateEvery == 0 ? 0 : frames.stream().filter(f -> f != null).count() / lateEvery;
    }
}
