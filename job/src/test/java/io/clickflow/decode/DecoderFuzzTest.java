package io.clickflow.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.clickflow.attribution.AdClick;
import io.clickflow.attribution.AdClickDecoder;
import io.clickflow.attribution.PageView;
import io.clickflow.attribution.PageViewDecoder;
import io.clickflow.io.JsonLinesReader;
import io.clickflow.tables.EventTimes;
import io.clickflow.tables.RejectedEvent;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.apache.flink.core.fs.FSDataInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Proves on seeded random and mutated inputs that decoders never throw, emit only in-bounds events, agree with a tree-parsing oracle, and that the line reader numbers mixed lines right. */
class DecoderFuzzTest {
    private static final long SEED = 0x5EEDC11CL;
    private static final String SOURCE = "fuzz";
    /** The line limit of {@code JsonLinesReader} (package-private there). */
    private static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private static final AtomicLong CASES = new AtomicLong();

    private static final AdClickDecoder CLICKS = new AdClickDecoder();
    private static final PageViewDecoder VIEWS = new PageViewDecoder();
    /** An independent reading of the spec: build the whole tree, then apply the field rules. */
    private static final ObjectMapper ORACLE = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final long NOW = System.currentTimeMillis();
    /** Generated times end here, not at the clock, so that the same seed gives the same bytes on every run. */
    private static final long LATEST = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();

    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private final List<String> mismatches = new ArrayList<>();

    @AfterAll
    static void report() {
        System.out.println("DecoderFuzzTest: " + CASES.get() + " decode calls");
    }

    // ================================================================ decoder fuzzing

    @Test
    void validRecordsDecodeToTheirEvent() {
        Random rng = new Random(SEED);
        for (int i = 0; i < 1500; i++) {
            Sample s = randomRecord(rng, rng.nextBoolean());
            Decoded<?> d = check(s.decoder, s.bytes, "valid record #" + i);
            if (!s.event.equals(d.event)) {
                fail("valid record #" + i + " decoded to " + d + ", not " + s.event + ": " + preview(s.bytes));
            }
            fuzz(s.bytes, "valid record #" + i);
        }
        assertNoMismatches();
    }

    @Test
    void everyStrictPrefixOfARecordIsRejected() {
        Random rng = new Random(SEED + 1);
        for (int i = 0; i < 20; i++) {
            Sample s = randomRecord(rng, i % 2 == 0);
            byte[] b = s.bytes;
            for (int n = 0; n < b.length; n++) {
                byte[] prefix = Arrays.copyOf(b, n);
                Decoded<?> d = check(s.decoder, prefix, "prefix " + n + "/" + b.length + " of record #" + i);
                if (!d.isRejected()) {
                    fail("prefix " + n + " accepted as " + d + ": " + preview(b));
                }
            }
            for (int n = 1; n < b.length; n++) {
                byte[] suffix = Arrays.copyOfRange(b, n, b.length);
                fuzz(suffix, "suffix from " + n + " of record #" + i);
            }
        }
        assertNoMismatches();
    }

    @Test
    void mutatedRecordsNeverThrowAndAgreeWithTheOracle() {
        Random rng = new Random(SEED + 2);
        for (int i = 0; i < 5000; i++) {
            Sample s = randomRecord(rng, rng.nextBoolean());
            StringBuilder ops = new StringBuilder();
            byte[] b = mutate(rng, s.bytes, 1 + rng.nextInt(4), ops);
            String description = "mutation #" + i + " [" + ops + "]";
            fuzz(b, description);
        }
        assertNoMismatches();
    }

