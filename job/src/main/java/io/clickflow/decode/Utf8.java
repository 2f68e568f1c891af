package io.clickflow.decode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A strict UTF-8 check. Jackson decodes overlong forms, encoded surrogates and code points past U+10FFFF into
 * text (lone surrogates, aliases of other ids) instead of failing, so records are checked before parsing.
 */
public final class Utf8 {
    private Utf8() {}

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The index of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1. */
    public static int invalidAt(byte[] b, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            // ASCII eight bytes at a time: most of a record is, and byte by byte was costly (BENCHMARKS.md).
            while (i + 8 <= end && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) {
                i += 8;
            }
            if (i >= end) {
                break;
            }
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            int more;
            int min = 0x80;
            int max = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                min = c == 0xE0 ? 0xA0 : 0x80; // overlong
                max = c == 0xED ? 0x9F : 0xBF; // surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                min = c == 0xF0 ? 0x90 : 0x80; // overlong
                max = c == 0xF4 ? 0x8F : 0xBF; // past U+10FFFF
            } else {
                return i;
            }
            if (i + more >= end) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < min || second > max) {
                return i;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += more + 1;
        }
        return -1;
    }
}
