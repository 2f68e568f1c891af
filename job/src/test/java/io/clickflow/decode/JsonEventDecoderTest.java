package io.clickflow.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.attribution.AdClick;
import io.clickflow.attribution.AdClickDecoder;
import io.clickflow.attribution.PageView;
import io.clickflow.attribution.PageViewDecoder;
import io.clickflow.tables.RejectedEvent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Proves that both JSON decoders read root-level fields in any order, ignore the rest, and reject bad records with a reason naming the field. */
class JsonEventDecoderTest {
    private static final String SOURCE = "ad_clicks";
    private static final String POSITION = "3:42";
    private static final long T = Instant.parse("2024-01-01T12:10:00Z").toEpochMilli();

    private final AdClickDecoder clicks = new AdClickDecoder();
    private final PageViewDecoder views = new PageViewDecoder();

    // ---------------------------------------------------------------- valid records

    @Test
    void decodesAClick() {
        Decoded<AdClick> d = decode(
                clicks,
                "{\"click_id\":\"c1\",\"user_id\":\"u1\",\"campaign_id\":\"k1\",\"event_time\":\"2024-01-01T12:10:00Z\"}");
        assertThat(d.isRejected()).isFalse();
        assertThat(d.rejected).isNull();
        assertThat(d.event).isEqualTo(new AdClick("c1", "u1", "k1", T));
    }

    @Test
    void decodesAPageViewWithOptionalFields() {
        Decoded<PageView> d = decode(
                views,
                "{\"page_view_id\":\"p1\",\"user_id\":\"u1\",\"event_time\":1704111000000,"
                        + "\"url\":\"https://example.com/?a=1\",\"referrer\":null,\"duration_ms\":12.5,\"tags\":[\"a\",{\"b\":[]}],\"bot\":false}");
        assertThat(d.event).isEqualTo(new PageView("p1", "u1", T, "https://example.com/?a=1"));
    }

    @Test
    void theAttributionSeedsPageViewsDecodeAsTheyAre() {
        Decoded<PageView> seed = decode(
                views,
                "{\"user_id\": \"user_1\", \"event_time\": \"2024-01-01T12:10:00\", "
                        + "\"url\": \"https://example.com/product1\", \"event_id\": \"pv_1\"}");
        assertThat(seed.event).isEqualTo(new PageView("pv_1", "user_1", T, "https://example.com/product1"));
        assertThat(decode(
                                views,
                                "{\"event_id\":\"e1\",\"page_view_id\":\"p1\",\"user_id\":\"u1\",\"event_time\":1704111000000}")
                        .event)
                .as("page_view_id wins over event_id, in any order")
                .isEqualTo(new PageView("p1", "u1", T));
        assertThat(decode(
                                views,
                                "{\"page_view_id\":\"p1\",\"event_id\":\"e1\",\"user_id\":\"u1\",\"event_time\":1704111000000}")
                        .event)
                .isEqualTo(new PageView("p1", "u1", T));
        assertThat(decode(
                                views,
                                "{\"page_view_id\":\"p1\",\"user_id\":\"u1\",\"event_time\":1704111000000,\"url\":null}")
                        .event)
                .isEqualTo(new PageView("p1", "u1", T, null));
        assertThat(decode(views, "{\"user_id\":\"u1\",\"event_time\":1704111000000}").rejected.reason)
                .isEqualTo("page_view_id (or event_id) is missing");
        assertThat(decode(views, "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"event_time\":1704111000000,\"url\":7}")
                        .rejected
                        .reason)
                .isEqualTo("url must be a string, not a number");
        assertThat(decode(views, "{\"event_id\":\"  \",\"user_id\":\"u1\",\"event_time\":1704111000000}")
                        .rejected
                        .reason)
                .isEqualTo("event_id is blank");
    }

