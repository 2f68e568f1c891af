package io.clickflow.uniques;

import static org.assertj.core.api.Assertions.assertThat;

import io.clickflow.decode.Decoded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Frames decode to their root-level uid and ts, whatever else they hold, and bad frames are rejections with reasons. */
class FrameDecoderTest {
    private static final long T = Instant.parse("2016-07-11T13:39:44Z").getEpochSecond();
    private final FrameDecoder decoder = new FrameDecoder();

    private Decoded<Frame> decode(String json) {
        return decoder.decode(json.getBytes(StandardCharsets.UTF_8), "frames", "0:1");
    }

    @Test
    void generatedFramesDecodeAsAFullParseReadsTheirRoot() throws Exception {
        ObjectMapper full = new ObjectMapper();
        FrameGenerator generator = new FrameGenerator(3, 500, T, 1000, 5);
        for (int i = 0; i < 10_000; i++) {
            FrameGenerator.Generated g = generator.next();
            assertThat(g.json().getBytes(StandardCharsets.UTF_8).length).isBetween(1500, 4000);
            JsonNode root = full.readTree(g.json());
            Decoded<Frame> d = decode(g.json());
            assertThat(d.rejected).as(g.json()).isNull();
            assertThat(d.event.uid).isEqualTo(root.get("uid").asText()).isEqualTo(g.uid());
            assertThat(d.event.eventTime)
                    .isEqualTo(root.get("ts").asLong() * 1000)
                    .isEqualTo(g.tsSeconds() * 1000);
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"ts\":1468244384,\"uid\":\"a\"}                      | 1468244384000",
                "{\"uid\":\"a\",\"ts\":\"1468244384\"}                  | 1468244384000",
                "{\"uid\":\"a\",\"ts\":1468244384123}                   | 1468244384123",
                "{\"uid\":\"a\",\"ts\":\"1468244384123\"}               | 1468244384123",
                "{\"uid\":\"a\",\"ts\":\"2016-07-11T13:39:44Z\"}        | 1468244384000",
                "{\"x\":{\"uid\":\"b\",\"ts\":1},\"uid\":\"a\",\"ts\":1468244384} | 1468244384000",
            })
    void acceptsSecondsMillisDigitStringsAndIso(String json, long millis) {
        Decoded<Frame> d = decode(json);
        assertThat(d.rejected).isNull();
        assertThat(d.event).isEqualTo(new Frame("a", millis));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"ts\":1468244384}                          | uid is missing",
                "{\"uid\":\"a\"}                              | ts is missing",
                "{\"uid\":\"a\",\"x\":{\"ts\":1468244384}}    | ts is missing",
                "{\"uid\":12,\"ts\":1468244384}               | uid must be a string",
                "{\"uid\":\"a\",\"ts\":null}                  | ts is null",
                "{\"uid\":\"a\",\"ts\":\"\"}                  | ts is blank",
                "{\"uid\":\"a\",\"ts\":1468244384.5}          | ts must be unix seconds or epoch milliseconds",
                "{\"uid\":\"a\",\"ts\":\"yesterday\"}         | ts 'yesterday' is neither ISO-8601 nor epoch milliseconds",
                "{\"uid\":\"a\",\"ts\":12}                    | ts 12000 ms is before 2000-01-01",
                "{\"uid\":\"a\",\"ts\":1468244384                      | not valid JSON",
            })
    void rejectsWithAReasonNamingTheField(String json, String reason) {
        Decoded<Frame> d = decode(json);
        assertThat(d.event).isNull();
        assertThat(d.rejected.reason).contains(reason);
        assertThat(d.rejected.stream).isEqualTo(FrameDecoder.STREAM);
        assertThat(d.rejected.position).isEqualTo("0:1");
    }
}
