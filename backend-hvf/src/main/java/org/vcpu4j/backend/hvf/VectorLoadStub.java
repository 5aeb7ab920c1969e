package org.vcpu4j.backend.hvf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Guest code that loads all 32 V registers from memory, the backend's way to write V registers whose
 * bits 127:64 are not zero: {@code hv_vcpu_set_simd_fp_reg} takes a 128-bit vector by value, which a
 * {@code java.lang.foreign} downcall cannot pass, but the guest can load it.
 *
 * <p>The stub is 16 {@code LDP Qt, Qt+1, [X0, #32k]} followed by {@code HVC #0x4846}. Encodings (Arm ARM
 * C7.2.188, LDP (SIMD&amp;FP), signed offset: {@code opc=10 101 1 010 L=1 imm7 Rt2 Rn Rt}, imm7 scaled by
 * 16; C6.2.110, HVC: {@code 0xD4000002 | imm16 << 5}), checked against GNU as: {@code ldp q0, q1, [x0]} =
 * 0xAD400400, {@code ldp q2, q3, [x0, #32]} = 0xAD410C02, {@code hvc #0x4846} = 0xD40908C2.
 *
 * <p>Layout of the backend's scratch page: code at offset 0, the 32 values (512 bytes, little-endian,
 * V0 first, 16-byte aligned) at {@link #DATA_OFFSET}.
 */
final class VectorLoadStub {
    /** The HVC immediate that marks the stub's end. */
    static final int HVC_MARK = 0x4846;
    /** Where the values are in the scratch page. */
    static final long DATA_OFFSET = 0x100;

    private static final int LDP_Q_SIGNED_OFFSET = 0xAD40_0000;
    private static final int HVC = 0xD400_0002;

    private VectorLoadStub() {}

    /** {@return the stub's instructions} */
    static int[] code() {
        int[] code = new int[17];
        for (int k = 0; k < 16; k++) {
            int rt = 2 * k;
            code[k] = ldpQ(rt, rt + 1, 0, 2 * k);
        }
        code[16] = HVC | HVC_MARK << 5;
        return code;
    }

    /**
     * {@return {@code LDP Q<rt>, Q<rt2>, [X<rn>, #imm7*16]}}
     *
     * @param rt the first register
     * @param rt2 the second register
     * @param rn the base register
     * @param imm7 the offset in units of 16 bytes, -64..63
     */
    static int ldpQ(int rt, int rt2, int rn, int imm7) {
        return LDP_Q_SIGNED_OFFSET | (imm7 & 0x7F) << 15 | rt2 << 10 | rn << 5 | rt;
    }

    /**
     * Writes the code into the scratch page.
     *
     * @param page the page
     */
    static void writeCode(MemorySegment page) {
        int[] code = code();
        for (int i = 0; i < code.length; i++) {
            page.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 4L * i, code[i]);
        }
    }

    /**
     * Writes the values the stub loads.
     *
     * @param page the page
     * @param simd V0-V31, two longs each (bits 63:0, then 127:64)
     */
    static void writeData(MemorySegment page, long[] simd) {
        for (int i = 0; i < 64; i++) {
            page.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                    DATA_OFFSET + 8L * i, simd[i]);
        }
    }
}
