package org.vcpu4j.api;

/**
 * The width of a memory, port or register access, as axaddrspace's {@code AccessWidth} ("word" is 16
 * bits, in the x86 sense).
 */
public enum AccessWidth {
    /** 8 bits. */
    BYTE(1),
    /** 16 bits. */
    WORD(2),
    /** 32 bits. */
    DWORD(4),
    /** 64 bits. */
    QWORD(8);

    private final int bytes;
    private final long mask;

    AccessWidth(int bytes) {
        this.bytes = bytes;
        this.mask = bytes == 8 ? -1L : (1L << (bytes * 8)) - 1;
    }

    /** {@return the width in bytes: 1, 2, 4 or 8} */
    public int bytes() {
        return bytes;
    }

    /** {@return the width in bits: 8, 16, 32 or 64} */
    public int bits() {
        return bytes * 8;
    }

    /** {@return a mask of the low {@link #bits()} bits} */
    public long mask() {
        return mask;
    }

    /** {@return {@code log2(bytes)}: 0 for a byte up to 3 for a quadword (the AArch64 SAS/size field)} */
    public int log2() {
        return Integer.numberOfTrailingZeros(bytes);
    }

    /**
     * {@return the width of {@code bytes} bytes}
     *
     * @param bytes 1, 2, 4 or 8
     * @throws IllegalArgumentException for any other count
     */
    public static AccessWidth ofBytes(int bytes) {
        return switch (bytes) {
            case 1 -> BYTE;
            case 2 -> WORD;
            case 4 -> DWORD;
            case 8 -> QWORD;
            default -> throw new IllegalArgumentException(
                    "access width must be 1, 2, 4 or 8 bytes, not " + bytes);
        };
    }

    /**
     * {@return the width whose {@link #log2()} is {@code log2}}
     *
     * @param log2 0 to 3
     */
    public static AccessWidth ofLog2(int log2) {
        if (log2 < 0 || log2 > 3) {
            throw new IllegalArgumentException("access size field must be 0..3, not " + log2);
        }
        return values()[log2];
    }
}
