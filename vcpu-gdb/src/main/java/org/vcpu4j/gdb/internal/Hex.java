package org.vcpu4j.gdb.internal;

/** Hex encoding of the remote protocol (lower-case out, either case in). */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {}

    /** {@return the bytes as hex} @param bytes the bytes */
    public static String encode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(DIGITS[(b >> 4) & 0xF]).append(DIGITS[b & 0xF]);
        }
        return sb.toString();
    }

    /** {@return the text's bytes (ISO-8859-1) as hex} @param text the text */
    public static String encodeText(String text) {
        return encode(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /**
     * {@return the bytes of a hex string}
     *
     * @param hex an even number of hex digits
     * @throws IllegalArgumentException if it is not
     */
    public static byte[] decode(CharSequence hex) {
        if ((hex.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits");
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (digit(hex.charAt(2 * i)) << 4 | digit(hex.charAt(2 * i + 1)));
        }
        return out;
    }

    /**
     * {@return an unsigned hex number of 1-16 digits}
     *
     * @param hex the digits
     * @throws IllegalArgumentException if they are not 1-16 hex digits
     */
    public static long parseLong(String hex) {
        if (hex.isEmpty() || hex.length() > 16) {
            throw new IllegalArgumentException("not a hex number: '" + hex + "'");
        }
        long v = 0;
        for (int i = 0; i < hex.length(); i++) {
            v = v << 4 | digit(hex.charAt(i));
        }
        return v;
    }

    /** {@return the value of a hex digit} @param c the digit @throws IllegalArgumentException if it is none */
    public static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new IllegalArgumentException("not a hex digit: '" + c + "'");
    }

    /** Appends {@code size} bytes of a value, little-endian, as hex. */
    static void appendLittleEndian(StringBuilder sb, long value, int size) {
        for (int i = 0; i < size; i++) {
            int b = (int) (value >>> (8 * i)) & 0xFF;
            sb.append(DIGITS[b >> 4]).append(DIGITS[b & 0xF]);
        }
    }

    /** {@return a little-endian value of up to 8 bytes from {@code bytes[offset..offset+size)}} */
    static long littleEndian(byte[] bytes, int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (bytes[offset + i] & 0xFF);
        }
        return v;
    }
}