    @Test
    void anyKeyOrderGivesTheSameEvent() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("click_id", "\"c1\"");
        fields.put("user_id", "\"u1\"");
        fields.put("campaign_id", "\"k1\"");
        fields.put("event_time", "\"2024-01-01T12:10:00Z\"");
        fields.put("extra", "{\"x\":[1,2,{}]}");
        List<List<String>> orders = permutations(new ArrayList<>(fields.keySet()));
        assertThat(orders).hasSize(120);
        for (List<String> order : orders) {
            StringBuilder json = new StringBuilder("{");
            for (String key : order) {
                json.append(json.length() > 1 ? ", " : " ")
                        .append('"')
                        .append(key)
                        .append("\" : ")
                        .append(fields.get(key));
            }
            json.append(" }");
            assertThat(decode(clicks, json.toString()).event)
                    .as(json.toString())
                    .isEqualTo(new AdClick("c1", "u1", "k1", T));
        }
    }

    @Test
    void whitespaceAroundTheObjectIsAllowed() {
        assertThat(decode(
                                views,
                                " \t\r\n{ \"page_view_id\" : \"p\" ,\n\"user_id\":\"u\",\"event_time\":1704111000000 }\r\n\t ")
                        .event)
                .isEqualTo(new PageView("p", "u", T));
        // A UTF-8 byte order mark is allowed too.
        byte[] bom = concat(
                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                utf8("{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000}"));
        assertThat(views.decode(bom, SOURCE, POSITION).event).isEqualTo(new PageView("p", "u", T));
    }

    @Test
    void unknownFieldsOfEveryTypeAreIgnored() {
        String json = "{\"a\":1,\"b\":-2.5e10,\"c\":\"s\",\"d\":true,\"e\":false,\"f\":null,\"g\":[],\"h\":{},"
                + "\"page_view_id\":\"p\",\"i\":[[[[{\"j\":[1,\"x\",null]}]]]],\"user_id\":\"u\",\"event_time\":\"1704111000000\","
                + "\"USER_ID\":5,\"event_time \":{},\"\":\"\",\"user_id_2\":[]}";
        assertThat(decode(views, json).event).isEqualTo(new PageView("p", "u", T));
    }

    @Test
    void nestedFieldsWithTheSameNamesAreIgnored() {
        String json = "{\"context\":{\"user_id\":\"nested\",\"event_time\":\"not a time\",\"click_id\":null},"
                + "\"click_id\":\"c\",\"list\":[{\"user_id\":1},{\"event_time\":[]}],\"user_id\":\"u\",\"campaign_id\":\"k\","
                + "\"deep\":{\"a\":{\"b\":{\"campaign_id\":{}}}},\"event_time\":1704111000000,\"after\":{\"event_time\":0}}";
        assertThat(decode(clicks, json).event).isEqualTo(new AdClick("c", "u", "k", T));
    }

    @Test
    void nestedFieldsDoNotStandInForMissingRootFields() {
        String json = "{\"page_view_id\":\"p\",\"context\":{\"user_id\":\"u\"},\"event_time\":1704111000000}";
        assertRejected(decode(views, json), "user_id is missing");
        String time = "{\"page_view_id\":\"p\",\"user_id\":\"u\",\"context\":{\"event_time\":1704111000000}}";
        assertRejected(decode(views, time), "event_time is missing");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1704111000000",
                "\"1704111000000\"",
                "\"2024-01-01T12:10:00Z\"",
                "\"2024-01-01T12:10:00.000Z\"",
                "\"2024-01-01T14:10:00+02:00\"",
                "\"2024-01-01T12:10:00\"",
                "\" 1704111000000 \"",
                "\"2024\\u002d01-01T12:10:00Z\"", // an escaped character inside the time
            })
    void eventTimeAsNumberDigitsOrIso(String value) {
        assertThat(decode(views, "{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":" + value + "}").event)
                .isEqualTo(new PageView("p", "u", T));
    }

    @Test
    void escapedAndNonAsciiIdsAreDecoded() {
        String json = "{\"click_id\":\"c\\\"1\\\\\\/\\n\\t\\u00e9\\uD83D\\uDE00\",\"user_id\":\"Üser 用户 😀\","
                + "\"campaign_id\":\"\\u0041\\u0062c\",\"event_time\":1704111000000}";
        assertThat(decode(clicks, json).event).isEqualTo(new AdClick("c\"1\\/\n\té😀", "Üser 用户 😀", "Abc", T));
    }

    @Test
    void escapedLoneSurrogatesInIdsAreRejected() {
        for (String id : new String[] {"\\ud800", "a\\udc00", "\\ude00\\ud83d", "\\ud83d", "x\\ud83dy"}) {
            assertRejected(
                    decode(views, "{\"page_view_id\":\"" + id + "\",\"user_id\":\"u\",\"event_time\":1704111000000}"),
                    "page_view_id is not valid Unicode (lone surrogate)");
        }
        assertThat(decode(
                                views,
                                "{\"page_view_id\":\"\\ud83d\\ude00\",\"user_id\":\"u\",\"note\":\"\\ud800\",\"event_time\":1704111000000}")
                        .event)
                .as("a pair is fine, and so is a lone surrogate in an ignored field")
                .isEqualTo(new PageView("😀", "u", T));
    }

    @Test
    void idsKeepTheirWhitespace() {
        assertThat(decode(views, "{\"page_view_id\":\" p \",\"user_id\":\"u\\u00a0\",\"event_time\":1704111000000}")
                        .event)
                .isEqualTo(new PageView(" p ", "u\u00a0", T));
    }

    @Test
    void escapedFieldNamesAreMatched() {
        assertThat(decode(views, "{\"page_view\\u005fid\":\"p\",\"\\u0075ser_id\":\"u\",\"event_time\":1704111000000}")
                        .event)
                .isEqualTo(new PageView("p", "u", T));
    }

    @Test
    void duplicateFieldsKeepTheLastValue() {
        assertThat(decode(
                                views,
                                "{\"page_view_id\":\"p1\",\"user_id\":\"u\",\"page_view_id\":\"p2\",\"event_time\":1704111000000}")
                        .event)
                .isEqualTo(new PageView("p2", "u", T));
    }

    @Test
    void decodesASliceOfALargerBuffer() {
        byte[] json =
                utf8("garbage{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000}more garbage");
        int offset = "garbage".length();
        int length = json.length - offset - "more garbage".length();
        assertThat(views.decode(json, offset, length, SOURCE, POSITION).event).isEqualTo(new PageView("p", "u", T));
        Decoded<PageView> bad = views.decode(json, offset, length - 1, SOURCE, POSITION);
        assertRejected(bad, "not valid JSON");
        assertThat(bad.rejected.payload)
                .isEqualTo("{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000");
    }

    @Test
    void decoderStillWorksAfterJavaSerialization() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            decode(clicks, "{}"); // creates the transient parser factory first
            out.writeObject(clicks);
        }
        AdClickDecoder copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (AdClickDecoder) in.readObject();
        }
        assertThat(copy.stream()).isEqualTo("ad_click");
        assertThat(decode(
                                copy,
                                "{\"click_id\":\"c\",\"user_id\":\"u\",\"campaign_id\":\"k\",\"event_time\":1704111000000}")
                        .event)
                .isEqualTo(new AdClick("c", "u", "k", T));
    }

    // ---------------------------------------------------------------- field rejections

    static Stream<Arguments> requiredFields() {
        return Stream.of(
                Arguments.of("ad_click", "click_id"),
                Arguments.of("ad_click", "user_id"),
                Arguments.of("ad_click", "campaign_id"),
                Arguments.of("ad_click", "event_time"),
                Arguments.of("page_view", "page_view_id"),
                Arguments.of("page_view", "user_id"),
                Arguments.of("page_view", "event_time"));
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("requiredFields")
    void missingNullAndBlankFieldsAreNamed(String stream, String field) {
        assertRejected(
                decodeWith(stream, field, null),
                field + (field.equals("page_view_id") ? " (or event_id)" : "") + " is missing");
        assertRejected(decodeWith(stream, field, "null"), field + " is null");
        assertRejected(decodeWith(stream, field, "\"\""), field + " is blank");
        assertRejected(decodeWith(stream, field, "\"  \\t\\n \""), field + " is blank");
        assertRejected(decodeWith(stream, field, "\" \""), field + " is blank");
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("requiredFields")
    void wrongTypesAreNamed(String stream, String field) {
        String expected = field.equals("event_time")
                ? "event_time must be an ISO-8601 string or epoch milliseconds, not "
                : field + " must be a string, not ";
        assertRejected(decodeWith(stream, field, "{\"value\":\"x\"}"), expected + "an object");
        assertRejected(decodeWith(stream, field, "{}"), expected + "an object");
        assertRejected(decodeWith(stream, field, "[\"x\"]"), expected + "an array");
        assertRejected(decodeWith(stream, field, "[]"), expected + "an array");
        assertRejected(decodeWith(stream, field, "true"), expected + "a boolean");
        assertRejected(decodeWith(stream, field, "false"), expected + "a boolean");
        assertRejected(decodeWith(stream, field, "1.5"), expected + "a number");
        if (!field.equals("event_time")) {
            assertRejected(decodeWith(stream, field, "1704111000000"), expected + "a number");
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"\"yesterday\"", "\"2024-01-01\"", "\"2024-01-01T25:00:00Z\"", "\"-1\"", "\"1704111000000.0\""})
    void unparseableTimesAreRejected(String value) {
        assertRejected(decodeWith("page_view", "event_time", value), "is neither ISO-8601 nor epoch milliseconds");
    }

    @Test
    void absurdTimesAreRejected() {
        assertRejected(
                decodeWith("ad_click", "event_time", "1704111000"), "event_time 1704111000 ms is before 2000-01-01");
        assertRejected(
                decodeWith("ad_click", "event_time", "\"1704111000\""),
                "event_time 1704111000 ms is before 2000-01-01");
        assertRejected(decodeWith("ad_click", "event_time", "0"), "before 2000-01-01");
        assertRejected(decodeWith("ad_click", "event_time", "-0"), "before 2000-01-01");
        assertRejected(decodeWith("ad_click", "event_time", "-1704111000000"), "before 2000-01-01");
        assertRejected(decodeWith("ad_click", "event_time", "\"1999-12-31T23:59:59Z\""), "before 2000-01-01");
        assertRejected(decodeWith("ad_click", "event_time", "9223372036854775807"), "more than a day in the future");
        assertRejected(
                decodeWith("ad_click", "event_time", "\"2999-01-01T00:00:00Z\""), "more than a day in the future");
        assertRejected(
                decodeWith("ad_click", "event_time", "9223372036854775808"),
                "event_time 9223372036854775808 is too large for epoch milliseconds");
        assertRejected(
                decodeWith("ad_click", "event_time", "-9223372036854775809"), "is too large for epoch milliseconds");
        assertRejected(
                decodeWith("ad_click", "event_time", "\"12345678901234567890\""),
                "is too large for epoch milliseconds");
        assertRejected(decodeWith("ad_click", "event_time", "1e400"), "not a number");
        assertRejected(decodeWith("ad_click", "event_time", "1.704111E12"), "not a number");
    }

    @Test
    void theFirstBadFieldIsReported() {
        assertRejected(decode(clicks, "{\"user_id\":1,\"click_id\":null}"), "user_id must be a string, not a number");
        assertRejected(decode(clicks, "{\"user_id\":\"u\"}"), "click_id is missing");
    }

    // ---------------------------------------------------------------- not a usable JSON object

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000}]"})
    void anArrayIsNotAnObject(String json) {
        assertRejected(decode(views, json), "record is not a JSON object (starts with an array)");
    }

    @Test
    void scalarsAreNotObjects() {
        assertRejected(decode(views, "\"{}\""), "record is not a JSON object (starts with a string)");
        assertRejected(decode(views, "42"), "record is not a JSON object (starts with a number)");
        assertRejected(decode(views, "-1.5e3"), "record is not a JSON object (starts with a number)");
        assertRejected(decode(views, "true"), "record is not a JSON object (starts with a boolean)");
        assertRejected(decode(views, "null"), "record is not a JSON object (starts with null)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\n", " \t\r\n "})
    void emptyInputIsRejected(String json) {
        assertRejected(decode(views, json), "record is empty");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "{\"page_view_id\"",
                "{\"page_view_id\":",
                "{\"page_view_id\":\"p",
                "{\"page_view_id\":\"p\"",
                "{\"page_view_id\":\"p\",",
                "{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000",
                "{\"a\":{\"b\":[1,2",
                "{\"page_view_id\":\"p\\",
                "{\"page_view_id\":\"p\\u00",
            })
    void truncatedJsonIsRejected(String json) {
        assertRejected(decode(views, json), "not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'page_view_id':'p'}",
                "{page_view_id:\"p\"}",
                "{\"page_view_id\":\"p\",}",
                "{\"page_view_id\" \"p\"}",
                "{\"page_view_id\":\"p\"]",
                "{\"a\":01}",
                "{\"a\":NaN}",
                "{\"a\":\"tab\there\"}",
                "{\"a\":\"\\x\"}",
                "{\"a\":1 /* comment */}",
                "{\"a\":tru}",
                "{,}",
                "}",
            })
    void malformedJsonIsRejected(String json) {
        assertRejected(decode(views, json), "not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {" x", "x", "}", "]", ",", "{}", " {\"page_view_id\":\"p\"}", "1", "\"s\"", "null", "[", "\u0000"
            })
    void trailingContentIsRejected(String tail) {
        Decoded<PageView> d =
                decode(views, "{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000}" + tail);
        assertRejected(d, "not valid JSON");
    }

    @Test
    void aSecondObjectIsCalledContentAfterTheObject() {
        assertRejected(
                decode(views, "{\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000}\n{}"),
                "not valid JSON: content after the object");
    }

    @Test
    void invalidUtf8InAnIdIsRejected() {
        byte[][] badSequences = {
            {(byte) 0xFF},
            {(byte) 0xC3},
            {(byte) 0xC3, 'x'},
            {(byte) 0xE2, (byte) 0x82},
            {(byte) 0x80},
            {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        };
        for (byte[] bad : badSequences) {
            byte[] json = concat(
                    utf8("{\"page_view_id\":\"p"), bad, utf8("q\",\"user_id\":\"u\",\"event_time\":1704111000000}"));
            Decoded<PageView> d = views.decode(json, SOURCE, POSITION);
            assertRejected(d, "not valid JSON");
            assertThat(d.rejected.reason).as(hex(bad)).containsIgnoringCase("UTF-8");
            assertThat(d.rejected.payload)
                    .startsWith("{\"page_view_id\":\"p")
                    .contains("\uFFFD")
                    .endsWith("}");
        }
    }

    @Test
    void utf8ThatJacksonWouldDecodeLenientlyIsRejected() {
        byte[][] badSequences = {
            {(byte) 0xC0, (byte) 0x80}, // overlong NUL
            {(byte) 0xC1, (byte) 0xBF}, // overlong DEL
            {(byte) 0xE0, (byte) 0x80, (byte) 0x80}, // overlong 3-byte
            {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, // overlong U+07FF
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // encoded surrogate U+D800
            {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, // encoded surrogate U+DFFF
            {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // overlong 4-byte
            {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, // overlong U+FFFF
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // U+110000
            {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
        };
        for (byte[] bad : badSequences) {
            byte[] prefix = utf8("{\"page_view_id\":\"p");
            byte[] json = concat(prefix, bad, utf8("q\",\"user_id\":\"u\",\"event_time\":1704111000000}"));
            Decoded<PageView> d = views.decode(json, SOURCE, POSITION);
            assertRejected(d, "not valid JSON: ");
            assertThat(d.rejected.reason).as(hex(bad)).containsIgnoringCase("UTF-8");
            // The same bytes in an ignored field make the record just as unusable.
            byte[] ignored = concat(
                    utf8("{\"note\":\""),
                    bad,
                    utf8("\",\"page_view_id\":\"p\",\"user_id\":\"u\",\"event_time\":1704111000000}"));
            assertRejected(views.decode(ignored, SOURCE, POSITION), "not valid JSON: ");
        }
        byte[] json = concat(
                utf8("xx{\"page_view_id\":\"é"),
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                utf8("\",\"user_id\":\"u\",\"event_time\":1704111000000}"));
        assertThat(views.decode(json, 2, json.length - 2, SOURCE, POSITION).rejected.reason)
                .isEqualTo("not valid JSON: invalid UTF-8 at byte 19");
    }

    @Test
    void utf8AtTheEdgesOfEachSequenceLengthIsAccepted() {
        String[] edges = {
            "!",
            "\u007F",
            "\u0080",
            "\u07FF",
            "\u0800",
            "\uD7FF",
            "\uE000",
            "\uFFFD",
            "\uFFFF",
            "\uD800\uDC00",
            "\uDBFF\uDFFF",
            "\uD83D\uDE00"
        };
        for (String edge : edges) {
            String id = "x" + edge + "y";
            // Raw UTF-8 bytes in the record, not JSON escapes.
            Decoded<PageView> d = decode(
                    views,
                    "{\"page_view_id\":\"" + id + "\",\"user_id\":\"" + edge + "\",\"event_time\":1704111000000}");
            assertThat(d.event).as(id).isEqualTo(new PageView(id, edge, T));
        }
    }

    @Test
    void aTombstoneIsRejected() {
        for (JsonEventDecoder<?> decoder : List.of(clicks, views)) {
            Decoded<?> d = decoder.decode(null, "topic", "0:17");
            assertThat(d.isRejected()).isTrue();
            assertThat(d.event).isNull();
            assertThat(d.rejected)
                    .isEqualTo(
                            new RejectedEvent(decoder.stream(), "topic", "0:17", "record has no value (null)", null));
        }
    }

    // ---------------------------------------------------------------- the rejection record

    @Test
    void rejectionCarriesStreamSourcePositionAndPayload() {
        String json = "{\"click_id\":\"c\",\"user_id\":null}";
        Decoded<AdClick> d = clicks.decode(utf8(json), "ad_clicks", "2:1234");
        assertThat(d.event).isNull();
        assertThat(d.rejected).isEqualTo(new RejectedEvent("ad_click", "ad_clicks", "2:1234", "user_id is null", json));

        Decoded<PageView> v = views.decode(utf8("[]"), "views.jsonl.gz", "17");
        assertThat(v.rejected)
                .isEqualTo(new RejectedEvent(
                        "page_view",
                        "views.jsonl.gz",
                        "17",
                        "record is not a JSON object (starts with an array)",
                        "[]"));
    }

    @Test
    void payloadIsTruncatedToMaxChars() {
        int max = RejectedEvent.MAX_PAYLOAD_CHARS;
        String big = "{\"page_view_id\":\"" + "x".repeat(10_000) + "\"}";
        Decoded<PageView> d = decode(views, big);
        assertRejected(d, "user_id is missing");
        assertThat(d.rejected.payload).hasSize(max).isEqualTo(big.substring(0, max));

        String exact = "[" + "1".repeat(max - 2) + "]";
        assertThat(decode(views, exact).rejected.payload).isEqualTo(exact);
        String oneMore = "[" + "1".repeat(max - 1) + "]";
        assertThat(decode(views, oneMore).rejected.payload).isEqualTo(oneMore.substring(0, max));

        String wide = "[\"" + "é用😀".repeat(3000) + "\"]"; // 2-, 3- and 4-byte UTF-8 characters
        assertThat(decode(views, wide).rejected.payload).hasSize(max).isEqualTo(wide.substring(0, max));
    }

    @Test
    void payloadDoesNotEndInHalfASurrogatePair() {
        int max = RejectedEvent.MAX_PAYLOAD_CHARS;
        String wide =
                "[" + "😀".repeat(max) + "]"; // the cut at MAX_PAYLOAD_CHARS falls between the two halves of a pair
        String payload = decode(views, wide).rejected.payload;
        assertThat(payload).hasSizeLessThanOrEqualTo(max).startsWith("[😀😀");
        assertThat(Character.isHighSurrogate(payload.charAt(payload.length() - 1)))
                .as("ends in a lone high surrogate")
                .isFalse();
        assertThat(new String(payload.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(payload);
    }

    @Test
    void payloadOfInvalidUtf8UsesReplacementCharacters() {
        byte[] json = {'[', (byte) 0xFF, (byte) 0xFE, ']'};
        Decoded<PageView> d = views.decode(json, SOURCE, POSITION);
        assertThat(d.rejected.payload).isEqualTo("[\uFFFD\uFFFD]");
    }

    // ---------------------------------------------------------------- helpers

    private <T> Decoded<T> decodeWith(String stream, String field, String value) {
        JsonEventDecoder<?> decoder = stream.equals("ad_click") ? clicks : views;
        Map<String, String> fields = new LinkedHashMap<>();
        if (stream.equals("ad_click")) {
            fields.put("click_id", "\"c\"");
            fields.put("user_id", "\"u\"");
            fields.put("campaign_id", "\"k\"");
        } else {
            fields.put("page_view_id", "\"p\"");
            fields.put("user_id", "\"u\"");
        }
        fields.put("event_time", "1704111000000");
        if (value == null) {
            fields.remove(field);
        } else {
            fields.put(field, value);
        }
        StringBuilder json = new StringBuilder("{");
        fields.forEach((k, v) -> json.append(json.length() > 1 ? "," : "")
                .append('"')
                .append(k)
                .append("\":")
                .append(v));
        json.append('}');
        @SuppressWarnings("unchecked")
        Decoded<T> d = (Decoded<T>) decode(decoder, json.toString());
        return d;
    }

    private static <T> Decoded<T> decode(JsonEventDecoder<T> decoder, String json) {
        return decoder.decode(utf8(json), SOURCE, POSITION);
    }

    private static void assertRejected(Decoded<?> d, String reason) {
        assertThat(d.isRejected()).as("rejected: %s", d).isTrue();
        assertThat(d.event).isNull();
        assertThat(d.rejected.reason).contains(reason).hasSizeLessThan(300).doesNotContain("\n");
        assertThat(d.rejected.source).isEqualTo(SOURCE);
        assertThat(d.rejected.position).isEqualTo(POSITION);
        assertThat(d.rejected.stream).isIn("ad_click", "page_view");
        assertThat(d.rejected.payload).isNotNull().hasSizeLessThanOrEqualTo(RejectedEvent.MAX_PAYLOAD_CHARS);
    }

    private static List<List<String>> permutations(List<String> items) {
        if (items.isEmpty()) {
            List<List<String>> one = new ArrayList<>();
            one.add(new ArrayList<>());
            return one;
        }
        List<List<String>> all = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<String> rest = new ArrayList<>(items);
            String head = rest.remove(i);
            for (List<String> tail : permutations(rest)) {
                tail.add(0, head);
                all.add(tail);
            }
        }
        return all;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x ", b & 0xFF));
        }
        return s.toString().trim();
    }
}
