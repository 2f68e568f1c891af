package io.clickflow.api;

import io.clickflow.commandline.Durations;
import io.clickflow.tables.EventTimes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The two analytics requests as the spec reads them, checked: an accepted POST or GET, or a one-line reason. */
final class Requests {
    private Requests() {}

    static final String TIMESTAMP = "timestamp";
    static final String USER = "user";
    static final String CLICK = "click";
    static final String IMPRESSION = "impression";
    /** The idempotency key as a query parameter; the header {@link #IDEMPOTENCY_KEY} says the same. */
    static final String ID = "id";
    /** The IETF draft's header for an idempotency key. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** Asks a GET to wait until the answer counts every event acknowledged before it. */
    static final String FRESH = "fresh";
    /** Most UTF-8 bytes of an idempotency key. */
    static final int MAX_ID_BYTES = 256;

    /** What a POST may contain, besides its required parts. */
    record Limits(int maxUserLength, Duration maxAge, Duration maxFuture) {}

    /**
     * An accepted event: the user (decoded), its time in epoch milliseconds, click or impression, and its
     * idempotency key (null: none).
     */
    record Post(String user, long timestamp, boolean click, String id) {
        Post(String user, long timestamp, boolean click) {
            this(user, timestamp, click, null);
        }
    }

    /** {@code POST /analytics?timestamp=...&user=...&click|impression}, checked against the clock {@code now}. */
    static Post post(String query, long now, Limits limits) throws BadRequest {
        return post(query, null, now, limits);
    }

    /** The same with the request's {@code Idempotency-Key} header ({@code idHeader}, null when absent). */
    static Post post(String query, String idHeader, long now, Limits limits) throws BadRequest {
        Map<String, String> params = QueryString.parse(query);
        for (String name : params.keySet()) {
            if (!name.equals(TIMESTAMP)
                    && !name.equals(USER)
                    && !name.equals(CLICK)
                    && !name.equals(IMPRESSION)
                    && !name.equals(ID)) {
                throw unknown(name, "timestamp, user, click or impression, and id");
            }
        }
        String id = id(params.get(ID), idHeader);
        boolean click = flag(params, CLICK);
        boolean impression = flag(params, IMPRESSION);
        if (click == impression) {
            throw new BadRequest(
                    click ? "give click or impression, not both" : "give click or impression (a bare flag: &click)");
        }
        String user = params.get(USER);
        if (user == null || user.isEmpty()) {
            throw new BadRequest(user == null ? "user is missing" : "user is empty");
        }
        int length = user.codePointCount(0, user.length());
        if (length > limits.maxUserLength()) {
            throw new BadRequest("user is " + length + " characters long; at most " + limits.maxUserLength()
                    + " are accepted (--max-user-length)");
        }
        long timestamp = timestamp(params);
        long oldest = now - limits.maxAge().toMillis();
        long newest = now + limits.maxFuture().toMillis();
        if (timestamp < oldest) {
            if (timestamp <= Long.MAX_VALUE / 1000 && timestamp * 1000 >= oldest && timestamp * 1000 <= newest) {
                // A client sending currentTimeMillis() / 1000 would otherwise read only that its event is too old.
                throw new BadRequest("timestamp " + timestamp + " looks like seconds since the epoch: timestamps are"
                        + " milliseconds since the epoch (" + timestamp + "000 is "
                        + EventTimes.format(timestamp * 1000) + ")");
            }
            throw new BadRequest("timestamp " + timestamp + " (" + EventTimes.format(timestamp) + ") is older than "
                    + Durations.format(limits.maxAge()) + " (--max-age): its hour is no longer corrected");
        }
        if (timestamp > newest) {
            throw new BadRequest("timestamp " + timestamp + " (" + EventTimes.format(timestamp) + ") is more than "
                    + Durations.format(limits.maxFuture()) + " ahead of this server's clock (--max-future)");
        }
        return new Post(user, timestamp, click, id);
    }

