package org.vcpu4j.api.aarch64;

/**
 * A 128-bit SIMD&amp;FP register value (Vn / Qn), little-endian: {@code low} holds bits 63:0.
 *
 * @param low bits 63:0
 * @param high bits 127:64
 */
public record Vec128(long low, long high) {
    /** The all-zero value. */
    public static final Vec128 ZERO = new Vec128(0, 0);

    @Override
    public String toString() {
        return String.format("0x%016x_%016x", high, low);
    }
}
