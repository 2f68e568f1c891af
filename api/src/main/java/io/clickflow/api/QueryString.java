package io.clickflow.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A query string's parameters, decoded strictly: {@code %XX} escapes are UTF-8 bytes and must form valid UTF-8,
 * {@code +} is a space (as browsers and form encoders send it; a literal plus is {@code %2B}), a parameter may
 * appear once, and a name without {@code =} has no value (a bare flag, as opposed to an empty one).
 */
final class QueryString {
    private QueryString() {}

    /** A bare flag ({@code ?click}): present, no value. Compared by identity. */
    static final String NO_VALUE = new String("");

    /** Name to value ({@link #NO_VALUE} for a bare flag), in order of appearance. */
    static Map<String, String> parse(String query) throws BadRequest {
        Map<String, String> params = new LinkedHashMap<>(4);
        if (query == null || query.isEmpty()) {
            return params;
        }
        int start = 0;
        while (start <= query.length()) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? query.length() : amp;
            if (end > start) { // "a&&b" and a trailing '&' are harmless
                int eq = query.indexOf('=', start);
                String name;
                String value;
                if (eq < 0 || eq > end) {
                    name = decode(query, start, end, "a parameter name");
                    value = NO_VALUE;
                } else {
                    name = decode(query, start, eq, "a parameter name");
                    value = decode(query, eq + 1, end, name);
                }
                if (params.putIfAbsent(name, value) != null) {
                    throw new BadRequest("parameter '" + Requests.shorten(name) + "' is given more than once");
                }
            }
            start = end + 1;
        }
        return params;
    }

    /** Percent-decodes {@code s[from, to)} as UTF-8; {@code what} names the part in the refusal. */
    static String decode(String s, int from, int to, String what) throws BadRequest {
        boolean plain = true;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '+' || c > 0x7f) {
                plain = false;
                break;
            }
        }
        if (plain) {
            return s.substring(from, to);
        }
        ByteBuffer bytes = ByteBuffer.allocate((to - from) * 3);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                int hi = i + 2 < to ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new BadRequest(what + " has a bad %-escape (use %XX with two hex digits; % itself is %25)");
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c > 0x7f) {
                // Vert.x hands over the request line as ISO-8859-1: such a char is one raw byte of the client's UTF-8
                if (c > 0xff) {
                    throw new BadRequest(what + " is not valid UTF-8");
                }
                bytes.put((byte) c);
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new BadRequest(what + " is not valid percent-encoded UTF-8");
        }
    }
}