    @Test
    void randomBytesNeverThrow() {
        Random rng = new Random(SEED + 3);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[rng.nextInt(300)];
            rng.nextBytes(b);
            if (i % 3 == 0 && b.length > 0) {
                b[0] = '{';
            }
            fuzz(b, "random bytes #" + i);
        }
        String alphabet = "{}[]:,\" \\tnulrefas0123456789-+.eE\n\r\tuU_id";
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder();
            int len = rng.nextInt(80);
            for (int k = 0; k < len; k++) {
                s.append(alphabet.charAt(rng.nextInt(alphabet.length())));
            }
            byte[] b = utf8(s.toString());
            fuzz(b, "token soup #" + i);
        }
        assertNoMismatches();
    }

    @Test
    void invalidUtf8AnywhereNeverThrows() {
        byte[][] bad = {
            {(byte) 0x80},
            {(byte) 0xBF},
            {(byte) 0xC0, (byte) 0x80},
            {(byte) 0xC1, (byte) 0xBF},
            {(byte) 0xC3},
            {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
            {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xF5},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0xFC},
            {(byte) 0xFE},
            {(byte) 0xFF},
            {(byte) 0xFE, (byte) 0xFF},
            {(byte) 0xFF, (byte) 0xFE, 0, 0},
            {0},
        };
        Random rng = new Random(SEED + 4);
        for (int i = 0; i < 30; i++) {
            Sample s = randomRecord(rng, i % 2 == 0);
            for (int k = 0; k < bad.length; k++) {
                for (int at : new int[] {0, 1, rng.nextInt(s.bytes.length), s.bytes.length - 1, s.bytes.length}) {
                    byte[] b = JsonEventDecoderTest.concat(
                            Arrays.copyOf(s.bytes, at), bad[k], Arrays.copyOfRange(s.bytes, at, s.bytes.length));
                    String description = "invalid UTF-8 #" + k + " at " + at + " of record #" + i;
                    fuzz(b, description);
                }
            }
        }
        // Inside each required string value in turn: always a rejection.
        for (byte[] seq : bad) {
            if (seq.length == 1 && seq[0] == 0) {
                continue; // a raw NUL is an unescaped control character: rejected too, but not a UTF-8 error
            }
            for (String field : new String[] {"click_id", "user_id", "campaign_id", "event_time"}) {
                String before = clickJson("c", "u", "k", "\"2024-01-01T12:10:00Z\"");
                int quote = before.indexOf("\"", before.indexOf("\"" + field + "\":") + field.length() + 3) + 1;
                byte[] all = utf8(before);
                byte[] b = JsonEventDecoderTest.concat(
                        Arrays.copyOf(all, quote), seq, Arrays.copyOfRange(all, quote, all.length));
                Decoded<?> d = check(CLICKS, b, "invalid UTF-8 in " + field);
                assertThat(d.isRejected()).as(preview(b)).isTrue();
                assertThat(d.rejected.reason)
                        .as(preview(b))
                        .startsWith("not valid JSON")
                        .contains("UTF-8");
            }
        }
        assertNoMismatches();
    }

    @Test
    void deepNestingNeverThrows() {
        int depth = 100_000;
        checkBoth(utf8("[".repeat(depth)), "100k [");
        checkBoth(utf8("[".repeat(depth) + "]".repeat(depth)), "100k [] balanced");
        checkBoth(utf8("{\"a\":".repeat(depth)), "100k {\"a\":");
        checkBoth(utf8("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)), "100k objects balanced");
        checkBoth(utf8("{".repeat(depth)), "100k {");
        checkBoth(utf8("]".repeat(depth)), "100k ]");
        String record = clickJson("c", "u", "k", "1704111000000");
        String open = record.substring(0, record.length() - 1);
        for (int d : new int[] {10, 100, 998, 999, 1000, 1001, 5000, depth}) {
            checkBoth(
                    utf8(open + ",\"deep\":" + "[".repeat(d) + "]".repeat(d) + "}"),
                    "record with an unknown field nested " + d + " deep");
            checkBoth(
                    utf8(open + ",\"deep\":" + "{\"user_id\":".repeat(d) + "1" + "}".repeat(d) + "}"),
                    "record with objects nested " + d + " deep");
            checkBoth(utf8(open + ",\"deep\":" + "[".repeat(d) + "}"), "record with " + d + " unclosed arrays");
            checkBoth(utf8("{\"user_id\":" + "[".repeat(d) + "]".repeat(d) + "}"), "id nested " + d + " deep");
        }
        // Well within the nesting Jackson allows, the record is still decoded.
        Decoded<?> d = check(
                CLICKS,
                utf8(open + ",\"deep\":" + "[{\"event_time\":".repeat(200) + "0" + "}]".repeat(200) + "}"),
                "200 deep");
        assertThat(d.event).isEqualTo(new AdClick("c", "u", "k", 1704111000000L));
    }

    @Test
    void hugeStringsNeverThrow() {
        Random rng = new Random(SEED + 5);
        for (int size : new int[] {1 << 20, 2 << 20}) {
            String big = randomAscii(rng, size);
            Decoded<?> id = check(CLICKS, utf8(clickJson(big, "u", "k", "1704111000000")), size + "-char click_id");
            assertThat(id.event).isEqualTo(new AdClick(big, "u", "k", 1704111000000L));
            String wide = "用".repeat(size / 3);
            Decoded<?> v = check(VIEWS, utf8(viewJson("p", wide, "1704111000000")), size + "-byte non-ASCII user_id");
            assertThat(v.event).isEqualTo(new PageView("p", wide, 1704111000000L));
            String record = viewJson("p", "u", "1704111000000");
            checkAccepted(VIEWS, utf8("{\"junk\":\"" + big + "\"," + record.substring(1)), "huge unknown field");
            if (size > 1 << 20) {
                continue; // the rest at 1 MB only: same code paths, half the time
            }
            checkAccepted(
                    VIEWS,
                    utf8("{\"" + big.substring(0, 50_000) + "\":1," + record.substring(1)),
                    "50000-char field name");
            Decoded<?> name =
                    checkRejected(VIEWS, utf8("{\"" + big + "\":1," + record.substring(1)), "huge field name");
            assertThat(name.rejected.reason).startsWith("not valid JSON: Name length");
            checkAccepted(
                    VIEWS,
                    utf8(viewJson("p", "u", "\"" + " ".repeat(size) + "1704111000000\"")),
                    "huge blank padding in the time");
            checkRejected(VIEWS, utf8(viewJson("p", "u", "\"" + "9".repeat(size) + "\"")), "huge digit string time");
            checkRejected(VIEWS, utf8(viewJson("p", "u", "\"" + big + "\"")), "huge garbage time");
            checkRejected(VIEWS, utf8(viewJson("p", " ".repeat(size), "1704111000000")), "huge blank id");
            checkRejected(VIEWS, utf8(viewJson("p", "u", "9".repeat(size))), "huge number time");
            checkRejected(VIEWS, utf8(viewJson("p", "u", "0." + "1".repeat(size))), "huge fraction time");
            checkRejected(VIEWS, utf8("{\"page_view_id\":\"" + big), "unterminated huge string");
            checkRejected(VIEWS, utf8(record + " ".repeat(size) + "x"), "garbage after huge whitespace");
            checkAccepted(VIEWS, utf8(" ".repeat(size) + record + "\n".repeat(size)), "huge whitespace around");
            Decoded<?> bigArray = checkRejected(VIEWS, utf8("[\"" + big + "\"]"), "huge array");
            assertThat(bigArray.rejected.payload).hasSize(RejectedEvent.MAX_PAYLOAD_CHARS);
        }
    }

    @Test
    void wrongTypesAndAbsurdValuesNeverThrow() {
        String[] values = {
            "null",
            "true",
            "false",
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1",
            "-1",
            "1e3",
            "1E+12",
            "1.704111E12",
            "1e400",
            "-1e400",
            "1e-400",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "1704111000000",
            "1704111000000.0",
            "1704111000",
            "-1704111000000",
            "253402300799999",
            "9".repeat(999),
            "9".repeat(1001),
            "1" + "0".repeat(5000),
            "0.5",
            "NaN",
            "Infinity",
            "-Infinity",
            "+1",
            "01",
            "0x10",
            "\"\"",
            "\" \"",
            "\"x\"",
            "\"null\"",
            "\"1704111000000\"",
            "\"-1704111000000\"",
            "\"0001704111000000\"",
            "\"2024-01-01T12:10:00Z\"",
            "\"2024-01-01T12:10:00+14:00\"",
            "\"2024-01-01T12:10:00-18:00\"",
            "\"2024-01-01T12:10:00+18:01\"",
            "\"+999999999-12-31T23:59:59.999999999Z\"",
            "\"-999999999-01-01T00:00:00Z\"",
            "\"+1000000000-01-01T00:00:00Z\"",
            "\"9999-12-31T23:59:59Z\"",
            "\"2099-01-01T00:00:00Z\"",
            "\"1999-12-31T23:59:59.999Z\"",
            "\"" + (NOW + 2 * 86_400_000L) + "\"",
            Long.toString(NOW + 2 * 86_400_000L),
            Long.toString(NOW),
            "\"\\u0031704111000000\"",
            "\"\\u0000\"",
            "\"\\ud800\"",
            "\"x\\udc00\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ude00\\ud83d\"",
            "{}",
            "[]",
            "{\"event_time\":1704111000000}",
            "[1704111000000]",
            "[\"2024-01-01T12:10:00Z\"]",
        };
        int n = 0;
        for (String value : values) {
            for (String field : new String[] {"click_id", "user_id", "campaign_id", "event_time"}) {
                String c = recordJson(
                        field.equals("click_id") ? value : "\"c\"",
                        field.equals("user_id") ? value : "\"u\"",
                        field.equals("campaign_id") ? value : "\"k\"",
                        field.equals("event_time") ? value : "1704111000000");
                fuzz(utf8(c), field + "=" + EventTimes.abbreviate(value));
                n++;
            }
        }
        assertThat(n).isEqualTo(values.length * 4);
        assertNoMismatches();
    }

    // ================================================================ the line reader

    @Test
    void mixedStreamThroughTheLineReader() throws IOException {
        Random rng = new Random(SEED + 6);
        for (int round = 0; round < 4; round++) {
            boolean clicks = round % 2 == 0;
            JsonEventDecoder<?> decoder = clicks ? CLICKS : VIEWS;
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            List<Object> expected = new ArrayList<>(); // per line: the event, a Rejection marker, or null for blank
            List<byte[]> lines = new ArrayList<>();
            int lineCount = 500 + rng.nextInt(1500);
            for (int i = 0; i < lineCount; i++) {
                int kind = rng.nextInt(10);
                byte[] line;
                Object outcome;
                if (kind < 5) {
                    Sample s = randomRecord(rng, clicks, true);
                    line = s.bytes;
                    outcome = s.event;
                } else if (kind < 8) {
                    line = badLine(rng, clicks);
                    outcome = REJECTED;
                } else {
                    line = utf8(new String[] {"", " ", "\t", " \t  ", "\r", "  \r"}[rng.nextInt(6)]);
                    outcome = null;
                }
                lines.add(line);
                expected.add(outcome);
                file.writeBytes(line);
                if (i < lineCount - 1 || rng.nextBoolean()) {
                    file.writeBytes(rng.nextInt(3) == 0 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
                }
            }
            byte[] bytes = file.toByteArray();
            // Whole reads, then reads of random sizes so that lines straddle every kind of chunk boundary.
            for (int maxPiece : new int[] {Integer.MAX_VALUE, round % 2 == 0 ? 1 + rng.nextInt(200) : 70_000}) {
                List<Decoded<Object>> out =
                        readAll(decoder, bytes, maxPiece == Integer.MAX_VALUE ? null : new Random(round), maxPiece);
                int k = 0;
                for (int i = 0; i < lineCount; i++) {
                    Object want = expected.get(i);
                    if (want == null) {
                        continue; // blank: skipped, but counted below through the next line's number
                    }
                    if (k >= out.size()) {
                        fail("round " + round + ", pieces <= " + maxPiece + ": stream ended before line " + (i + 1));
                    }
                    Decoded<Object> d = out.get(k++);
                    boolean ok = want == REJECTED
                            ? d.isRejected()
                                    && d.rejected.position.equals(Integer.toString(i + 1))
                                    && d.rejected.source.equals(SOURCE)
                                    && d.rejected.stream.equals(decoder.stream())
                                    && !d.rejected.reason.isBlank()
                                    && d.rejected.payload.equals(
                                            JsonEventDecoder.payloadText(lines.get(i), 0, lines.get(i).length))
                            : d.rejected == null && want.equals(d.event);
                    if (!ok) {
                        fail("round " + round + ", pieces <= " + maxPiece + ", line " + (i + 1) + ": expected "
                                + (want == REJECTED ? "a rejection at line " + (i + 1) : want) + ", got " + d + " at "
                                + (d.rejected == null ? "?" : d.rejected.position) + " for " + preview(lines.get(i)));
                    }
                }
                assertThat(out)
                        .as("round %d: nothing after the last line", round)
                        .hasSize(k);
            }
        }
    }

    @Test
    void lineEndsAndBlankLinesAreCounted() throws IOException {
        String good = viewJson("p", "u", "1704111000000");
        String text = "\n\r\n  \n" + good + "\r\n\t\n[]\n\n" + good + "\r\r\n" + good + "\n\r" + good;
        List<Decoded<Object>> out = readAll(VIEWS, utf8(text), null, 0);
        assertThat(out).hasSize(5);
        assertThat(out.get(0).event).isEqualTo(new PageView("p", "u", 1704111000000L));
        assertThat(out.get(1).rejected.position).isEqualTo("6");
        assertThat(out.get(1).rejected.reason).contains("not a JSON object");
        // "good\r\r\n": one CR belongs to the line end, the other is whitespace after the object.
        assertThat(out.get(2).event).isNotNull();
        assertThat(out.get(3).event).isNotNull();
        // Line 10 is "\r" + good: a leading CR is whitespace before the object.
        assertThat(out.get(4).event).isNotNull();
        assertThat(readAll(VIEWS, new byte[0], null, 0)).isEmpty();
        assertThat(readAll(VIEWS, utf8("\n\n\r\n \n"), null, 0)).isEmpty();
        List<Decoded<Object>> last = readAll(VIEWS, utf8("\n\n\nx"), null, 0);
        assertThat(last)
                .singleElement()
                .satisfies(d -> assertThat(d.rejected.position).isEqualTo("4"));
    }

    @Test
    void linesAtAndOverTheSizeLimit() throws IOException {
        String good = viewJson("p", "u", "1704111000000");
        ByteArrayOutputStream file = new ByteArrayOutputStream(4 * MAX_LINE_BYTES + 100_000);
        file.writeBytes(utf8(good + "\n")); // 1
        file.writeBytes(paddedRecord(MAX_LINE_BYTES, "a")); // 2: exactly the limit
        file.writeBytes(utf8("\n"));
        file.writeBytes(paddedRecord(MAX_LINE_BYTES, "b")); // 3: exactly the limit, CRLF
        file.writeBytes(utf8("\r\n"));
        file.writeBytes(paddedRecord(MAX_LINE_BYTES + 1, "c")); // 4: one byte over
        file.writeBytes(utf8("\r\n\n")); // 5: blank
        byte[] spaces = new byte[MAX_LINE_BYTES + 70_000]; // 6: far over, and only blanks
        Arrays.fill(spaces, (byte) ' ');
        file.writeBytes(spaces);
        file.writeBytes(utf8("\n" + good)); // 7, without a final newline
        byte[] bytes = file.toByteArray();
        {
            List<Decoded<Object>> out = readAll(VIEWS, bytes, new Random(SEED), 100_000);
            assertThat(out).hasSize(6);
            assertThat(out.get(0).event).isEqualTo(new PageView("p", "u", 1704111000000L));
            assertThat(out.get(1).event).isEqualTo(new PageView("a", "u", 1704111000000L));
            assertThat(out.get(2).event)
                    .as("a 16 MiB line with CRLF")
                    .isEqualTo(new PageView("b", "u", 1704111000000L));
            for (int i : new int[] {3, 4}) {
                RejectedEvent r = out.get(i).rejected;
                assertThat(r).isNotNull();
                assertThat(r.position).isEqualTo(i == 3 ? "4" : "6");
                assertThat(r.reason).isEqualTo("record longer than " + MAX_LINE_BYTES + " bytes");
                assertThat(r.payload).hasSize(RejectedEvent.MAX_PAYLOAD_CHARS);
            }
            assertThat(out.get(5).event).isEqualTo(new PageView("p", "u", 1704111000000L));
            assertThat(out.get(5).rejected).isNull();
        }
    }

    // ================================================================ checks

    private static void checkBoth(byte[] bytes, String description) {
        check(CLICKS, bytes, description);
        check(VIEWS, bytes, description);
    }

    private static Decoded<?> checkAccepted(JsonEventDecoder<?> decoder, byte[] bytes, String description) {
        Decoded<?> d = check(decoder, bytes, description);
        assertThat(d.isRejected()).as("%s: %s", description, d).isFalse();
        return d;
    }

    private static Decoded<?> checkRejected(JsonEventDecoder<?> decoder, byte[] bytes, String description) {
        Decoded<?> d = check(decoder, bytes, description);
        assertThat(d.isRejected()).as(description).isTrue();
        return d;
    }

    /** Decodes, failing with the input's description on any throwable, and checks the result's invariants. */
    private static Decoded<?> check(JsonEventDecoder<?> decoder, byte[] bytes, String description) {
        CASES.incrementAndGet();
        Decoded<?> d;
        try {
            d = decoder.decode(bytes, SOURCE, "7");
        } catch (Throwable t) {
            throw new AssertionError(decoder.stream() + " decoder threw on " + description + ": " + preview(bytes), t);
        }
        String problem = problemWith(decoder, d);
        if (problem != null) {
            fail(decoder.stream() + " " + description + ": " + problem + "; result " + d + " for " + preview(bytes));
        }
        return d;
    }

    /** Why a result breaks the decoder's contract, or null. Plain code: this runs for every case. */
    private static String problemWith(JsonEventDecoder<?> decoder, Decoded<?> d) {
        if (d == null) {
            return "null result";
        }
        if ((d.event == null) == (d.rejected == null)) {
            return "not exactly one of event and rejection";
        }
        if (d.event != null) {
            long t = ((EventTimed) d.event).eventTimeMillis();
            if (t < EventTimes.MIN_EVENT_TIME || t > System.currentTimeMillis() + EventTimes.MAX_FUTURE_MILLIS) {
                return "event time " + t + " out of range";
            }
            for (String id : ids(d.event)) {
                if (id == null || id.isBlank()) {
                    return "blank id";
                }
            }
            return null;
        }
        RejectedEvent r = d.rejected;
        if (r.reason == null || r.reason.isBlank() || r.reason.length() > 400) {
            return "bad reason '" + r.reason + "'";
        }
        if (r.payload == null || r.payload.length() > RejectedEvent.MAX_PAYLOAD_CHARS) {
            return "payload null or too long";
        }
        if (!decoder.stream().equals(r.stream) || !SOURCE.equals(r.source) || !"7".equals(r.position)) {
            return "wrong stream, source or position";
        }
        return null;
    }

    private static List<String> ids(Object event) {
        if (event instanceof AdClick c) {
            return Arrays.asList(c.clickId, c.userId, c.campaignId);
        }
        PageView v = (PageView) event;
        return Arrays.asList(v.pageViewId, v.userId);
    }

    /** Checks both decoders' contracts, and that they accept exactly what the oracle accepts, with the same event. */
    private void fuzz(byte[] bytes, String description) {
        JsonNode root;
        try {
            root = oracleTree(bytes);
        } catch (DuplicateKeys e) {
            root = null; // the decoder keeps the last of duplicate keys but stops at the first bad one; no opinion here
        }
        for (JsonEventDecoder<?> decoder : List.of(CLICKS, VIEWS)) {
            Decoded<?> d = check(decoder, bytes, description);
            if (root == null) {
                continue;
            }
            Object want = oracle(decoder, root);
            Object got = d.isRejected() ? REJECTED : d.event;
            if (!got.equals(want) && mismatches.size() < 20) {
                mismatches.add(decoder.stream() + " " + description + ": decoder " + d + ", oracle " + want + " for "
                        + preview(bytes));
            }
        }
    }

    private void assertNoMismatches() {
        assertThat(mismatches).as("decoder and oracle disagree").isEmpty();
    }

    private static final Object REJECTED = new Object() {
        @Override
        public String toString() {
            return "rejected";
        }
    };

    private static final class DuplicateKeys extends Exception {
        private static final long serialVersionUID = 1L;
    }

    /** The whole record as a tree, or a {@link NullNode} when it is not strict UTF-8 JSON. */
    private static JsonNode oracleTree(byte[] bytes) throws DuplicateKeys {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            return NullNode.getInstance();
        }
        try {
            JsonNode root = ORACLE.readTree(bytes);
            return root == null ? NullNode.getInstance() : root;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).startsWith("Duplicate field")) {
                throw new DuplicateKeys();
            }
            return NullNode.getInstance();
        }
    }

    /** What the spec says the decoder should make of the record. */
    private static Object oracle(JsonEventDecoder<?> decoder, JsonNode root) {
        if (!root.isObject()) {
            return REJECTED;
        }
        boolean clicks = decoder instanceof AdClickDecoder;
        String[] fields =
                clicks ? new String[] {"click_id", "user_id", "campaign_id"} : new String[] {"page_view_id", "user_id"};
        String[] ids = new String[fields.length];
        for (int i = 0; i < fields.length; i++) {
            JsonNode v = root.get(fields[i]);
            if (v == null && fields[i].equals("page_view_id")) {
                v = root.get("event_id"); // the seed's name, read only without page_view_id
            }
            if (v == null || !v.isTextual() || v.textValue().isBlank() || !isWellFormed(v.textValue())) {
                return REJECTED;
            }
            ids[i] = v.textValue();
        }
        String url = null;
        JsonNode u = clicks ? null : root.get("url");
        if (u != null && !u.isNull()) {
            if (!u.isTextual() || !isWellFormed(u.textValue())) {
                return REJECTED;
            }
            url = u.textValue();
        }
        JsonNode t = root.get("event_time");
        long time;
        try {
            if (t != null && t.isTextual()) {
                time = EventTimes.parse(t.textValue());
            } else if (t != null && (t.isInt() || t.isLong())) {
                time = EventTimes.checkRange(t.longValue());
            } else {
                return REJECTED;
            }
        } catch (IllegalArgumentException e) {
            return REJECTED;
        }
        return clicks ? new AdClick(ids[0], ids[1], ids[2], time) : new PageView(ids[0], ids[1], time, url);
    }

    /** Independent of the decoder's own check: a string is text if it survives a strict UTF-8 round trip. */
    private static boolean isWellFormed(String s) {
        try {
            StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    // ================================================================ generators

    private record Sample(JsonEventDecoder<?> decoder, byte[] bytes, Object event) {}

    /** A valid record: random ids (escapes, non-ASCII), time forms, key order, unknown fields and whitespace. */
    private static Sample randomRecord(Random rng, boolean click) {
        return randomRecord(rng, click, false);
    }

    private static Sample randomRecord(Random rng, boolean click, boolean oneLine) {
        List<String[]> fields = new ArrayList<>(); // {json key/value text}
        String[] idNames =
                click ? new String[] {"click_id", "user_id", "campaign_id"} : new String[] {"page_view_id", "user_id"};
        String[] ids = new String[idNames.length];
        for (int i = 0; i < idNames.length; i++) {
            String[] id = randomId(rng);
            ids[i] = id[1];
            fields.add(new String[] {"\"" + idNames[i] + "\"", "\"" + id[0] + "\""});
        }
        long t = EventTimes.MIN_EVENT_TIME + (long) (rng.nextDouble() * (LATEST - EventTimes.MIN_EVENT_TIME));
        String timeJson;
        switch (rng.nextInt(7)) {
            case 0 -> timeJson = Long.toString(t);
            case 1 -> timeJson = "\"" + t + "\"";
            case 2 -> timeJson = "\"" + Instant.ofEpochMilli(t) + "\"";
            case 3 ->
                timeJson = "\""
                        + OffsetDateTime.ofInstant(
                                Instant.ofEpochMilli(t), ZoneOffset.ofTotalSeconds((rng.nextInt(105) - 48) * 15 * 60))
                        + "\"";
            case 4 -> timeJson = "\"" + LocalDateTime.ofInstant(Instant.ofEpochMilli(t), ZoneOffset.UTC) + "\"";
            case 5 -> {
                t -= Math.floorMod(t, 1000);
                timeJson = "\"" + SECONDS.format(Instant.ofEpochMilli(t)) + "\"";
            }
            default ->
                timeJson = "\"\\u003" + Long.toString(t).charAt(0)
                        + Long.toString(t).substring(1) + "\""; // first digit escaped
        }
        fields.add(new String[] {"\"event_time\"", timeJson});
        String url = null;
        if (!click && rng.nextBoolean()) {
            String[] u = randomId(rng);
            url = u[1];
            fields.add(new String[] {"\"url\"", "\"" + u[0] + "\""});
        }
        int extras = rng.nextInt(4);
        for (int i = 0; i < extras; i++) {
            String key = randomKey(rng);
            if (!key.equals("url") && !key.equals("event_id")) { // fields a page view reads
                fields.add(new String[] {"\"" + key + "\"", randomValue(rng, 0)});
            }
        }
        Collections.shuffle(fields, rng);
        StringBuilder json = new StringBuilder();
        int spaced = rng.nextInt(4) == 0 ? (oneLine ? 4 : 6) : 1;
        json.append(ws(rng, spaced)).append('{');
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(ws(rng, spaced))
                    .append(fields.get(i)[0])
                    .append(ws(rng, spaced))
                    .append(':')
                    .append(ws(rng, spaced))
                    .append(fields.get(i)[1])
                    .append(ws(rng, spaced));
        }
        json.append('}');
        Object event = click ? new AdClick(ids[0], ids[1], ids[2], t) : new PageView(ids[0], ids[1], t, url);
        return new Sample(click ? CLICKS : VIEWS, utf8(json.toString()), event);
    }

    private static final String[][] ID_ATOMS = {
        {"a", "a"},
        {"Z", "Z"},
        {"7", "7"},
        {"-", "-"},
        {"_", "_"},
        {" ", " "},
        {"\\\"", "\""},
        {"\\\\", "\\"},
        {"\\/", "/"},
        {"\\n", "\n"},
        {"\\t", "\t"},
        {"\\u00e9", "é"},
        {"é", "é"},
        {"用户", "用户"},
        {"😀", "😀"},
        {"\\ud83d\\ude00", "😀"},
        {"\\u0000", "\u0000"},
        {"\u00a0", "\u00a0"},
        {"{", "{"},
        {"}", "}"},
        {"[", "["},
        {":", ":"},
        {",", ","},
        {"'", "'"},
    };

    private static String[] randomId(Random rng) {
        StringBuilder json = new StringBuilder("id");
        StringBuilder value = new StringBuilder("id");
        int n = rng.nextInt(rng.nextInt(10) == 0 ? 200 : 8);
        for (int i = 0; i < n; i++) {
            String[] atom = ID_ATOMS[rng.nextInt(ID_ATOMS.length)];
            json.append(atom[0]);
            value.append(atom[1]);
        }
        return new String[] {json.toString(), value.toString()};
    }

    private static final String[] KEYS = {
        "url", "event_id", "meta", "user_id ", "USER_ID", "ts", "", "event", "click", "ü", "user_id\\u0000"
    };
    private static final String[] NESTED_KEYS = {"user_id", "event_time", "click_id", "campaign_id", "page_view_id", "x"
    };

    private static String randomKey(Random rng) {
        return KEYS[rng.nextInt(KEYS.length)];
    }

    private static String randomValue(Random rng, int depth) {
        switch (rng.nextInt(depth > 3 ? 6 : 8)) {
            case 0:
                return Long.toString(rng.nextLong());
            case 1:
                return Double.toString(rng.nextGaussian() * 1e6);
            case 2:
                return "\"" + randomId(rng)[0] + "\"";
            case 3:
                return rng.nextBoolean() ? "true" : "false";
            case 4:
                return "null";
            case 5:
                return "\"" + rng.nextInt(1000) + "\"";
            case 6: {
                StringBuilder s = new StringBuilder("{");
                int n = rng.nextInt(4);
                for (int i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "")
                            .append('"')
                            .append(NESTED_KEYS[rng.nextInt(NESTED_KEYS.length)])
                            .append("\":")
                            .append(randomValue(rng, depth + 1));
                }
                return s.append('}').toString();
            }
            default: {
                StringBuilder s = new StringBuilder("[");
                int n = rng.nextInt(4);
                for (int i = 0; i < n; i++) {
                    s.append(i > 0 ? "," : "").append(randomValue(rng, depth + 1));
                }
                return s.append(']').toString();
            }
        }
    }

    /** JSON whitespace; the first four kinds have no line break. */
    private static String ws(Random rng, int kinds) {
        return new String[] {"", " ", "  ", "\t", "\n", "\r\n"}[rng.nextInt(kinds)];
    }

    private static final byte[] INTERESTING = {
        '"',
        '\\',
        '{',
        '}',
        '[',
        ']',
        ':',
        ',',
        ' ',
        '\n',
        '\r',
        '\t',
        '0',
        '9',
        '-',
        '+',
        '.',
        'e',
        'u',
        'n',
        0,
        1,
        0x1F,
        0x7F,
        (byte) 0x80,
        (byte) 0xBF,
        (byte) 0xC0,
        (byte) 0xC3,
        (byte) 0xE2,
        (byte) 0xED,
        (byte) 0xEF,
        (byte) 0xF0,
        (byte) 0xF4,
        (byte) 0xF8,
        (byte) 0xFE,
        (byte) 0xFF,
    };

    private static byte[] mutate(Random rng, byte[] in, int count, StringBuilder ops) {
        byte[] b = in;
        for (int m = 0; m < count; m++) {
            int at = b.length == 0 ? 0 : rng.nextInt(b.length);
            int op = rng.nextInt(8);
            if (b.length == 0) {
                op = 2;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (op) {
                case 0 -> { // flip a bit
                    b = b.clone();
                    int bit = rng.nextInt(8);
                    b[at] ^= (byte) (1 << bit);
                    ops.append("flip ").append(at).append('.').append(bit).append(' ');
                }
                case 1 -> { // replace with an interesting byte
                    b = b.clone();
                    b[at] = INTERESTING[rng.nextInt(INTERESTING.length)];
                    ops.append("set ").append(at).append(' ');
                }
                case 2 -> { // insert 1-3 bytes
                    int n = 1 + rng.nextInt(3);
                    out.write(b, 0, at);
                    for (int i = 0; i < n; i++) {
                        out.write(rng.nextBoolean() ? INTERESTING[rng.nextInt(INTERESTING.length)] : rng.nextInt(256));
                    }
                    out.write(b, at, b.length - at);
                    b = out.toByteArray();
                    ops.append("insert ").append(n).append('@').append(at).append(' ');
                }
                case 3 -> { // delete 1-8 bytes
                    int n = Math.min(b.length - at, 1 + rng.nextInt(8));
                    out.write(b, 0, at);
                    out.write(b, at + n, b.length - at - n);
                    b = out.toByteArray();
                    ops.append("delete ").append(n).append('@').append(at).append(' ');
                }
                case 4 -> { // duplicate a slice
                    int n = Math.min(b.length - at, 1 + rng.nextInt(20));
                    out.write(b, 0, at + n);
                    out.write(b, at, b.length - at);
                    b = out.toByteArray();
                    ops.append("dup ").append(n).append('@').append(at).append(' ');
                }
                case 5 -> { // truncate
                    b = Arrays.copyOf(b, at);
                    ops.append("truncate ").append(at).append(' ');
                }
                case 6 -> { // replace a digit run or quote-delimited token with a wild number
                    String[] wild = {"1e400", "-0", "9223372036854775808", "-1", "0", "99999999999999999", "1.5", "NaN"
                    };
                    byte[] w = utf8(wild[rng.nextInt(wild.length)]);
                    int end = at;
                    while (end < b.length && b[end] >= '0' && b[end] <= '9') {
                        end++;
                    }
                    out.write(b, 0, at);
                    out.writeBytes(w);
                    out.write(b, end, b.length - end);
                    b = out.toByteArray();
                    ops.append("number@").append(at).append(' ');
                }
                default -> { // swap two bytes
                    b = b.clone();
                    int other = rng.nextInt(b.length);
                    byte x = b[at];
                    b[at] = b[other];
                    b[other] = x;
                    ops.append("swap ").append(at).append(',').append(other).append(' ');
                }
            }
        }
        return b;
    }

    /** A non-blank line without line breaks that the decoder must reject. */
    private static byte[] badLine(Random rng, boolean click) {
        while (true) {
            byte[] b;
            switch (rng.nextInt(4)) {
                case 0 -> {
                    byte[] good = randomRecord(rng, click, true).bytes;
                    b = Arrays.copyOf(good, rng.nextInt(good.length)); // a strict prefix
                }
                case 1 ->
                    b = utf8(
                            new String[] {"[]", "null", "42", "\"x\"", "{}", "{\"user_id\":1}", "not json", "{\"a\":1}}"
                                    }
                                    [rng.nextInt(8)]);
                default -> b = mutate(rng, randomRecord(rng, click).bytes, 1 + rng.nextInt(3), new StringBuilder());
            }
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n' || b[i] == '\r') {
                    b[i] = ' ';
                }
            }
            boolean blank = true;
            for (byte x : b) {
                blank &= x == ' ' || x == '\t';
            }
            if (blank) {
                continue;
            }
            Decoded<?> d = (click ? CLICKS : VIEWS).decode(b, SOURCE, "0");
            if (d.isRejected()) {
                return b;
            }
        }
    }

    private static byte[] paddedRecord(int size, String id) {
        String head = "{\"page_view_id\":\"" + id + "\",\"user_id\":\"u\",\"event_time\":1704111000000,\"pad\":\"";
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        byte[] h = utf8(head);
        System.arraycopy(h, 0, b, 0, h.length);
        b[size - 2] = '"';
        b[size - 1] = '}';
        return b;
    }

    @SuppressWarnings("unchecked")
    private static List<Decoded<Object>> readAll(JsonEventDecoder<?> decoder, byte[] bytes, Random pieces, int maxPiece)
            throws IOException {
        List<Decoded<Object>> out = new ArrayList<>();
        try (JsonLinesReader<Object> reader = new JsonLinesReader<>(
                new BytesInputStream(bytes, pieces, maxPiece), (JsonEventDecoder<Object>) decoder, SOURCE)) {
            Decoded<Object> d;
            while ((d = reader.read()) != null) {
                out.add(d);
            }
            assertThat(reader.read()).as("read after the end").isNull();
        }
        return out;
    }

    /** An in-memory {@link FSDataInputStream} that can hand out its bytes in random small pieces. */
    static final class BytesInputStream extends FSDataInputStream {
        private final byte[] data;
        private final Random pieces;
        private final int maxPiece;
        private int pos;

        BytesInputStream(byte[] data, Random pieces, int maxPiece) {
            this.data = data;
            this.pieces = pieces;
            this.maxPiece = maxPiece;
        }

        @Override
        public void seek(long desired) {
            pos = (int) Math.min(desired, data.length);
        }

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(len, data.length - pos);
            if (pieces != null) {
                n = Math.min(n, 1 + pieces.nextInt(maxPiece));
            }
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    // ================================================================ text helpers

    /** A record both decoders accept: {@code page_view_id} repeats the click id. */
    private static String clickJson(String clickId, String userId, String campaignId, String timeJson) {
        return recordJson("\"" + clickId + "\"", "\"" + userId + "\"", "\"" + campaignId + "\"", timeJson);
    }

    /** Like {@link #clickJson} with every value given as JSON text. */
    private static String recordJson(String clickIdJson, String userIdJson, String campaignIdJson, String timeJson) {
        return "{\"click_id\":" + clickIdJson + ",\"user_id\":" + userIdJson + ",\"campaign_id\":" + campaignIdJson
                + ",\"page_view_id\":" + clickIdJson + ",\"event_time\":" + timeJson + "}";
    }

    private static String viewJson(String pageViewId, String userId, String timeJson) {
        return "{\"page_view_id\":\"" + pageViewId + "\",\"user_id\":\"" + userId + "\",\"event_time\":" + timeJson
                + "}";
    }

    private static String randomAscii(Random rng, int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = (char) ('a' + rng.nextInt(26));
        }
        return new String(c);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The input for a failure message: escaped, and cut to 300 bytes. */
    private static String preview(byte[] b) {
        StringBuilder s = new StringBuilder("[" + b.length + " bytes] ");
        for (int i = 0; i < Math.min(b.length, 300); i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return b.length > 300 ? s.append("...").toString() : s.toString();
    }
}
