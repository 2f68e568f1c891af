package io.clickflow.tables;

/** The order the tables' upsert guards compare text in, for the Java side of the same rules. */
public final class TextOrder {
    private TextOrder() {}

    /**
     * Compares by Unicode code point, which is the byte order of the UTF-8 form: the order SQLite's
     * BINARY collation (and PostgreSQL's {@code COLLATE "C"}) uses in the upserts' guards.
     */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
