package io.clickflow.decode;

import io.clickflow.tables.EventTimes;
import io.clickflow.tables.RejectedEvent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes one JSON object into an event without building a tree: root-level fields are read by name,
 * everything else (including nested objects that happen to hold the same names) is skipped. Never
 * throws for bad input; it returns a rejection with a short reason instead.
 */
public abstract class JsonEventDecoder<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where a record's time is and how it is written. */
    public enum TimeField {
        /** {@code event_time}: ISO-8601, or epoch milliseconds as a number or a string of digits. */
        EVENT_TIME("event_time", false),
        /**
         * {@code ts}: unix seconds as a number or a string of digits, or epoch milliseconds (told apart by
         * size: below 10^11 is seconds, which is year 5138, or 1973 in milliseconds); ISO-8601 too.
         */
        TS("ts", true),
        /**
         * {@code timestamp}: epoch milliseconds as a JSON integer, nothing else (the analytics events API servers
         * write): no seconds, no strings, so a producer's unit mistake is a rejection, not a date in 1970.
         */
        TIMESTAMP("timestamp", false, true);

        final String name;
        final boolean secondsOrMillis;
        /** Only an integer number of epoch milliseconds. */
        final boolean millisOnly;

        TimeField(String name, boolean secondsOrMillis) {
            this(name, secondsOrMillis, false);
        }

        TimeField(String name, boolean secondsOrMillis, boolean millisOnly) {
            this.name = name;
            this.secondsOrMillis = secondsOrMillis;
            this.millisOnly = millisOnly;
        }

        /** Epoch milliseconds from a number written in this field. */
        long millis(long number) {
            return secondsOrMillis && number < 100_000_000_000L && number > -100_000_000_000L ? number * 1000 : number;
        }
    }

    private final String stream;
    private final TimeField timeField;
    /**
     * The root-level string fields, in the order {@link #build} receives them: each slot's names in priority order
     * (a later name is read only when no earlier one is present), required slots first, then optional ones.
     */
    private final String[][] fields;

    private final int required;
    private transient JsonFactory jsonFactory;

    protected JsonEventDecoder(String stream, String... idFields) {
        this(stream, TimeField.EVENT_TIME, idFields);
    }

    protected JsonEventDecoder(String stream, TimeField timeField, String... idFields) {
        this(stream, timeField, idFields, new String[0]);
    }

    /**
     * @param idFields required string fields; {@code "page_view_id|event_id"} takes the first present of several names
     * @param optionalFields string fields that may be absent or null ({@link #build} gets null then)
     */
    protected JsonEventDecoder(String stream, TimeField timeField, String[] idFields, String[] optionalFields) {
        this.stream = stream;
        this.timeField = timeField;
        this.required = idFields.length;
        this.fields = new String[idFields.length + optionalFields.length][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = (i < required ? idFields[i] : optionalFields[i - required]).split("\\|");
        }
    }

    /** Creates the event from the string fields (required ones, then optional ones) and the event time. */
    protected abstract T build(String[] ids, long eventTime);

    public String stream() {
        return stream;
    }

    public Decoded<T> decode(byte[] bytes, String source, String position) {
        return decode(bytes, 0, bytes == null ? 0 : bytes.length, source, position);
    }

    public Decoded<T> decode(byte[] bytes, int offset, int length, String source, String position) {
        if (bytes == null) {
            return reject("record has no value (null)", null, 0, 0, source, position);
        }
        try {
            return Decoded.of(parse(bytes, offset, length));
        } catch (IllegalArgumentException e) {
            return reject(e.getMessage(), bytes, offset, length, source, position);
        } catch (IOException | RuntimeException e) {
            return reject("not valid JSON: " + firstLine(e.getMessage()), bytes, offset, length, source, position);
        } catch (StackOverflowError e) {
            return reject("not valid JSON: nested too deeply", bytes, offset, length, source, position);
        }
    }

    private T parse(byte[] bytes, int offset, int length) throws IOException {
        if (jsonFactory == null) {
            jsonFactory = new JsonFactory();
        }
        // Jackson decodes overlong forms, encoded surrogates and code points past U+10FFFF into ids
        // (lone surrogates, aliases of other ids) instead of failing: check strictly first.
        int bad = Utf8.invalidAt(bytes, offset, length);
        if (bad >= 0) {
            throw new IllegalArgumentException("not valid JSON: invalid UTF-8 at byte " + (bad - offset));
        }
        String[] ids = new String[fields.length];
        int[] rank = new int[fields.length];
        long eventTime = Long.MIN_VALUE;
        try (JsonParser p = jsonFactory.createParser(bytes, offset, length)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("record is empty");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("record is not a JSON object (starts with " + describe(first) + ")");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                int found = slotOf(name);
                int slot = found & 0xFFFF;
                int priority = found >>> 16;
                if (found >= 0 && (ids[slot] == null || priority <= rank[slot])) {
                    if (slot < required) {
                        ids[slot] = readId(name, value, p);
                    } else {
                        ids[slot] = readOptional(name, value, p);
                    }
                    rank[slot] = priority;
                } else if (found >= 0) {
                    p.skipChildren(); // a name of lower priority than one already read
                } else if (timeField.name.equals(name)) {
                    eventTime = readEventTime(timeField, value, p);
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException("not valid JSON: unexpected " + describe(t));
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("not valid JSON: content after the object");
            }
        }
        for (int i = 0; i < required; i++) {
            if (ids[i] == null) {
                throw new IllegalArgumentException(fields[i][0]
                        + (fields[i].length > 1
                                ? " (or "
                                        + String.join(
                                                ", ", Arrays.asList(fields[i]).subList(1, fields[i].length)) + ")"
                                : "")
                        + " is missing");
            }
        }
        if (eventTime == Long.MIN_VALUE) {
            throw new IllegalArgumentException(timeField.name + " is missing");
        }
        return build(ids, eventTime);
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** The slot of a field name in the low 16 bits and its priority among the slot's names above them, or -1. */
    private int slotOf(String name) {
        for (int i = 0; i < fields.length; i++) {
            for (int k = 0; k < fields[i].length; k++) {
                if (fields[i][k].equals(name)) {
                    return k << 16 | i;
                }
            }
        }
        return -1;
    }

    private static String readId(String name, JsonToken value, JsonParser p) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (s.isBlank()) {
                throw new IllegalArgumentException(name + " is blank");
            }
            if (hasLoneSurrogate(s)) {
                // A lone surrogate written as a JSON escape is valid JSON but not text: the database would store '?'.
                throw new IllegalArgumentException(name + " is not valid Unicode (lone surrogate)");
            }
            return s;
        }
        if (value == JsonToken.VALUE_NULL) {
            throw new IllegalArgumentException(name + " is null");
        }
        throw new IllegalArgumentException(name + " must be a string, not " + describe(value));
    }

    private static String readOptional(String name, JsonToken value, JsonParser p) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(name + " must be a string, not " + describe(value));
        }
        String s = p.getText();
        if (hasLoneSurrogate(s)) {
            throw new IllegalArgumentException(name + " is not valid Unicode (lone surrogate)");
        }
        return s;
    }

    private static long readEventTime(TimeField field, JsonToken value, JsonParser p) throws IOException {
        try {
            if (field.millisOnly && value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NULL) {
                throw new IllegalArgumentException(
                        field.name + " must be epoch milliseconds (an integer), not " + describe(value));
            }
            switch (value) {
                case VALUE_STRING:
                    String text = p.getText();
                    if (field.secondsOrMillis && !text.isEmpty() && text.length() <= 15 && EventTimes.isDigits(text)) {
                        return EventTimes.checkRange(field.millis(Long.parseLong(text)));
                    }
                    return EventTimes.parse(text);
                case VALUE_NUMBER_INT:
                    if (p.getNumberType() != JsonParser.NumberType.INT
                            && p.getNumberType() != JsonParser.NumberType.LONG) {
                        throw new IllegalArgumentException(field.name + " " + EventTimes.abbreviate(p.getText())
                                + " is too large for epoch milliseconds");
                    }
                    return EventTimes.checkRange(field.millis(p.getLongValue()));
                case VALUE_NULL:
                    throw new IllegalArgumentException(field.name + " is null");
                default:
                    throw new IllegalArgumentException(field.name
                            + (field.secondsOrMillis
                                    ? " must be unix seconds or epoch milliseconds (an integer), not "
                                    : " must be an ISO-8601 string or epoch milliseconds, not ")
                            + describe(value));
            }
        } catch (IllegalArgumentException e) {
            // EventTimes names the field event_time in its reasons; say the field the record really has.
            if (field == TimeField.EVENT_TIME || !e.getMessage().startsWith("event_time")) {
                throw e;
            }
            throw new IllegalArgumentException(field.name + e.getMessage().substring("event_time".length()));
        }
    }

    private Decoded<T> reject(String reason, byte[] bytes, int offset, int length, String source, String position) {
        return Decoded.rejected(
                new RejectedEvent(stream, source, position, reason, payloadText(bytes, offset, length)));
    }

    /** The raw bytes as text for the rejected table, bounded so a 1 MB record does not become a 1 MB row. */
    public static String payloadText(byte[] bytes, int offset, int length) {
        if (bytes == null) {
            return null;
        }
        // 4 bytes per char at most in UTF-8: decoding this many bytes always yields enough characters.
        int n = Math.min(length, RejectedEvent.MAX_PAYLOAD_CHARS * 4);
        String s = new String(bytes, offset, n, StandardCharsets.UTF_8);
        if (s.length() <= RejectedEvent.MAX_PAYLOAD_CHARS) {
            return s;
        }
        // Do not cut a surrogate pair in half: a lone high surrogate is not valid text in the database.
        int end = Character.isHighSurrogate(s.charAt(RejectedEvent.MAX_PAYLOAD_CHARS - 1))
                ? RejectedEvent.MAX_PAYLOAD_CHARS - 1
                : RejectedEvent.MAX_PAYLOAD_CHARS;
        return s.substring(0, end);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : t.asString();
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() <= 160 ? line : line.substring(0, 160) + "...";
    }
}