    /** The idempotency key from the {@code id=} parameter and the header: either, or both when equal; or null. */
    private static String id(String param, String header) throws BadRequest {
        if (param != null) {
            checkId(param, "id");
        }
        if (header != null) {
            checkId(header, IDEMPOTENCY_KEY);
        }
        if (param != null && header != null && !param.equals(header)) {
            throw new BadRequest("id '" + shorten(param) + "' and the " + IDEMPOTENCY_KEY + " header '"
                    + shorten(header) + "' differ: give the key once, or the same in both");
        }
        return param != null ? param : header;
    }

    private static void checkId(String key, String where) throws BadRequest {
        if (key.isEmpty()) {
            throw new BadRequest(where + " is empty: an idempotency key has 1 to " + MAX_ID_BYTES + " bytes");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ID_BYTES) {
            throw new BadRequest(
                    where + " is " + bytes + " bytes long (UTF-8); an idempotency key has at most " + MAX_ID_BYTES);
        }
    }

    /** {@code GET /analytics?timestamp=...}: the timestamp whose UTC hour is asked for. */
    static long get(String query) throws BadRequest {
        return read(query).timestamp();
    }

    /** An accepted GET: the timestamp whose UTC hour is asked for, and whether the answer must be fresh. */
    record Get(long timestamp, boolean fresh) {}

    /** {@code GET /analytics?timestamp=...[&fresh]}. */
    static Get read(String query) throws BadRequest {
        Map<String, String> params = QueryString.parse(query);
        for (String name : params.keySet()) {
            if (!name.equals(TIMESTAMP) && !name.equals(FRESH)) {
                throw unknown(name, "timestamp and fresh");
            }
        }
        return new Get(timestamp(params), fresh(params.get(FRESH)));
    }

    /** {@code fresh} as the seed writes it (a bare flag), or {@code fresh=1} / {@code fresh=true}; else refused. */
    private static boolean fresh(String value) throws BadRequest {
        if (value == null) {
            return false;
        }
        if (value.isEmpty() || value.equals("1") || value.equals("true")) {
            return true;
        }
        throw new BadRequest("fresh is a flag: give it bare (&fresh), as fresh=1 or fresh=true, not fresh="
                + shorten(value) + " (leave it out for the cached answer)");
    }

    /** Epoch milliseconds as digits, at most 15 of them (until the year 33658; more is a mistake, not a time). */
    private static long timestamp(Map<String, String> params) throws BadRequest {
        String text = params.get(TIMESTAMP);
        if (text == null || text == QueryString.NO_VALUE) {
            throw new BadRequest("timestamp is missing (milliseconds since the epoch, e.g. timestamp=1700000000000)");
        }
        if (text.isEmpty() || !EventTimes.isDigits(text)) {
            throw new BadRequest("timestamp must be milliseconds since the epoch as digits, not '" + shorten(text) + "'"
                    + (text.indexOf(' ') >= 0
                            ? " (a '+' in a query string decodes to a space; a timestamp takes no sign)"
                            : ""));
        }
        if (text.length() > 15) {
            throw new BadRequest("timestamp " + shorten(text) + " is too large for milliseconds since the epoch");
        }
        return Long.parseLong(text);
    }

    /** A bare flag, {@code flag=} or {@code flag=1}; anything else is refused rather than guessed. */
    private static boolean flag(Map<String, String> params, String name) throws BadRequest {
        String value = params.get(name);
        if (value == null) {
            return false;
        }
        if (value.isEmpty() || value.equals("1")) {
            return true;
        }
        throw new BadRequest(name + " is a flag: give it bare (&" + name + ") or as " + name + "=1, not " + name + "="
                + shorten(value));
    }

    private static BadRequest unknown(String name, String known) {
        return new BadRequest("unknown parameter '" + shorten(name) + "' (the parameters are " + known + ")");
    }

    /** A value quoted in a refusal: one line, short. */
    static String shorten(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 40) + 3);
        for (int i = 0; i < s.length() && sb.length() < 40; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.length() < s.length() ? sb + "..." : sb.toString();
    }
}
