package io.clickflow.uniques;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Synthetic frames of the unique-users challenge's shape: ~2 KB JSON objects with a root-level
 * {@code uid} (19 hex characters) and {@code ts} (unix seconds) among many other keys in random order,
 * nested objects and arrays that hold decoy {@code uid}/{@code ts} keys, escaped and non-ASCII strings.
 * Event time advances at {@code framesPerSecond}; a frame is late by up to {@code maxDisorderSeconds}.
 * The same seed gives the same frames.
 */
public final class FrameGenerator {
    /** One generated frame: its JSON and what a decoder must read from it. */
    public record Generated(String json, String uid, long tsSeconds) {
        /** A malformed line has no uid a decoder could read. */
        public boolean malformed() {
            return uid == null;
        }
    }

    /** Malformed lines the generator mixes in: each fails for another reason. */
    public static final String[] MALFORMED = {
        "{\"ts\": 1704067200, \"other\": {\"uid\": \"nested-only\"}}",
        "{\"uid\": \"abc\", \"ts\": \"yesterday\"}",
        "{\"uid\": \"abc\", \"ts\": 17040672",
        "not json at all",
        "{\"uid\": 42, \"ts\": 1704067200}",
    };

    private static final String[] WORDS = {
        "alpha",
        "beta",
        "gamma",
        "café",
        "naïve",
        "Zürich",
        "東京",
        "😀 emoji",
        "tab\there",
        "quote \" inside",
        "back\\slash",
        "line\nbreak",
        "ünïcödé",
        "plain"
    };

    private final Random random;
    private final String[] users;
    private final long startSeconds;
    private final double framesPerSecond;
    private final int maxDisorderSeconds;
    private long sequence;
    private double lateFraction;
    private long lateBySeconds;
    private double malformedFraction;

    public FrameGenerator(long seed, int users, long startSeconds, double framesPerSecond, int maxDisorderSeconds) {
        this.random = new Random(seed);
        this.users = new String[users];
        for (int i = 0; i < users; i++) {
            this.users[i] =
                    String.format("%019x", random.nextLong() & Long.MAX_VALUE).substring(0, 19);
        }
        this.startSeconds = startSeconds;
        this.framesPerSecond = framesPerSecond;
        this.maxDisorderSeconds = maxDisorderSeconds;
    }

    /** Makes a fraction of frames late by {@code lateBy} beyond the disorder, and a fraction of lines malformed. */
    public FrameGenerator withFaults(double lateFraction, long lateBySeconds, double malformedFraction) {
        this.lateFraction = lateFraction;
        this.lateBySeconds = lateBySeconds;
        this.malformedFraction = malformedFraction;
        return this;
    }

    public Generated next() {
        if (malformedFraction > 0 && random.nextDouble() < malformedFraction) {
            return new Generated(MALFORMED[random.nextInt(MALFORMED.length)], null, 0);
        }
        long base = startSeconds + (long) (sequence++ / framesPerSecond);
        long ts = base - (maxDisorderSeconds == 0 ? 0 : random.nextInt(maxDisorderSeconds + 1));
        if (lateFraction > 0 && random.nextDouble() < lateFraction) {
            ts -= lateBySeconds;
        }
        ts = Math.max(startSeconds, ts); // the start time is the earliest: no window before it
        String uid = users[random.nextInt(users.length)];
        List<String> fields = new ArrayList<>();
        fields.add("\"uid\":\"" + uid + "\"");
        fields.add("\"ts\":" + ts);
        fields.add("\"device\":{\"uid\":\"decoy-" + random.nextInt(1000) + "\",\"ts\":" + random.nextInt()
                + ",\"os\":\"" + escaped(word()) + "\"}");
        fields.add("\"events\":[{\"ts\":1},{\"uid\":\"x\"},\"" + escaped(word())
                + "\",12.5,null,true,[{\"uid\":\"deep\"}]]");
        fields.add("\"ts_ms\":" + ts * 1000);
        fields.add("\"title\":\"" + escaped(word() + " " + word()) + "\"");
        fields.add("\"referrer\":\"https://example.com/p?q=" + random.nextInt(100_000) + "&u=%2F\"");
        fields.add("\"empty\":{}");
        fields.add("\"uid_hash\":\"" + Integer.toHexString(uid.hashCode()) + "\"");
        StringBuilder filler = new StringBuilder();
        while (filler.length() < 1500) {
            filler.append(escaped(word())).append(' ');
        }
        fields.add("\"body\":\"" + filler + "\"");
        fields.add("\"meta\":{\"a\":{\"b\":{\"c\":{\"ts\":\"not this\",\"uid\":null}}},\"n\":" + random.nextInt(1000)
                + "}");
        Collections.shuffle(fields, random);
        return new Generated("{" + String.join(",", fields) + "}", uid, ts);
    }

    private String word() {
        return WORDS[random.nextInt(WORDS.length)];
    }

    /** JSON string content: quotes, backslashes and control characters escaped; sometimes a \\u escape. */
    private String escaped(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c > 127 && !Character.isSurrogate(c) && random.nextInt(4) == 0) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
